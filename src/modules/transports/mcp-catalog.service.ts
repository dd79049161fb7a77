import { Injectable } from '@nestjs/common';
import type {
  CompleteRequest,
  CompleteResult,
  GetPromptResult,
  ListPromptsResult,
  ListResourcesResult,
  ListResourceTemplatesResult,
  ListToolsResult,
  Prompt as McpPrompt,
  ReadResourceResult,
  Resource as McpResource,
  ResourceTemplate as McpResourceTemplate,
  Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import type { CatalogItem } from '../../common/catalog/catalog.model';
import { DomainError, ErrorCode, NotFoundError } from '../../common/errors/domain-error';
import { ExecutionRecorder, type ExecutionTarget } from '../../observability/metrics/execution-recorder.service';
import { GatewayCache } from '../cache/gateway-cache.service';
import { FederationService, type PeerStates } from '../federation/federation.service';
import { FederationForwarder } from '../federation/forwarding/federation-forwarder.service';
import type { Prompt } from '../prompts/prompt.model';
import { PromptsService } from '../prompts/prompts.service';
import type { Resource } from '../resources/resource.model';
import { matchTemplate } from '../resources/resource-content';
import { type LocalSource, ResourcesService } from '../resources/resources.service';
import { ASSOCIATION_PROPERTY, type AssociationKind } from '../servers/server.model';
import { ServersService } from '../servers/servers.service';
import type { SessionChannel } from '../tools/execution/invocation-context';
import type { Tool } from '../tools/tool.model';
import { ToolsService } from '../tools/tools.service';
import { JsonRpcError, RESOURCE_NOT_FOUND } from './mcp-errors';
import type { McpScope } from './mcp-scope';

export function toMcpTool(t: Tool): McpTool {
  return {
    name: t.name,
    ...(t.displayName ? { title: t.displayName } : {}),
    description: t.description || t.displayName || t.name,
    inputSchema: t.inputSchema as McpTool['inputSchema'],
    ...(t.outputSchema ? { outputSchema: t.outputSchema as McpTool['outputSchema'] } : {}),
    ...(t.annotations ? { annotations: t.annotations } : {}),
  };
}

export function toMcpResource(r: Resource): McpResource {
  return {
    uri: r.uri,
    name: r.name,
    description: r.description || r.name,
    ...(r.mimeType ? { mimeType: r.mimeType } : {}),
    ...(r.size !== null ? { size: r.size } : {}),
  };
}

export function toMcpResourceTemplate(r: Resource): McpResourceTemplate {
  return {
    uriTemplate: r.uriTemplate!,
    name: r.name,
    description: r.description || r.name,
    ...(r.mimeType ? { mimeType: r.mimeType } : {}),
  };
}

export function toMcpPrompt(p: Prompt): McpPrompt {
  return {
    name: p.name,
    description: p.description || p.name,
    arguments: p.arguments.map((a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), required: a.required ?? false })),
  };
}

type Kind = AssociationKind;

/**
 * What a resource read needs, cached: whom to ask (a federated resource), where to fetch from (an HTTP-backed
 * one: the fetched content has its own cache and lifetime), or the content itself (stored or rendered).
 */
interface ResourceRead {
  id: string;
  gatewayId: string | null;
  federationSource: string | null;
  uriTemplate: string | null;
  contents?: ReadResourceResult;
  source?: LocalSource;
  /** A template resource with no content to render. */
  empty?: boolean;
}

/** Local contents larger than this are read from the database each time rather than cached. */
const MAX_CACHED_CONTENT = 1024 * 1024;

/** Cache key of a listing page (`arg`: its cursor) or a read (`arg`: the URI) through one endpoint. */
function cacheKey(what: string, scope: McpScope, arg?: string): string {
  return `${what}|${scope.serverId ?? '*'}|${arg ?? ''}`;
}
const EMPTY_COMPLETION: CompleteResult = { completion: { values: [], total: 0, hasMore: false } };

/**
 * The catalog as one MCP endpoint sees it: everything enabled (`/mcp`), or the enabled members of one virtual
 * server (`/servers/{id}/mcp`). Entities of disabled peers are hidden; so are those of unreachable peers, whose
 * tools still resolve so that a call fails fast with a clear message. Federated entities are served by their peer.
 */
@Injectable()
export class McpCatalog {
  constructor(
    private readonly tools: ToolsService,
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
    private readonly servers: ServersService,
    private readonly federation: FederationService,
    private readonly forwarder: FederationForwarder,
    private readonly recorder: ExecutionRecorder,
    private readonly cache: GatewayCache,
  ) {}

  /** Checks that a virtual server exists and is enabled (MCP endpoints of disabled servers answer 404). */
  async assertServer(serverId: string): Promise<void> {
    const server = await this.servers.get(serverId);
    if (!server.enabled) throw new NotFoundError('Server', serverId);
  }

