import { Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { PACKAGE } from '../../common/package-info';
import { AppConfig } from '../../config/app-config';
import { FederationForwarder } from '../federation/forwarding/federation-forwarder.service';
import type { ClientChannel, InvocationContext, SessionChannel } from '../tools/execution/invocation-context';
import { ToolInvocationService } from '../tools/execution/tool-invocation.service';
import { McpCatalog } from './mcp-catalog.service';
import { JsonRpcError, toMcpError } from './mcp-errors';
import type { SessionState } from './mcp-scope';

export const SERVER_CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
};

type Extra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1];

interface ParseableSchema<T> {
  shape: { method: { value: string } };
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/**
 * Registers a handler whose bad params are answered with -32602 naming the field (the SDK would answer -32603),
 * and whose domain errors reach the client as JSON-RPC errors with a proper code.
 */
function on<T>(server: Server, schema: ParseableSchema<T>, handler: (request: T, extra: Extra) => Promise<object>): void {
  const method = schema.shape.method.value;
  server.setRequestHandler(z.object({ method: z.literal(method) }).passthrough(), async (request, extra) => {
    const parsed = schema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
    }
    try {
      return (await handler(parsed.data, extra)) as never;
    } catch (err) {
      throw toMcpError(err);
    }
  });
}

/**
 * Builds the SDK `Server` behind every MCP transport: one per session (stateless `/rpc` gets a throw-away one).
 * Handlers read the session's scope, so `/mcp` and `/servers/{id}/mcp` share all the code.
 */
@Injectable()
export class McpServerFactory {
  constructor(
    private readonly catalog: McpCatalog,
    private readonly invoker: ToolInvocationService,
    private readonly forwarder: FederationForwarder,
    private readonly config: AppConfig,
  ) {}

  create(state: SessionState): Server {
    const server = new Server({ name: this.config.server.appName, version: PACKAGE.version }, { capabilities: SERVER_CAPABILITIES });
    const scope = () => state.scope;
    const channel = this.sessionChannel(server, state);
    const session = () => (state.id ? channel : undefined);

    on(server, ListToolsRequestSchema, async (req) => this.catalog.listTools(scope(), req.params?.cursor));
    on(server, CallToolRequestSchema, async (req, extra) => {
      const tool = await this.catalog.findTool(scope(), req.params.name);
      return this.invoker.invoke(tool, req.params.arguments, this.invocationContext(server, state, extra, session()));
    });
    on(server, ListResourcesRequestSchema, async (req) => this.catalog.listResources(scope(), req.params?.cursor));
    on(server, ListResourceTemplatesRequestSchema, async (req) => this.catalog.listResourceTemplates(scope(), req.params?.cursor));
    on(server, ReadResourceRequestSchema, async (req) => this.catalog.readResource(scope(), req.params.uri, session()));
    on(server, SubscribeRequestSchema, async (req) => {
      await this.catalog.subscribe(scope(), req.params.uri, session());
      state.subscriptions.add(req.params.uri);
      return {};
    });
    on(server, UnsubscribeRequestSchema, async (req) => {
      state.subscriptions.delete(req.params.uri);
      await this.catalog.unsubscribe(scope(), req.params.uri, session());
      return {};
    });
    on(server, ListPromptsRequestSchema, async (req) => this.catalog.listPrompts(scope(), req.params?.cursor));
    on(server, GetPromptRequestSchema, async (req) => this.catalog.getPrompt(scope(), req.params.name, req.params.arguments, session()));
    on(server, CompleteRequestSchema, async (req) => this.catalog.complete(scope(), req.params, session()));
    on(server, SetLevelRequestSchema, async (req) => {
      state.logLevel = req.params.level;
      if (state.id) await this.forwarder.setLogLevel(state.id, req.params.level);
      return {};
    });
    return server;
  }

  /** The session as a channel for traffic outside any one request (standalone stream). */
  private sessionChannel(server: Server, state: SessionState): SessionChannel {
    return {
      get id() {
        return state.id ?? '';
      },
      clientCapabilities: () => server.getClientCapabilities() as Record<string, unknown> | undefined,
      logLevel: () => state.logLevel,
      sendNotification: (n: ServerNotification) => server.notification(n),
      sendRequest: (r: ServerRequest, options) => server.request(r, z.any(), { signal: options?.signal, timeout: options?.timeoutMs }),
    };
  }

  /** What a tool call needs to talk back to this client: progress/log notifications and server-to-client requests. */
  private invocationContext(server: Server, state: SessionState, extra: Extra, session?: SessionChannel): InvocationContext {
    const client: ClientChannel = {
      sessionId: state.id,
      clientCapabilities: server.getClientCapabilities() as Record<string, unknown> | undefined,
      sendNotification: (n: ServerNotification) => extra.sendNotification(n),
      sendRequest: (r: ServerRequest, options) => extra.sendRequest(r, z.any(), { signal: options?.signal, timeout: options?.timeoutMs }),
    };
    return {
      signal: extra.signal,
      progressToken: extra._meta?.progressToken,
      meta: extra._meta as Record<string, unknown> | undefined,
      serverId: state.scope.serverId,
      actor: state.actor,
      client,
      session,
    };
  }
}
