import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '../../../common/errors/domain-error';
import { OutboundError, OutboundHttp, type OutboundResponse } from '../../../common/http/outbound-http';
import { AppConfig } from '../../../config/app-config';
import { IDEMPOTENT_METHODS, type Tool } from '../tool.model';
import { ToolsService } from '../tools.service';
import type { InvocationContext, ToolResult } from './invocation-context';
import { applyJsonPath, buildRestRequest, filterPath, parseRetryAfter, planRetry, retryableStatus } from './rest-request';
import { callDeadline, errorResult, excerpt, structuredResult, type ToolExecutor, ToolExecutors } from './tool-executor';

/**
 * Calls REST tools over HTTP (pooled keep-alive undici client with SSRF checks, see OutboundHttp) and turns the
 * response into MCP content. Idempotent calls are retried after 429, 5xx and network errors with exponential
 * backoff and jitter, honouring `Retry-After` (a longer wait than REST_TOOL_RETRY_MAX_DELAY or the time left ends
 * the call instead); the tool's timeout bounds the whole call, retries included.
 */
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
    let req;
    try {
      req = buildRestRequest({ ...tool, url: tool.url }, args, this.tools.credentials(tool));
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      return errorResult(`Tool ${tool.name}: cannot build the request: ${(err as Error).message}`);
    }
    const limits = this.config.tools;
    const maxRetries = IDEMPOTENT_METHODS.has(method) ? (tool.maxRetries ?? limits.maxRetries) : 0;
    const { timeoutMs, endsAt, deadline, signal } = callDeadline(tool, ctx, this.config);
    const timedOut = () => errorResult(`Calling ${tool.name} failed: no response within ${timeoutMs} ms`);

    for (let attempt = 0; ; attempt++) {
      let res: OutboundResponse | undefined;
      let failure: OutboundError | undefined;
      try {
        res = await this.http.request(req.url, {
          method,
          headers: req.headers,
          body: req.body,
          timeoutMs: Math.max(1, endsAt - Date.now()),
          maxBytes: tool.maxResponseBytes ?? limits.maxResponseBytes,
          signal,
        });
      } catch (err) {
        if (!(err instanceof OutboundError)) throw err;
        if (err.kind === 'timeout' || deadline.aborted) return timedOut();
        failure = err;
      }
      const retryable = failure ? failure.kind === 'network' : retryableStatus(res!.status);
      const plan =
        retryable && attempt < maxRetries
          ? planRetry(attempt, {
              baseMs: limits.retryBaseMs,
              maxMs: limits.retryMaxDelayMs,
              timeLeftMs: endsAt - Date.now(),
              retryAfterMs: res ? parseRetryAfter(res.headers['retry-after']) : undefined,
            })
          : {};
      // No retry left, or none that fits before the deadline: report this attempt's outcome.
      if (!('waitMs' in plan)) {
        if (failure) return errorResult(`Calling ${tool.name} failed${attempt ? ` after ${attempt + 1} attempts` : ''}: ${failure.message}`);
        return this.toResult(tool, res!, 'note' in plan ? plan.note : undefined);
      }
      try {
        await sleep(plan.waitMs, undefined, { signal });
      } catch {
        return deadline.aborted ? timedOut() : errorResult(`Calling ${tool.name} failed: the request was cancelled`);
      }
    }
  }

  /**
   * MCP content of a response. A tool with an `outputSchema` needs a JSON object (after the filter), returned as
   * `structuredContent` too; an empty or non-JSON body is then an `isError` result.
   */
  private toResult(tool: Tool, res: OutboundResponse, note?: string): ToolResult {
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) return errorResult(`HTTP ${res.status} from ${tool.name}${note ? ` (${note})` : ''}: ${excerpt(text)}`);
    if (res.status === 204 || text === '') {
      if (tool.outputSchema) return errorResult(`Tool ${tool.name} declares an outputSchema but the response (HTTP ${res.status}) has no body`);
      return { content: [{ type: 'text', text: 'Request completed successfully (No Content)' }] };
    }
    const contentType = String(res.headers['content-type'] ?? '');
    let json: unknown;
    let isJson = false;
    if (/[/+]json\b/i.test(contentType) || /^\s*[[{]/.test(text)) {
      try {
        json = JSON.parse(text);
        isJson = true;
      } catch {
        // not JSON after all: returned as text
      }
    }
    if (!isJson) {
      const got = contentType || 'an untyped body';
      if (tool.jsonpathFilter) return errorResult(`Tool ${tool.name}: jsonpathFilter needs a JSON response, got ${got}`);
      if (tool.outputSchema) return errorResult(`Tool ${tool.name} declares an outputSchema but the response is not JSON (${got}): ${excerpt(text)}`);
      return { content: [{ type: 'text', text }] };
    }
    let value = json;
    if (tool.jsonpathFilter) {
      try {
        value = applyJsonPath(filterPath(tool.jsonpathFilter), json);
      } catch (err) {
        return errorResult(`Tool ${tool.name}: jsonpathFilter failed: ${(err as Error).message}`);
      }
    }
    const out = tool.jsonpathFilter ? JSON.stringify(value) : text;
    if (tool.outputSchema) return structuredResult(value, out);
    return { content: [{ type: 'text', text: out }] };
  }
}
