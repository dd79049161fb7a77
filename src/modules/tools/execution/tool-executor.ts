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
