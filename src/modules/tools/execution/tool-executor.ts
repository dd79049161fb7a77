import { Injectable } from '@nestjs/common';
import type { Tool } from '../tool.model';
import type { InvocationContext, ToolResult } from './invocation-context';

/**
 * Runs tools of one integration type. The tools module brings REST; other modules contribute theirs
 * (federation: MCP) by registering with `ToolExecutors` when they start.
 */
export interface ToolExecutor {
  readonly integrationType: string;
  execute(tool: Tool, args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult>;
}

@Injectable()
export class ToolExecutors {
  private readonly executors = new Map<string, ToolExecutor>();

  register(executor: ToolExecutor): void {
    this.executors.set(executor.integrationType, executor);
  }

  for(tool: Tool): ToolExecutor | undefined {
    return this.executors.get(tool.integrationType);
  }
}

/** An `isError` tool result with one text block. */
export function errorResult(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The result of a tool that declares an `outputSchema` (the MCP spec then requires `structuredContent`): `value`
 * as structured content with `text` as its text form, or an `isError` result naming `what` when it is not a JSON
 * object. Validation against the schema happens once for every adapter, in ToolInvocationService.
 */
export function structuredResult(tool: Pick<Tool, 'name'>, value: unknown, text: string, what: string): ToolResult {
  if (!isPlainObject(value)) return errorResult(`Tool ${tool.name} declares an outputSchema but ${what} is not a JSON object: ${excerpt(text)}`);
  return { content: [{ type: 'text', text }], structuredContent: value };
}

const EXCERPT = 500;

/** The start of a long text, for error messages. */
export function excerpt(text: string, max = EXCERPT): string {
  const t = text.trim();
  return `${t.slice(0, max)}${t.length > max ? '…' : ''}`;
}
