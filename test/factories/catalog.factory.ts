import { randomUUID } from 'node:crypto';
import type { AuditMetadata } from '../../src/common/catalog/catalog.model';
import type { Gateway } from '../../src/modules/federation/gateway.model';
import type { Prompt, PromptVersion } from '../../src/modules/prompts/prompt.model';
import type { Resource } from '../../src/modules/resources/resource.model';
import type { Server } from '../../src/modules/servers/server.model';
import type { Tool } from '../../src/modules/tools/tool.model';
import { NO_ADAPTER_FIELDS } from '../../src/modules/tools/tools.service';

const id = () => randomUUID().replace(/-/g, '');

function audit(): AuditMetadata {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    createdAt: now,
    createdBy: 'tester',
    createdFromIp: '127.0.0.1',
    createdVia: 'api',
    createdUserAgent: 'jest',
    modifiedAt: now,
    modifiedBy: 'tester',
    modifiedFromIp: '127.0.0.1',
    modifiedVia: 'api',
    modifiedUserAgent: 'jest',
    version: 1,
    importBatchId: null,
    federationSource: null,
  };
}

export function makeTool(overrides: Partial<Tool> = {}): Tool {
  const name = overrides.name ?? `tool_${id().slice(0, 8)}`;
  return {
    id: id(),
    enabled: true,
    tags: [],
    ...audit(),
    name,
    originalName: name,
    displayName: null,
    description: 'a tool',
    integrationType: 'REST',
    requestType: 'POST',
    url: 'http://127.0.0.1:1/echo',
    headers: { 'X-Test': 'yes' },
    authType: null,
    authValue: null,
    inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
    outputSchema: null,
    annotations: { readOnlyHint: true },
    ...NO_ADAPTER_FIELDS,
    gatewayId: null,
    reachable: true,
    ...overrides,
  };
}

export function makeResource(overrides: Partial<Resource> = {}): Resource {
  return {
    id: id(),
    enabled: true,
    tags: [],
    ...audit(),
    uri: `file:///docs/${id().slice(0, 8)}.txt`,
    name: 'doc',
    description: null,
    mimeType: 'text/plain',
    uriTemplate: null,
    textContent: 'hello',
    binaryContent: null,
    size: 5,
    contentUrl: null,
    cacheTtl: null,
    contentHash: null,
    gatewayId: null,
    ...overrides,
  };
}

export function makePrompt(overrides: Partial<Prompt> = {}): Prompt {
  const name = overrides.name ?? `prompt_${id().slice(0, 8)}`;
  return {
    id: id(),
    enabled: true,
    tags: [],
    ...audit(),
    name,
    originalName: name,
    description: null,
    template: 'Say {{word}}',
    messages: null,
    arguments: [{ name: 'word', required: true }],
    gatewayId: null,
    ...overrides,
  };
}

export function makeServer(overrides: Partial<Server> = {}): Server {
  return {
    id: id(),
    enabled: true,
    tags: [],
    ...audit(),
    name: `server_${id().slice(0, 8)}`,
    description: null,
    icon: null,
    associatedTools: [],
    associatedResources: [],
    associatedPrompts: [],
    ...overrides,
  };
}

export function makeGateway(overrides: Partial<Gateway> = {}): Gateway {
  const name = overrides.name ?? `peer-${id().slice(0, 8)}`;
  return {
    id: id(),
    enabled: true,
    tags: [],
    ...audit(),
    name,
    slug: name.toLowerCase(),
    url: `http://127.0.0.1:1/${name}/mcp`,
    description: null,
    transport: 'STREAMABLEHTTP',
    authType: null,
    authValue: null,
    capabilities: null,
    reachable: true,
    lastSeen: null,
    namespaced: true,
    alternateOf: null,
    consecutiveFailures: 0,
    lastError: null,
    lastRefreshAt: null,
    serverInfo: null,
    protocolVersion: null,
    caCertificate: null,
    ...overrides,
  };
}

export function makePromptVersion(promptId: string, overrides: Partial<PromptVersion> = {}): PromptVersion {
  return {
    promptId,
    version: 1,
    template: 'Say {{word}}',
    messages: null,
    arguments: [{ name: 'word', required: true }],
    description: null,
    createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
    createdBy: 'tester',
    restoredFrom: null,
    ...overrides,
  };
}
