import { Injectable } from '@nestjs/common';
import { isAbsolute } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CatalogService, CatalogSupport, newId, type SyncCounts } from '../../common/catalog/catalog.service';
import { Credentials, mergeCredentials } from '../../common/credentials';
import { SecretBox } from '../../common/crypto/secret-box';
import { OutboundHttp } from '../../common/http/outbound-http';
import { ConflictError, ValidationError } from '../../common/errors/domain-error';
import { jsonSchemas, type JsonSchema } from '../../common/json-schema';
import type { CreateToolDto } from './dto/create-tool.dto';
import type { UpdateToolDto } from './dto/update-tool.dto';
import { generatedCliSchema, undeclaredPlaceholder } from './execution/cli-argv';
import { checkJsonPath, filterPath, pathPlaceholders } from './execution/rest-request';
import { ToolRepository } from './repositories/tool.repository';
import { ARGUMENT_LOCATIONS, type ArgumentMapping, type IntegrationType, REST_METHODS, type Tool, type ToolAnnotations } from './tool.model';

/** The integration-specific fields of a tool. */
type AdapterFields = Pick<
  Tool,
  'requestType' | 'url' | 'argumentMapping' | 'timeoutMs' | 'maxRetries' | 'maxResponseBytes' | 'jsonpathFilter' | 'command' | 'args' | 'workingDirectory'
>;
const ADAPTER_KEYS = ['requestType', 'url', 'argumentMapping', 'timeoutMs', 'maxRetries', 'maxResponseBytes', 'jsonpathFilter', 'command', 'args', 'workingDirectory'] as const;
type AdapterInput = { [K in keyof AdapterFields]?: AdapterFields[K] | string | Record<string, string> | undefined };

/** Adapter fields of a tool that uses none (MCP, LOCAL). */
export const NO_ADAPTER_FIELDS = {
  argumentMapping: null,
  timeoutMs: null,
  maxRetries: null,
  maxResponseBytes: null,
  jsonpathFilter: null,
  command: null,
  args: null,
  workingDirectory: null,
} as const;

