import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RequestContext } from '../../../common/context/request-context';
import { AppConfig } from '../../../config/app-config';
import type { Tool } from '../tool.model';
import { ToolsService } from '../tools.service';
import type { InvocationContext, ToolResult } from '../execution/invocation-context';
import { errorResult, type ToolExecutor, ToolExecutors } from '../execution/tool-executor';
import { LocalTools } from './local-tool';

/** Runs LOCAL tools in-process, and keeps their catalog entries in step with the code at startup. */
@Injectable()
export class LocalToolExecutor implements ToolExecutor, OnApplicationBootstrap {
  readonly integrationType = 'LOCAL';
  private readonly logger = new Logger('LocalTools');

  constructor(
    executors: ToolExecutors,
    private readonly local: LocalTools,
    private readonly tools: ToolsService,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {
    executors.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const provider of this.local.all()) {
      const d = provider.definition;
      try {
        const spec = {
          name: d.name,
          description: d.description ?? null,
          inputSchema: d.inputSchema,
          outputSchema: d.outputSchema ?? null,
          annotations: d.annotations ?? null,
          timeoutMs: d.timeoutMs ?? null,
        };
        const ok = await this.context.run({ via: 'system' }, () => this.tools.upsertLocal(spec));
        if (!ok) this.logger.error(`Local tool '${d.name}' is not registered: a tool of another kind has that name`);
      } catch (err) {
        // Another replica may have created it at the same moment; the next start refreshes it.
        this.logger.warn(`Local tool '${d.name}': ${(err as Error).message}`);
      }
    }
  }

  /**
   * Runs the provider, bounded by the tool's timeout (`timeoutMs` of its definition, else TOOL_TIMEOUT): when it
   * expires, or the caller cancels, the call ends with an `isError` result at once and the signal the provider got
   * in its context is aborted, so it can stop its work.
   */
  async execute(tool: Tool, args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    const provider = this.local.get(tool.originalName);
    if (!provider) return errorResult(`Tool ${tool.name} is not implemented by this gateway instance`);
    const timeoutMs = tool.timeoutMs ?? this.config.tools.timeoutMs;
    const stop = new AbortController();
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const ended = new Promise<ToolResult>((resolve) => {
      timer = setTimeout(() => {
        stop.abort(new Error(`no result within ${timeoutMs} ms`));
        resolve(errorResult(`Tool ${tool.name}: no result within ${timeoutMs} ms`));
      }, timeoutMs);
      onAbort = () => resolve(errorResult(`Tool ${tool.name}: the call was cancelled`));
      if (ctx.signal?.aborted) onAbort();
      else ctx.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([Promise.resolve().then(() => provider.execute(args, { ...ctx, signal })), ended]);
    } finally {
      clearTimeout(timer);
      if (onAbort) ctx.signal?.removeEventListener('abort', onAbort);
    }
  }
}