  /** Why an endpoint's scope cannot be served (an unknown or disabled virtual server), or null. Other failures throw. */
  async scopeProblem(scope: McpScope): Promise<string | null> {
    if (!scope.serverId) return null;
    try {
      await this.assertServer(scope.serverId);
      return null;
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return `Server not found: ${scope.serverId}`;
      throw err;
    }
  }

  async listTools(scope: McpScope, cursor?: string): Promise<ListToolsResult> {
    return this.cache.wrap('catalog', cacheKey('tools', scope, cursor), async () => {
      const { items, nextCursor } = await this.page(scope, 'tools', cursor, (o) => this.tools.list(o));
      return { tools: items.filter((t) => t.reachable).map(toMcpTool), ...(nextCursor ? { nextCursor } : {}) };
    });
  }

  /** The enabled tool named `name` in scope; unknown names are invalid params (-32602), as MCP requires. */
  async findTool(scope: McpScope, name: string): Promise<Tool> {
    const tool = await this.tools.findByKey(name);
    if (!tool || !(await this.usable(scope, 'tools', tool, true))) throw new DomainError(ErrorCode.NotFound, `Unknown tool: ${name}`, { name });
    return tool;
  }

  async listResources(scope: McpScope, cursor?: string): Promise<ListResourcesResult> {
    return this.cache.wrap('catalog', cacheKey('resources', scope, cursor), async () => {
      const { items, nextCursor } = await this.page(scope, 'resources', cursor, (o) => this.resources.list(o));
      return { resources: items.filter((r) => !r.uriTemplate).map(toMcpResource), ...(nextCursor ? { nextCursor } : {}) };
    });
  }

  async listResourceTemplates(scope: McpScope, cursor?: string): Promise<ListResourceTemplatesResult> {
    return this.cache.wrap('catalog', cacheKey('resourceTemplates', scope, cursor), async () => {
      const { items, nextCursor } = await this.page(scope, 'resources', cursor, (o) => this.resources.list(o));
      return { resourceTemplates: items.filter((r) => r.uriTemplate).map(toMcpResourceTemplate), ...(nextCursor ? { nextCursor } : {}) };
    });
  }

  /** The resource with this URI, or the template resource whose `uriTemplate` matches it. -32002 when none. */
  async findResource(scope: McpScope, uri: string): Promise<Resource> {
    const exact = await this.resources.findByKey(uri);
    if (exact && !exact.uriTemplate && (await this.usable(scope, 'resources', exact))) return exact;
    const templates = (await this.resources.findTemplates()).filter((t) => matchTemplate(t.uriTemplate!, uri));
    for (const template of templates) {
      if (await this.usable(scope, 'resources', template)) return template;
    }
    const peer = await this.unreachablePeer(scope, 'resources', [...(exact && !exact.uriTemplate ? [exact] : []), ...templates]);
    if (peer) throw new JsonRpcError(RESOURCE_NOT_FOUND, `Resource ${uri} is unavailable: its peer '${peer}' is unreachable`, { uri, peer });
    throw new JsonRpcError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
  }

  async readResource(scope: McpScope, uri: string, session?: SessionChannel): Promise<ReadResourceResult> {
    const r = await this.cache.wrap('resource', cacheKey('read', scope, uri), async () => this.resourceRead(await this.findResource(scope, uri), uri));
    return this.recorder.track(this.target('resource', r, uri, scope), async () => {
      if (r.gatewayId) return this.forwarder.readResource(r, uri, session);
      if (r.contents) return r.contents;
      const read = r.source ? { contents: await this.resources.contentsFor(r.source, uri) } : r.empty ? undefined : (await this.resourceRead(await this.findResource(scope, uri), uri, true)).contents;
      if (!read?.contents) throw new JsonRpcError(RESOURCE_NOT_FOUND, `Resource template ${r.uriTemplate} has no content for ${uri}`, { uri });
      return read as ReadResourceResult;
    });
  }

  /**
   * Federated reads go to the peer each time (only whom to ask is cached); HTTP-backed ones are fetched through
   * their own cache; stored content (rendered for a template's URI) is cached unless large.
   */
  private async resourceRead(r: Resource, uri: string, always = false): Promise<ResourceRead> {
    const read: ResourceRead = { id: r.id, gatewayId: r.gatewayId, federationSource: r.federationSource, uriTemplate: r.uriTemplate };
    if (r.gatewayId) return read;
    if (r.contentUrl) {
      read.source = { id: r.id, uriTemplate: r.uriTemplate, contentUrl: r.contentUrl, cacheTtl: r.cacheTtl, mimeType: r.mimeType, textContent: null, binaryContent: null };
      return read;
    }
    if (!always && (r.binaryContent ?? r.textContent ?? '').length > MAX_CACHED_CONTENT) return read;
    const contents = await this.resources.contentsFor(r, uri);
    if (contents) read.contents = { contents };
    else read.empty = true;
    return read;
  }

  async subscribe(scope: McpScope, uri: string, session?: SessionChannel): Promise<void> {
    const r = await this.findResource(scope, uri);
    if (r.gatewayId) await this.forwarder.subscribe(r, uri, session);
  }

