import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { jsonSchemas } from '../../../common/json-schema';
import { ExecutionRecorder } from '../../../observability/metrics/execution-recorder.service';
import type { Tool } from '../tool.model';
import type { InvocationContext, ToolResult } from './invocation-context';
import { errorResult, excerpt, isPlainObject, ToolExecutors } from './tool-executor';

/** The text of an `isError` result, for metrics and traces. */
function errorText(result: ToolResult): string | undefined {
  if (!result.isError) return undefined;
  const text = result.content?.find((c) => c.type === 'text');
  return text && 'text' in text ? text.text : 'isError result';
}

/**
 * Validates a call against the tool's input schema and hands it to the executor of the tool's integration type.
 * Every execution is measured (metrics, traces); calls refused for bad arguments never ran and are not.
 */
@Injectable()
export class ToolInvocationService {
  constructor(
    private readonly executors: ToolExecutors,
    private readonly recorder: ExecutionRecorder,
  ) {}

  /**
   * Invalid arguments raise a validation error (JSON-RPC -32602, `data.path` naming the failing value) before
   * anything is sent upstream.
   * Execution failures come back as `isError` results, never as exceptions.
   */
  async invoke(tool: Tool, args: Record<string, unknown> | undefined, ctx: InvocationContext): Promise<ToolResult> {
    const input = args ?? {};
    const problem = jsonSchemas.check(tool.inputSchema, input, `Tool '${tool.name}' inputSchema`);
    // data: { field: 'arguments', path: '/limit' } (the JSON pointer of the first bad value; '' for the whole object).
    if (problem) throw new DomainError(ErrorCode.Validation, `arguments: ${problem.message}`, { field: 'arguments', path: problem.path });
    const target = {
      kind: 'tool',
      id: tool.id,
      name: tool.name,
      server: tool.gatewayId ? (tool.federationSource ?? tool.gatewayId) : 'local',
      gatewayId: tool.gatewayId ?? undefined,
      serverId: ctx.serverId,
    } as const;
    return this.recorder.track(target, () => this.execute(tool, input, ctx), errorText);
  }

  private async execute(tool: Tool, input: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    if (!tool.reachable) {
      return errorResult(`Tool ${tool.name} is unavailable: its server${tool.federationSource ? ` '${tool.federationSource}'` : ''} is unreachable`);
    }
    const executor = this.executors.for(tool);
    if (!executor) throw new DomainError(ErrorCode.Unavailable, `No executor for ${tool.integrationType} tools`);
    let result: ToolResult;
    try {
      result = await executor.execute(tool, input, ctx);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      return errorResult(`Tool ${tool.name} failed: ${(err as Error).message}`);
    }
    return checkOutput(tool, result);
  }
}

/**
 * A successful result of a tool with an `outputSchema` must carry `structuredContent` that matches it (MCP spec;
 * SDK clients reject anything else): whatever the adapter, a result that does not is turned into an `isError` one.
 * A stored outputSchema that does not compile (only a database edit can store one) makes a local tool's results an
 * `isError` naming the tool; a peer's schema is the peer's business, so its results pass unchecked.
 */
export function checkOutput(tool: Pick<Tool, 'name' | 'outputSchema' | 'gatewayId'>, result: ToolResult): ToolResult {
  if (!tool.outputSchema || result.isError) return result;
  const value = result.structuredContent;
  if (value === undefined) return errorResult(`Tool ${tool.name} declares an outputSchema but its result has no structuredContent`);
  if (!isPlainObject(value)) return errorResult(`Tool ${tool.name} declares an outputSchema but its structuredContent is not a JSON object: ${excerpt(String(JSON.stringify(value)))}`);
  let problem: string | null;
  try {
    problem = jsonSchemas.validate(tool.outputSchema, value, `Tool '${tool.name}' outputSchema`);
  } catch (err) {
    return tool.gatewayId ? result : errorResult((err as Error).message);
  }
  if (problem) return errorResult(`Tool ${tool.name}: the result does not match its outputSchema: ${problem}`);
  return result;
}
