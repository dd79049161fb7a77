import { Injectable } from '@nestjs/common';
import { credentialHeaders } from '../../../common/credentials';
import { OutboundError, OutboundHttp } from '../../../common/http/outbound-http';
import { AppConfig } from '../../../config/app-config';
import type { Tool } from '../tool.model';
import { ToolsService } from '../tools.service';
import type { InvocationContext, ToolResult } from './invocation-context';
import { errorResult, type ToolExecutor, ToolExecutors } from './tool-executor';

const EXCERPT = 500;
const QUERY_METHODS = new Set(['GET', 'DELETE']);

/**
 * Fills `{name}` placeholders of a URL template from the arguments (URL-encoded) and returns the arguments
 * that were not used in the path.
 */
export function expandPath(template: string, args: Record<string, unknown>): { url: string; rest: Record<string, unknown> } {
  const rest = { ...args };
  const url = template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = rest[name];
    delete rest[name];
    return value === undefined || value === null ? '' : encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
  return { url, rest };
}

function appendQuery(url: string, params: Record<string, unknown>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  return u.toString();
}

/** Calls REST tools over HTTP and turns the response into MCP content. */
@Injectable()
export class RestToolExecutor implements ToolExecutor {
  readonly integrationType = 'REST';

  constructor(
    executors: ToolExecutors,
    private readonly http: OutboundHttp,
    private readonly tools: ToolsService,
    private readonly config: AppConfig,
  ) {
    executors.register(this);
  }

  async execute(tool: Tool, args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    if (!tool.url) return errorResult(`Tool ${tool.name} has no URL`);
    const method = tool.requestType.toUpperCase();
    const { url: path, rest } = expandPath(tool.url, args);
    const sendAsQuery = QUERY_METHODS.has(method);
    const url = sendAsQuery ? appendQuery(path, rest) : path;
    const headers: Record<string, string> = {
      accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
      ...(tool.headers ?? {}),
      ...credentialHeaders(this.tools.credentials(tool)),
      ...(ctx.requestId ? { 'x-request-id': ctx.requestId } : {}),
    };
    let body: string | undefined;
    if (!sendAsQuery) {
      body = JSON.stringify(rest);
      headers['content-type'] = 'application/json';
    }
    try {
      const res = await this.http.request(url, {
        method,
        headers,
        body,
        timeoutMs: this.config.tools.timeoutMs,
        maxBytes: this.config.tools.maxResponseBytes,
        signal: ctx.signal,
      });
      const text = res.body.toString('utf8');
      if (res.status < 200 || res.status >= 300) {
        return errorResult(`HTTP ${res.status} from ${tool.name}: ${text.slice(0, EXCERPT)}${text.length > EXCERPT ? '…' : ''}`);
      }
      if (res.status === 204 || text === '') return { content: [{ type: 'text', text: 'Request completed successfully (No Content)' }] };
      return { content: [{ type: 'text', text }] };
    } catch (err) {
      if (err instanceof OutboundError) return errorResult(`Calling ${tool.name} failed: ${err.message}`);
      throw err;
    }
  }
}