  async unsubscribe(scope: McpScope, uri: string, session?: SessionChannel): Promise<void> {
    const r = await this.findResource(scope, uri).catch(() => undefined);
    if (r?.gatewayId) await this.forwarder.unsubscribe(r, uri, session);
  }

  async listPrompts(scope: McpScope, cursor?: string): Promise<ListPromptsResult> {
    return this.cache.wrap('catalog', cacheKey('prompts', scope, cursor), async () => {
      const { items, nextCursor } = await this.page(scope, 'prompts', cursor, (o) => this.prompts.list(o));
      return { prompts: items.map(toMcpPrompt), ...(nextCursor ? { nextCursor } : {}) };
    });
  }

  async findPrompt(scope: McpScope, name: string): Promise<Prompt> {
    const prompt = await this.prompts.findByKey(name);
    if (prompt && (await this.usable(scope, 'prompts', prompt))) return prompt;
    const peer = prompt && (await this.unreachablePeer(scope, 'prompts', [prompt]));
    if (peer) throw new DomainError(ErrorCode.NotFound, `Prompt ${name} is unavailable: its peer '${peer}' is unreachable`, { name, peer });
    throw new DomainError(ErrorCode.NotFound, `Unknown prompt: ${name}`, { name });
  }

  async getPrompt(scope: McpScope, name: string, args: Record<string, string> = {}, session?: SessionChannel): Promise<GetPromptResult> {
    const prompt = await this.findPrompt(scope, name);
    return this.recorder.track(this.target('prompt', prompt, prompt.name, scope), async () => {
      if (prompt.gatewayId) return this.forwarder.getPrompt(prompt, args, session);
      return (await this.prompts.render(prompt.id, args)) as GetPromptResult;
    });
  }

  private target(kind: 'resource' | 'prompt', item: Pick<CatalogItem, 'id' | 'federationSource'> & { gatewayId: string | null }, name: string, scope: McpScope): ExecutionTarget {
    return { kind, id: item.id, name, server: item.gatewayId ? (item.federationSource ?? item.gatewayId) : 'local', serverId: scope.serverId };
  }

  /** Completion of a prompt or resource-template argument: the peer's answer for federated ones, none locally. */
  async complete(scope: McpScope, params: CompleteRequest['params'], session?: SessionChannel): Promise<CompleteResult> {
    if (params.ref.type === 'ref/prompt') {
      const prompt = await this.findPrompt(scope, params.ref.name);
      if (!prompt.gatewayId) return EMPTY_COMPLETION;
      return this.forwarder.complete(prompt, { ...params, ref: { type: 'ref/prompt', name: prompt.originalName } }, session);
    }
    const ref = params.ref;
    const template = (await this.resources.findTemplates()).find((t) => t.uriTemplate === ref.uri);
    if (!template || !template.gatewayId || !(await this.usable(scope, 'resources', template))) return EMPTY_COMPLETION;
    return this.forwarder.complete(template, params, session);
  }

  /**
   * Whether an item may be used through this endpoint: enabled, in the virtual server's scope, and not from a
   * disabled peer. Items of unreachable peers are usable only where `unreachableOk` (tools: to fail fast).
   */
  private async usable(scope: McpScope, kind: Kind, item: CatalogItem & { gatewayId: string | null }, unreachableOk = false): Promise<boolean> {
    if (!item.enabled) return false;
    if (item.gatewayId) {
      const states = await this.federation.peerStates();
      if (states.disabled.has(item.gatewayId) || (!unreachableOk && states.unreachable.has(item.gatewayId))) return false;
    }
    if (!scope.serverId) return true;
    const server = await this.servers.get(scope.serverId);
    const ids = server[ASSOCIATION_PROPERTY[kind]];
    return server.enabled && ids.includes(item.id);
  }

  /** The name of the unreachable peer of the first item that would be usable if its peer were reachable, if any. */
  private async unreachablePeer(scope: McpScope, kind: Kind, items: Array<CatalogItem & { gatewayId: string | null }>): Promise<string | undefined> {
    for (const item of items) if (item.gatewayId && (await this.usable(scope, kind, item, true))) return item.federationSource ?? item.gatewayId;
    return undefined;
  }

  /** One page of the global catalog (keyset cursor), or all members of a virtual server; hidden peers left out. */
  private async page<T extends CatalogItem & { gatewayId: string | null }>(
    scope: McpScope,
    kind: Kind,
    cursor: string | undefined,
    list: (o: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>,
  ): Promise<{ items: T[]; nextCursor: string | null }> {
    const states: PeerStates = await this.federation.peerStates();
    const visible = (item: T) => !item.gatewayId || !(states.disabled.has(item.gatewayId) || states.unreachable.has(item.gatewayId));
    if (!scope.serverId) {
      const page = await list({ limit: 0, cursor });
      return { items: page.items.filter(visible), nextCursor: page.nextCursor };
    }
    await this.assertServer(scope.serverId);
    const members = (await this.servers.members(scope.serverId, kind as 'tools')) as unknown as T[];
    return { items: members.filter(visible), nextCursor: null };
  }
}
