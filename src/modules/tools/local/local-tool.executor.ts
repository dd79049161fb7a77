import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { untilAborted } from '../../../common/async';
import { RequestContext } from '../../../common/context/request-context';
import { AppConfig } from '../../../config/app-config';
import type { Tool } from '../tool.model';
import { ToolsService } from '../tools.service';
import type { InvocationContext, ToolResult } from '../execution/invocation-context';
import { callDeadline, errorResult, type ToolExecutor, ToolExecutors } from '../execution/tool-executor';
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
    const { timeoutMs, deadline, signal } = callDeadline(tool, ctx, this.config);
    try {
      return await untilAborted(Promise.resolve().then(() => provider.execute(args, { ...ctx, signal })), signal);
    } catch (err) {
      if (deadline.aborted) return errorResult(`Tool ${tool.name}: no result within ${timeoutMs} ms`);
      if (signal.aborted) return errorResult(`Tool ${tool.name}: the call was cancelled`);
      throw err;
    }
  }
}
