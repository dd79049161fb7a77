import { Injectable } from '@nestjs/common';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { IdleTimeout } from '../../../common/mcp/progress-relay';
import { JsonRpcError } from '../../../common/errors/json-rpc-error';
import { AppConfig } from '../../../config/app-config';
import type { InvocationContext, ToolResult } from '../../tools/execution/invocation-context';
import { errorResult, type ToolExecutor, ToolExecutors } from '../../tools/execution/tool-executor';
import type { Tool } from '../../tools/tool.model';
import { FederationService } from '../federation.service';
import { classifyUpstreamError, type UpstreamFailure } from '../upstream/upstream-errors';
import { UpstreamPool } from '../upstream/upstream-pool.service';
import type { UpstreamSession } from '../upstream/upstream-session';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Effectively no SDK timeout: IdleTimeout governs. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls federated tools on their peer, under the upstream name, over a pooled session. Unreachable peers are
 * retried with backoff (MAX_TOOL_RETRIES) and then failed over to an alternate; an answer from the peer, error or
 * not, is never retried. Progress and log notifications of the upstream call reach the caller's stream.
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
    const targets = tool.gatewayId ? await this.federation.callTargets(tool.gatewayId) : [];
    if (targets.length === 0) return errorResult(`Tool ${tool.name} is unavailable: its peer '${tool.federationSource ?? '?'}' is disabled or gone`);
    const failures: string[] = [];
    for (const peer of targets) {
      let failure: UpstreamFailure | undefined;
      for (let attempt = 0; attempt <= this.config.federation.maxRetries; attempt++) {
        if (attempt > 0) await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
        if (ctx.signal?.aborted) return errorResult(`Call to ${tool.name} was cancelled`);
        try {
          return await this.pool.use(this.federation.endpoint(peer), ctx.session, (session) => session.track(ctx.client, () => this.call(session, tool, args, ctx)));
        } catch (err) {
          failure = classifyUpstreamError(err);
          if (failure.kind === 'protocol') throw new JsonRpcError(failure.code ?? -32603, `Peer '${peer.name}': ${failure.message}`, failure.data);
          if (failure.kind === 'timeout') return errorResult(`Peer '${peer.name}' did not answer ${tool.name} within ${this.config.tools.timeoutMs / 1000} s`);
          if (failure.kind === 'auth') break;
        }
      }
      failures.push(`'${peer.name}': ${failure?.message ?? 'unknown error'}`);
    }
    return errorResult(`Tool ${tool.name} failed: peer ${failures.join('; peer ')}`);
  }

  /**
   * One upstream call. Progress is relayed as it comes and the result waits for those sends, so the caller sees
   * them first; the timeout restarts on each progress notification (long tools that report progress may run on).
   */
  private async call(session: UpstreamSession, tool: Tool, args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    const { progressToken: _downstreamToken, ...meta } = ctx.meta ?? {};
    const relayed: Array<Promise<unknown>> = [];
    const idle = new IdleTimeout(this.config.tools.timeoutMs);
    const route = session.progress.open((p) => {
      idle.touch();
      if (ctx.progressToken !== undefined && ctx.client) {
        relayed.push(ctx.client.sendNotification({ method: 'notifications/progress', params: { ...p, progressToken: ctx.progressToken } }).catch(() => undefined));
      }
    });
    try {
      const result = (await session.client.callTool({ name: tool.originalName, arguments: args, _meta: { ...meta, progressToken: route.token } }, undefined, {
        signal: ctx.signal ? AbortSignal.any([ctx.signal, idle.signal]) : idle.signal,
        timeout: MAX_TIMER_MS,
      })) as CallToolResult;
      await Promise.all(relayed);
      return result;
    } catch (err) {
      if (idle.fired) throw new McpError(ErrorCode.RequestTimeout, 'Request timed out');
      throw err;
    } finally {
      idle.clear();
      route.close();
    }
  }
}