/** A tool implemented in code (see LocalToolProvider), as stored in the catalog. */
export interface LocalToolSpec {
  name: string;
  description: string | null;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | null;
  annotations: ToolAnnotations | null;
  /** Bound on a call, in ms (null: TOOL_TIMEOUT). */
  timeoutMs?: number | null;
}

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

  /** Creates a local tool. MCP tools come from federation only, as in the reference gateway; LOCAL tools from code. */
  async create(dto: CreateToolDto, options: { importBatchId?: string } = {}): Promise<Tool> {
    const integrationType = dto.integrationType ?? 'REST';
    if (integrationType === 'MCP') {
      throw new ValidationError('integrationType', 'MCP tools are discovered by registering their server with POST /gateways');
    }
    if (integrationType === 'LOCAL') {
      throw new ValidationError('integrationType', 'LOCAL tools are implemented in the gateway (LocalToolProvider) and registered at startup');
    }
    const adapter = await this.checkAdapter(integrationType, dto);
    const inputSchema = this.checkSchemas(
      integrationType === 'CLI' ? this.cliSchema(adapter.args ?? [], dto.inputSchema) : (dto.inputSchema ?? DEFAULT_INPUT_SCHEMA),
      dto.outputSchema,
    );
    const auth = dto.auth ? mergeCredentials(null, dto.auth) : null;
    if (auth && integrationType !== 'REST') throw new ValidationError('auth', `is only for REST tools`);
    return this.createItem(
      {
        name: dto.name,
        originalName: dto.name,
        displayName: dto.displayName ?? null,
        description: dto.description ?? null,
        integrationType,
        ...adapter,
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
      },
      { importBatchId: options.importBatchId ?? null },
    );
  }

  /**
   * Creates several tools all-or-nothing (one transaction). Names already taken, or given twice, are a 409 that
   * lists them, and nothing is created. Returns the created tools and the import batch id they carry.
   */
  async createMany(dtos: CreateToolDto[]): Promise<{ importBatchId: string; tools: Tool[] }> {
    await this.assertNamesFree(dtos.map((d) => d.name));
    const importBatchId = newId();
    const tools = await this.support.context.run({ via: 'import' }, () =>
      this.support.uow.transaction(async () => {
        const created: Tool[] = [];
        for (const dto of dtos) created.push(await this.create(dto, { importBatchId }));
        return created;
      }),
    );
    return { importBatchId, tools };
  }

  /** 409 naming every name of `names` that is taken or repeated. */
  async assertNamesFree(names: string[]): Promise<void> {
    const seen = new Set<string>();
    const conflicts = new Set<string>();
    for (const name of names) {
      if (seen.has(name) || (await this.repo.findByKey(name))) conflicts.add(name);
      seen.add(name);
    }
    if (conflicts.size) {
      const list = [...conflicts];
      throw new ConflictError(`Tool names already in use or repeated: ${list.join(', ')}`, { names: list });
    }
  }

  /**
   * Creates or refreshes the catalog entry of a tool implemented in code (at startup). Returns false, changing
   * nothing, when the name belongs to a tool of another kind.
   */
  async upsertLocal(spec: LocalToolSpec): Promise<boolean> {
    const current = await this.repo.findByKey(spec.name);
    if (current && current.integrationType !== 'LOCAL') return false;
    this.checkSchemas(spec.inputSchema, spec.outputSchema ?? undefined);
    if (spec.timeoutMs !== undefined && spec.timeoutMs !== null && !(Number.isInteger(spec.timeoutMs) && spec.timeoutMs > 0)) {
      throw new ValidationError('timeoutMs', 'must be a positive integer number of milliseconds');
    }
    const fields = {
      description: spec.description,
      inputSchema: spec.inputSchema,
      outputSchema: spec.outputSchema,
      annotations: spec.annotations,
      timeoutMs: spec.timeoutMs ?? null,
    };
    if (current) {
      await this.modifyItem(current.id, () => ({ patch: fields }));
      return true;
    }
    await this.createItem({
      name: spec.name,
      originalName: spec.name,
      displayName: null,
      integrationType: 'LOCAL',
      requestType: 'LOCAL',
      url: null,
      headers: null,
      authType: null,
      authValue: null,
      ...NO_ADAPTER_FIELDS,
      ...fields,
      gatewayId: null,
      reachable: true,
    });
    return true;
  }

  update(id: string, dto: UpdateToolDto): Promise<Tool> {
    return this.modifyItem(
      id,
      async (current) => {
        if (dto.integrationType && dto.integrationType !== current.integrationType) {
          throw new ValidationError('integrationType', 'cannot be changed; create a new tool instead');
        }
        const adapterChange = ADAPTER_KEYS.some((k) => dto[k] !== undefined);
        if (current.gatewayId && (adapterChange || dto.inputSchema !== undefined || dto.name !== undefined)) {
          throw new ValidationError('gatewayId', 'this tool is federated from a peer gateway: only its display fields, tags and state can be changed here');
        }
        if (current.integrationType === 'LOCAL' && (adapterChange || dto.inputSchema !== undefined || dto.name !== undefined || dto.auth !== undefined)) {
          throw new ValidationError('integrationType', 'this tool is implemented in the gateway: only its display fields, tags and state can be changed here');
        }
        const patch: Partial<Tool> = {};
        if (dto.name !== undefined) patch.name = patch.originalName = dto.name;
        if (dto.displayName !== undefined) patch.displayName = dto.displayName;
        if (dto.description !== undefined) patch.description = dto.description;
        if (adapterChange) {
          const merged: AdapterInput = {};
          for (const k of ADAPTER_KEYS) (merged as Record<string, unknown>)[k] = dto[k] !== undefined ? dto[k] : current[k];
          Object.assign(patch, await this.checkAdapter(current.integrationType, merged));
        }
        if (dto.headers !== undefined) patch.headers = dto.headers;
        // The stored schema posted back unchanged (the admin edit form, GET-then-PUT clients) is no new schema.
        const newSchema = dto.inputSchema !== undefined && isDeepStrictEqual(dto.inputSchema, current.inputSchema) ? undefined : dto.inputSchema;
        if (current.integrationType === 'CLI' && (dto.args !== undefined || newSchema !== undefined)) {
          // A schema the gateway generated follows the placeholders; one the user gave must declare them.
          const generated = isDeepStrictEqual(current.inputSchema, generatedCliSchema(current.args ?? []));
          patch.inputSchema = this.cliSchema(patch.args ?? current.args ?? [], newSchema ?? (generated ? undefined : current.inputSchema));
        }
        if (dto.inputSchema !== undefined || dto.outputSchema !== undefined || patch.inputSchema !== undefined) {
          patch.inputSchema = this.checkSchemas(patch.inputSchema ?? dto.inputSchema ?? current.inputSchema, dto.outputSchema ?? current.outputSchema ?? undefined);
          if (dto.outputSchema !== undefined) patch.outputSchema = dto.outputSchema;
        }
        if (dto.annotations !== undefined) patch.annotations = dto.annotations ? { ...dto.annotations } : null;
        if (dto.tags !== undefined) patch.tags = dto.tags;
        if (dto.enabled !== undefined) patch.enabled = dto.enabled;
        if (dto.auth !== undefined) {
          if (dto.auth && current.integrationType !== 'REST') throw new ValidationError('auth', 'is only for REST tools');
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
      ...NO_ADAPTER_FIELDS,
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

  /** The upstream names of every tool synced from a peer, enabled or not. */
  async originalNamesOf(gatewayId: string): Promise<string[]> {
    return (await this.repo.findByGateway(gatewayId)).map((t) => t.originalName);
  }

  /** Health state of a peer's tools: unreachable tools are hidden from MCP listings and fail fast. */
  setReachable(gatewayId: string, reachable: boolean): Promise<void> {
    return (this.repo as ToolRepository).setReachable(gatewayId, reachable);
  }

  /** The tool's decrypted upstream credentials, for invoking it. */
  credentials(tool: Pick<Tool, 'authValue'>): Credentials | null {
    return tool.authValue ? this.secrets.decryptJson<Credentials>(tool.authValue) : null;
  }

  /** Validates and normalises the integration-specific fields of a REST or CLI tool (422 naming the field). */
  private async checkAdapter(type: IntegrationType, dto: AdapterInput): Promise<AdapterFields> {
    const given = (k: (typeof ADAPTER_KEYS)[number]) => dto[k] !== undefined && dto[k] !== null;
    const only = (keys: Array<(typeof ADAPTER_KEYS)[number]>, kind: string) => {
      for (const k of keys) if (given(k)) throw new ValidationError(k, `is only for ${kind} tools`);
    };
    const common = { timeoutMs: (dto.timeoutMs as number | null | undefined) ?? null, maxResponseBytes: (dto.maxResponseBytes as number | null | undefined) ?? null };
    if (type === 'CLI') {
      only(['url', 'argumentMapping', 'jsonpathFilter', 'maxRetries'], 'REST');
      const allowed = this.support.config.tools.cliAllowedCommands;
      if (!allowed.length) throw new ValidationError('command', 'CLI tools are disabled: set CLI_TOOLS_ALLOWED_COMMANDS to the commands they may run');
      const command = dto.command as string | undefined | null;
      if (!command) throw new ValidationError('command', 'is required for CLI tools');
      if (!allowed.includes(command)) throw new ValidationError('command', `'${command}' is not in CLI_TOOLS_ALLOWED_COMMANDS`);
      const args = (dto.args as string[] | null | undefined) ?? [];
      for (const [i, arg] of args.entries()) {
        if (arg.includes('\0')) throw new ValidationError(`args[${i}]`, 'must not contain NUL characters');
      }
      const workingDirectory = (dto.workingDirectory as string | null | undefined) ?? null;
      if (workingDirectory !== null && !isAbsolute(workingDirectory)) throw new ValidationError('workingDirectory', 'must be an absolute path');
      return { ...common, requestType: 'EXEC', url: null, argumentMapping: null, maxRetries: null, jsonpathFilter: null, command, args, workingDirectory };
    }
    only(['command', 'args', 'workingDirectory'], 'CLI');
    const requestType = this.checkRequestType((dto.requestType as string | undefined) ?? 'POST');
    const url = dto.url as string | null | undefined;
    if (!url) throw new ValidationError('url', 'is required for REST tools');
    await this.http.assertAllowed(url, 'url');
    const argumentMapping = (dto.argumentMapping as ArgumentMapping | null | undefined) ?? null;
    if (argumentMapping) {
      const placeholders = new Set(pathPlaceholders(url));
      let roots = 0;
      for (const [name, where] of Object.entries(argumentMapping)) {
        if (!(ARGUMENT_LOCATIONS as readonly string[]).includes(where)) {
          throw new ValidationError(`argumentMapping.${name}`, `must be one of ${ARGUMENT_LOCATIONS.join(', ')}`);
        }
        if (where === 'path' && !placeholders.has(name)) throw new ValidationError(`argumentMapping.${name}`, `is mapped to path but url has no {${name}} placeholder`);
        if (where === 'bodyRoot' && ++roots > 1) throw new ValidationError(`argumentMapping.${name}`, 'only one argument can be the whole body (bodyRoot)');
      }
      if (roots && Object.values(argumentMapping).includes('body')) throw new ValidationError('argumentMapping', 'cannot map arguments to both body and bodyRoot');
    }
    const jsonpathFilter = (dto.jsonpathFilter as string | null | undefined) || null;
    if (jsonpathFilter) {
      let path: string;
      try {
        path = filterPath(jsonpathFilter);
      } catch (err) {
        throw new ValidationError('jsonpathFilter', (err as Error).message);
      }
      const problem = checkJsonPath(path);
      if (problem) throw new ValidationError('jsonpathFilter', `is not a valid JSONPath expression: ${problem}`);
    }
    return {
      ...common,
      requestType,
      url,
      argumentMapping,
      maxRetries: (dto.maxRetries as number | null | undefined) ?? null,
      jsonpathFilter,
      command: null,
      args: null,
      workingDirectory: null,
    };
  }

  /**
   * The input schema of a CLI tool: the given one, whose properties must include every placeholder of the argv
   * template (422 naming `args[i]`), else one generated from the placeholders.
   */
  private cliSchema(args: string[], given: JsonSchema | undefined): JsonSchema {
    if (given === undefined) return generatedCliSchema(args);
    const missing = undeclaredPlaceholder(args, given);
    if (missing) {
      throw new ValidationError(
        `args[${missing.index}]`,
        `placeholder {${missing.name}} is not a property of inputSchema: declare it in inputSchema.properties (or leave inputSchema out to have one generated)`,
      );
    }
    return given;
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
