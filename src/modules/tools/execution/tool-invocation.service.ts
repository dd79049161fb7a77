import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, ValidationError } from '../../../common/errors/domain-error';
import { jsonSchemas } from '../../../common/json-schema';
import { ExecutionRecorder } from '../../../observability/metrics/execution-recorder.service';
import type { Tool } from '../tool.model';
import type { InvocationContext, ToolResult } from './invocation-context';
import { errorResult, ToolExecutors } from './tool-executor';

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
   * Invalid arguments raise a `ValidationError` (JSON-RPC -32602) before anything is sent upstream.
   * Execution failures come back as `isError` results, never as exceptions.
   */
  async invoke(tool: Tool, args: Record<string, unknown> | undefined, ctx: InvocationContext): Promise<ToolResult> {
    const input = args ?? {};
    const problem = jsonSchemas.validate(tool.inputSchema, input, `Tool '${tool.name}' inputSchema`);
    if (problem) throw new ValidationError('arguments', problem);
    const target = { kind: 'tool', id: tool.id, name: tool.name, server: tool.gatewayId ? (tool.federationSource ?? tool.gatewayId) : 'local', serverId: ctx.serverId } as const;
    return this.recorder.track(target, () => this.execute(tool, input, ctx), errorText);
  }

  private async execute(tool: Tool, input: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    if (!tool.reachable) {
      return errorResult(`Tool ${tool.name} is unavailable: its server${tool.federationSource ? ` '${tool.federationSource}'` : ''} is unreachable`);
    }
    const executor = this.executors.for(tool);
    if (!executor) throw new DomainError(ErrorCode.Unavailable, `No executor for ${tool.integrationType} tools`);
    try {
      return await executor.execute(tool, input, ctx);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      return errorResult(`Tool ${tool.name} failed: ${(err as Error).message}`);
    }
  }
}
