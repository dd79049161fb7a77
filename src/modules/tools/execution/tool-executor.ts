import { Injectable } from '@nestjs/common';
import type { AppConfig } from '../../../config/app-config';
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

/** The time limit of one tool call. */
export interface CallDeadline {
  /** The tool's own timeout, else TOOL_TIMEOUT, in ms. */
  timeoutMs: number;
  /** When the call must have ended (epoch ms). */
  endsAt: number;
  /** Aborts when the timeout expires (tells a timeout from a cancellation). */
  deadline: AbortSignal;
  /** Aborts when the timeout expires or the caller cancels (`ctx.signal`): hand this one to the work. */
  signal: AbortSignal;
}

/** Starts the clock of a call of `tool`: its timeout (else TOOL_TIMEOUT) combined with the caller's cancellation. */
export function callDeadline(tool: Pick<Tool, 'timeoutMs'>, ctx: Pick<InvocationContext, 'signal'>, config: AppConfig): CallDeadline {
  const timeoutMs = tool.timeoutMs ?? config.tools.timeoutMs;
  const deadline = AbortSignal.timeout(timeoutMs);
  return { timeoutMs, endsAt: Date.now() + timeoutMs, deadline, signal: ctx.signal ? AbortSignal.any([ctx.signal, deadline]) : deadline };
}

/** An `isError` tool result with one text block. */
export function errorResult(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The result of a tool that declares an `outputSchema` (the MCP spec then requires `structuredContent`): `value` as
 * structured content with `text` as its text form. Whether it is a JSON object matching the schema is checked once
 * for every adapter, in ToolInvocationService (checkOutput).
 */
export function structuredResult(value: unknown, text: string): ToolResult {
  return { content: [{ type: 'text', text }], structuredContent: value as ToolResult['structuredContent'] };
}

const EXCERPT = 500;

/** The start of a long text, for error messages. */
export function excerpt(text: string, max = EXCERPT): string {
  const t = text.trim();
  return `${t.slice(0, max)}${t.length > max ? '…' : ''}`;
}
