import { Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonRpcError } from '../../../common/errors/json-rpc-error';
import { AppConfig } from '../../../config/app-config';
import type { InvocationContext, ToolResult } from '../../tools/execution/invocation-context';
import { callDeadline, errorResult, type ToolExecutor, ToolExecutors } from '../../tools/execution/tool-executor';
import type { Tool } from '../../tools/tool.model';
import { FederationService } from '../federation.service';
import { classifyUpstreamError, type UpstreamFailure } from '../upstream/upstream-errors';
import { UpstreamPool } from '../upstream/upstream-pool.service';
import type { UpstreamSession } from '../upstream/upstream-session';

/** No SDK timer of its own: the call's deadline signal governs. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls federated tools on their peer, under the upstream name, over a pooled session. Unreachable peers are
 * retried with backoff (MAX_TOOL_RETRIES) and then failed over to an alternate; an answer from the peer, error or
 * not, is never retried. Progress and log notifications of the upstream call reach the caller's stream.
 *
 * The whole call, connecting and retries included, has one absolute deadline (the tool's timeout, else
 * TOOL_TIMEOUT) that progress notifications do not extend; a client's cancellation stops it at any stage.
 */
@Injectable()
export class McpToolExecutor implements ToolExecutor {
  readonly integrationType = 'MCP';

  constructor(
    executors: ToolExecutors,
    private readonly federation: FederationService,
    private readonly pool: UpstreamPool,
    private readonly config: AppConfig,
  ) {
    executors.register(this);
  }

  async execute(tool: Tool, args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    const { timeoutMs, deadline, signal } = callDeadline(tool, ctx, this.config);
    const targets = tool.gatewayId ? await this.federation.callTargets(tool.gatewayId) : [];
    if (targets.length === 0) return errorResult(`Tool ${tool.name} is unavailable: its peer '${tool.federationSource ?? '?'}' is disabled or gone`);
    const failures: string[] = [];
    for (const peer of targets) {
      let failure: UpstreamFailure | undefined;
      for (let attempt = 0; attempt <= this.config.federation.maxRetries; attempt++) {
        try {
          if (attempt > 0) await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)), undefined, { signal });
          if (signal.aborted) throw signal.reason;
          return await this.pool.use(
            this.federation.endpoint(peer),
            ctx.session,
            (session) => session.track(ctx.client, () => this.call(session, tool, args, ctx, signal)),
            signal,
          );
        } catch (err) {
          if (deadline.aborted) return errorResult(`Peer '${peer.name}' did not answer ${tool.name} within ${timeoutMs / 1000} s`);
          if (signal.aborted) return errorResult(`Call to ${tool.name} was cancelled`);
          failure = classifyUpstreamError(err);
          if (failure.kind === 'protocol') throw new JsonRpcError(failure.code ?? -32603, `Peer '${peer.name}': ${failure.message}`, failure.data);
          if (failure.kind === 'timeout') return errorResult(`Peer '${peer.name}' did not answer ${tool.name} within ${timeoutMs / 1000} s`);
          if (failure.kind === 'auth') break;
        }
      }
      failures.push(`'${peer.name}': ${failure?.message ?? 'unknown error'}`);
    }
    return errorResult(`Tool ${tool.name} failed: peer ${failures.join('; peer ')}`);
  }

  /** One upstream call. Progress is relayed as it comes and the result waits for those sends, so the caller sees them first. */
  private async call(session: UpstreamSession, tool: Tool, args: Record<string, unknown>, ctx: InvocationContext, signal: AbortSignal): Promise<ToolResult> {
    const { progressToken: _downstreamToken, ...meta } = ctx.meta ?? {};
    const relayed: Array<Promise<unknown>> = [];
    const route = session.progress.open((p) => {
      if (ctx.progressToken !== undefined && ctx.client) {
        relayed.push(ctx.client.sendNotification({ method: 'notifications/progress', params: { ...p, progressToken: ctx.progressToken } }).catch(() => undefined));
      }
    });
    try {
      const result = (await session.client.callTool({ name: tool.originalName, arguments: args, _meta: { ...meta, progressToken: route.token } }, undefined, {
        signal,
        timeout: MAX_TIMER_MS,
      })) as CallToolResult;
      await Promise.all(relayed);
      return result;
    } finally {
      route.close();
    }
  }
}
