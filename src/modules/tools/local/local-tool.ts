import { Injectable } from '@nestjs/common';
import type { JsonSchema } from '../../../common/json-schema';
import type { InvocationContext, ToolResult } from '../execution/invocation-context';
import type { ToolAnnotations } from '../tool.model';

/** What the catalog shows of a local tool. */
export interface LocalToolDefinition {
  /** Tool name (TOOL_NAME_PATTERN); must not be taken by a REST, CLI or federated tool. */
  name: string;
  description?: string;
  /** JSON Schema of the arguments (type: object); calls are validated against it before `execute` runs. */
  inputSchema: JsonSchema;
  /** When given, `execute` must return a matching `structuredContent`. */
  outputSchema?: JsonSchema;
  annotations?: ToolAnnotations;
  /**
   * Longest a call may run, in ms (default TOOL_TIMEOUT). When it expires the caller gets an `isError` result and
   * `ctx.signal` is aborted: long-running tools should pass it on (fetch, timers) or check it.
   */
  timeoutMs?: number;
}

/**
 * A tool implemented in TypeScript inside the gateway (integration type LOCAL). Implement it in a Nest provider
 * and register it with `LocalTools` in the constructor; at startup the gateway creates or refreshes its catalog
 * entry (enable/disable, tags and display name stay manageable through the API). Calls are validated against
 * `inputSchema` first, bounded by `timeoutMs`, and, with an `outputSchema`, must return a matching
 * `structuredContent` (otherwise the caller gets an `isError` result).
 *
 * ```ts
 * @Injectable()
 * export class WordCountTool implements LocalToolProvider {
 *   readonly definition = { name: 'word-count', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } };
 *   constructor(tools: LocalTools) { tools.register(this); }
 *   execute(args: { text: string }) { return { content: [{ type: 'text', text: String(args.text.split(/\s+/).length) }] }; }
 * }
 * ```
 */
export interface LocalToolProvider {
  readonly definition: LocalToolDefinition;
  execute(args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> | ToolResult;
}

/** The registry of local tools, filled by their providers when the application starts. */
@Injectable()
export class LocalTools {
  private readonly providers = new Map<string, LocalToolProvider>();

  register(provider: LocalToolProvider): void {
    const name = provider.definition.name;
    if (this.providers.has(name) && this.providers.get(name) !== provider) throw new Error(`Two local tools are named '${name}'`);
    this.providers.set(name, provider);
  }

  get(name: string): LocalToolProvider | undefined {
    return this.providers.get(name);
  }

  all(): LocalToolProvider[] {
    return [...this.providers.values()];
  }
}
