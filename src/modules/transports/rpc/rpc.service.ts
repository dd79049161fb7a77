import { Injectable } from '@nestjs/common';
import { ErrorCode as JsonRpcCode, type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { Semaphore } from 'async-mutex';
import type { IncomingHttpHeaders } from 'node:http';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { McpCatalog } from '../mcp-catalog.service';
import { errorResponse, idOf } from '../json-rpc';
import { toMcpError } from '../mcp-errors';
import { McpServerFactory } from '../mcp-server.factory';
import { DirectTransport } from './direct.transport';

type Id = string | number | null;
export type JsonRpcResponse = { jsonrpc: '2.0'; id?: Id; result?: unknown; error?: { code: number; message: string; data?: unknown } };

/** MCP request methods the dispatcher knows; any other method is taken as a tool name (the reference fallback). */
const MCP_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]);

/** Pre-MCP method names the reference gateway still answers. */
const LEGACY_METHODS: Record<string, string> = { list_tools: 'tools/list', list_resources: 'resources/list', list_prompts: 'prompts/list' };

/** Elements of one batch handled at a time. */
export const RPC_BATCH_CONCURRENCY = 8;

/**
 * `POST /rpc`: stateless JSON-RPC 2.0 over plain HTTP, single or batch. Every call goes through a throw-away SDK
 * server with the same handlers as the MCP transports; a `method` that is not an MCP method is called as a tool.
 */
@Injectable()
export class RpcService {
  constructor(
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly config: AppConfig,
  ) {}

  /** The answer to a batch that is empty or larger than RPC_MAX_BATCH_SIZE (nothing of it runs), else null. */
  oversizedBatch(body: unknown): JsonRpcResponse | null {
    if (!Array.isArray(body)) return null;
    if (body.length === 0) return errorResponse(null, JsonRpcCode.InvalidRequest, 'Invalid Request: empty batch');
    const max = this.config.mcp.rpcMaxBatchSize;
    if (body.length > max) return errorResponse(null, JsonRpcCode.InvalidRequest, `Invalid Request: a batch may hold at most ${max} messages (RPC_MAX_BATCH_SIZE); this one has ${body.length}`);
    return null;
  }

  /**
   * Answers a parsed body: a response, an array of responses (batch), or null when only notifications came. The
   * elements of a batch run RPC_BATCH_CONCURRENCY at a time; responses keep the batch's order. The caller has refused
   * empty and oversized batches already (`oversizedBatch`, before charging the batch's tool calls).
   */
  async handle(body: unknown, headers: IncomingHttpHeaders, actor?: string): Promise<JsonRpcResponse | JsonRpcResponse[] | null> {
    if (!Array.isArray(body)) return this.one(body, headers, actor);
    const slots = new Semaphore(RPC_BATCH_CONCURRENCY);
    const responses = await Promise.all(body.map((m) => slots.runExclusive(() => this.one(m, headers, actor))));
    const answered = responses.filter((r): r is JsonRpcResponse => r !== null);
    return answered.length ? answered : null;
  }

  private async one(message: unknown, headers: IncomingHttpHeaders, actor?: string): Promise<JsonRpcResponse | null> {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return errorResponse(null, JsonRpcCode.InvalidRequest, 'Invalid Request: not an object');
    const m = message as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id: Id = idOf(m);
    if (m.jsonrpc !== '2.0') return errorResponse(id, JsonRpcCode.InvalidRequest, 'Invalid Request: jsonrpc must be "2.0"');
    if (typeof m.method !== 'string' || m.method === '') return errorResponse(id, JsonRpcCode.InvalidRequest, 'Invalid Request: method must be a non-empty string');
    if (m.id !== undefined && id === null) return errorResponse(null, JsonRpcCode.InvalidRequest, 'Invalid Request: id must be a string or a number');
    if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params))) {
      return errorResponse(id, JsonRpcCode.InvalidParams, 'Invalid params: params must be an object (MCP uses named parameters)');
    }

    let method = LEGACY_METHODS[m.method] ?? m.method;
    let params = m.params as Record<string, unknown> | undefined;
    const isNotification = m.id === undefined;
    if (!MCP_METHODS.has(method) && !method.startsWith('notifications/')) {
      // Reference fallback: {"method": "<tool name>", "params": {<arguments>}}
      try {
        await this.catalog.findTool({}, method);
      } catch (err) {
        if (isNotification) return null;
        if (err instanceof DomainError && err.code === ErrorCode.NotFound) return errorResponse(id, JsonRpcCode.MethodNotFound, `Method not found: ${m.method}`);
        const failure = toMcpError(err); // e.g. the database is down: not a missing method
        return errorResponse(id, failure.code, failure.message, failure.data);
      }
      params = { name: method, arguments: params ?? {} };
      method = 'tools/call';
    }

    const request = { jsonrpc: '2.0' as const, method, ...(params ? { params } : {}), ...(isNotification ? {} : { id }) };
    if (!JSONRPCMessageSchema.safeParse(request).success) return isNotification ? null : errorResponse(id, JsonRpcCode.InvalidRequest, 'Invalid Request');
    const server = this.factory.create({ kind: 'rpc', scope: {}, subscriptions: new Set(), actor });
    const transport = new DirectTransport(this.config.tools.timeoutMs + 30_000);
    await server.connect(transport);
    try {
      if (isNotification) {
        transport.notify(request, { requestInfo: { headers } });
        return null;
      }
      return (await transport.request(request as JSONRPCMessage & { id: string | number }, { requestInfo: { headers } })) as JsonRpcResponse;
    } finally {
      await server.close();
    }
  }
}
