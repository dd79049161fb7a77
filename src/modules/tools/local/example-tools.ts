import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import type { ToolResult } from '../execution/invocation-context';
import { type LocalToolProvider, LocalTools } from './local-tool';

/** Built-in example: the gateway's clock (registered only with LOCAL_EXAMPLE_TOOLS_ENABLED=true). */
@Injectable()
export class GatewayTimeTool implements LocalToolProvider {
  readonly definition = {
    name: 'gateway-time',
    description: "The gateway's current time, as ISO 8601 in UTC and as a Unix timestamp in milliseconds.",
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: { type: 'object', properties: { iso: { type: 'string' }, epochMs: { type: 'integer' } }, required: ['iso', 'epochMs'] },
    annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
  };

  constructor(tools: LocalTools, config: AppConfig) {
    if (config.tools.localExamples) tools.register(this);
  }

  execute(): ToolResult {
    const now = new Date();
    const value = { iso: now.toISOString(), epochMs: now.getTime() };
    return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
  }
}

/** Built-in example: returns its `text` argument (registered only with LOCAL_EXAMPLE_TOOLS_ENABLED=true). */
@Injectable()
export class GatewayEchoTool implements LocalToolProvider {
  readonly definition = {
    name: 'gateway-echo',
    description: 'Returns the text it is given.',
    inputSchema: { type: 'object', properties: { text: { type: 'string', maxLength: 10000 } }, required: ['text'], additionalProperties: false },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  };

  constructor(tools: LocalTools, config: AppConfig) {
    if (config.tools.localExamples) tools.register(this);
  }

  execute(args: Record<string, unknown>): ToolResult {
    return { content: [{ type: 'text', text: String(args.text) }] };
  }
}
