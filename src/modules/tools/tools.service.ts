import { Injectable } from '@nestjs/common';
import { CatalogService, CatalogSupport, type SyncCounts } from '../../common/catalog/catalog.service';
import { Credentials, mergeCredentials } from '../../common/credentials';
import { SecretBox } from '../../common/crypto/secret-box';
import { OutboundHttp } from '../../common/http/outbound-http';
import { ValidationError } from '../../common/errors/domain-error';
import { jsonSchemas, type JsonSchema } from '../../common/json-schema';
import type { CreateToolDto } from './dto/create-tool.dto';
import type { UpdateToolDto } from './dto/update-tool.dto';
import { ToolRepository } from './repositories/tool.repository';
import { REST_METHODS, type Tool, type ToolAnnotations } from './tool.model';

/** A tool as a peer describes it, already named for this gateway. */
export interface FederatedToolSpec {
  name: string;
  originalName: string;
  displayName: string | null;
  description: string | null;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | null;
  annotations: ToolAnnotations | null;
}

export const DEFAULT_INPUT_SCHEMA: JsonSchema = { type: 'object', properties: {} };

@Injectable()
export class ToolsService extends CatalogService<Tool> {
  protected readonly kind = 'tool' as const;
  protected readonly label = 'Tool';

  constructor(
    repo: ToolRepository,
    support: CatalogSupport,
    private readonly secrets: SecretBox,
    private readonly http: OutboundHttp,
  ) {
    super(repo, support);
  }

  protected keyOf(tool: Tool): string {
    return tool.name;
  }

  /** Creates a local tool. MCP tools come from federation only, as in the reference gateway. */
  async create(dto: CreateToolDto): Promise<Tool> {
    const integrationType = dto.integrationType ?? 'REST';
    if (integrationType === 'MCP') {
      throw new ValidationError('integrationType', 'MCP tools are discovered by registering their server with POST /gateways');
    }
    const requestType = this.checkRequestType(dto.requestType ?? 'POST');
    if (!dto.url) throw new ValidationError('url', 'is required for REST tools');
    await this.http.assertAllowed(dto.url, 'url');
    const inputSchema = this.checkSchemas(dto.inputSchema ?? DEFAULT_INPUT_SCHEMA, dto.outputSchema);
    const auth = dto.auth ? mergeCredentials(null, dto.auth) : null;
    return this.createItem({
      name: dto.name,
      originalName: dto.name,
      displayName: dto.displayName ?? null,
      description: dto.description ?? null,
      integrationType,
      requestType,
      url: dto.url,
      headers: dto.headers ?? null,
      authType: auth?.authType ?? null,
      authValue: auth ? this.secrets.encryptJson(auth) : null,
      inputSchema,
      outputSchema: dto.outputSchema ?? null,
      annotations: dto.annotations ? { ...dto.annotations } : null,
      gatewayId: null,
      reachable: true,
      tags: dto.tags ?? [],
      enabled: dto.enabled ?? true,
    });
  }

  update(id: string, dto: UpdateToolDto): Promise<Tool> {
    return this.modifyItem(
      id,
      async (current) => {
        if (dto.integrationType && dto.integrationType !== current.integrationType) {
          throw new ValidationError('integrationType', 'cannot be changed; create a new tool instead');
        }
        if (current.gatewayId && (dto.url !== undefined || dto.requestType !== undefined || dto.inputSchema !== undefined || dto.name !== undefined)) {
          throw new ValidationError('gatewayId', 'this tool is federated from a peer gateway: only its display fields, tags and state can be changed here');
        }
        const patch: Partial<Tool> = {};
        if (dto.name !== undefined) patch.name = patch.originalName = dto.name;
        if (dto.displayName !== undefined) patch.displayName = dto.displayName;
        if (dto.description !== undefined) patch.description = dto.description;
        if (dto.requestType !== undefined) patch.requestType = this.checkRequestType(dto.requestType);
        if (dto.url !== undefined) {
          await this.http.assertAllowed(dto.url, 'url');
          patch.url = dto.url;
        }
        if (dto.headers !== undefined) patch.headers = dto.headers;
        if (dto.inputSchema !== undefined || dto.outputSchema !== undefined) {
          patch.inputSchema = this.checkSchemas(dto.inputSchema ?? current.inputSchema, dto.outputSchema ?? current.outputSchema ?? undefined);
          if (dto.outputSchema !== undefined) patch.outputSchema = dto.outputSchema;
        }
        if (dto.annotations !== undefined) patch.annotations = { ...dto.annotations };
        if (dto.tags !== undefined) patch.tags = dto.tags;
        if (dto.enabled !== undefined) patch.enabled = dto.enabled;
        if (dto.auth !== undefined) {
          const auth = dto.auth === null ? null : mergeCredentials(this.credentials(current), dto.auth);
          const same = JSON.stringify(auth) === JSON.stringify(this.credentials(current));
          if (!same) {
            patch.authType = auth?.authType ?? null;
            patch.authValue = auth ? this.secrets.encryptJson(auth) : null;
          }
        }
        return { patch };
      },
      { expectedVersion: dto.version },
    );
  }

  /** Makes the tools stored for a peer match what it lists (see CatalogService.syncFromPeer). */
  syncFederated(
    peer: { id: string; name: string; url: string; transport: string },
    tools: FederatedToolSpec[],
    onConflict: 'fail' | 'skip',
  ): Promise<SyncCounts> {
    const desired = tools.map((t) => ({
      ...t,
      integrationType: 'MCP' as const,
      requestType: peer.transport,
      url: peer.url,
      headers: null,
      authType: null,
      authValue: null,
      gatewayId: peer.id,
      reachable: true,
    }));
    return this.syncFromPeer(
      peer.id,
      peer.name,
      desired,
      (t) => t.originalName,
      ['name', 'displayName', 'description', 'inputSchema', 'outputSchema', 'annotations', 'url', 'requestType'],
      onConflict,
    );
  }

  /** Health state of a peer's tools: unreachable tools are hidden from MCP listings and fail fast. */
  setReachable(gatewayId: string, reachable: boolean): Promise<void> {
    return (this.repo as ToolRepository).setReachable(gatewayId, reachable);
  }

  /** The tool's decrypted upstream credentials, for invoking it. */
  credentials(tool: Pick<Tool, 'authValue'>): Credentials | null {
    return tool.authValue ? this.secrets.decryptJson<Credentials>(tool.authValue) : null;
  }

  private checkRequestType(requestType: string): string {
    const method = requestType.toUpperCase();
    if (!(REST_METHODS as readonly string[]).includes(method)) {
      throw new ValidationError('requestType', `must be one of ${REST_METHODS.join(', ')} for REST tools`);
    }
    return method;
  }

  private checkSchemas(inputSchema: JsonSchema, outputSchema?: JsonSchema): JsonSchema {
    jsonSchemas.assertValidSchema('inputSchema', inputSchema, { requireObjectType: true });
    if (outputSchema) jsonSchemas.assertValidSchema('outputSchema', outputSchema, { requireObjectType: true });
    return inputSchema;
  }
}
