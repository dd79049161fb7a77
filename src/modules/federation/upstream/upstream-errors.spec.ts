import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { classifyUpstreamError } from './upstream-errors';

/** SseError keeps the EventSource error event; classification never reads it. */
const NO_EVENT = undefined as unknown as ConstructorParameters<typeof SseError>[2];

describe('classifyUpstreamError', () => {
  it('passes JSON-RPC errors on as protocol failures with their code, data and message (SDK prefixes removed)', () => {
    const relayed = new McpError(-32042, new McpError(-32042, 'boom').message, { detail: 1 });
    expect(classifyUpstreamError(relayed)).toEqual({ kind: 'protocol', code: -32042, message: 'boom', data: { detail: 1 } });
  });

  it('tells timeouts and closed connections apart from protocol errors', () => {
    expect(classifyUpstreamError(new McpError(ErrorCode.RequestTimeout, 'Request timed out'))).toEqual({ kind: 'timeout', message: 'Request timed out' });
    expect(classifyUpstreamError(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'))).toEqual({ kind: 'unreachable', message: 'the connection closed' });
    expect(classifyUpstreamError(new Error('Not connected')).kind).toBe('unreachable');
  });

  it('reads 401/403 as refused credentials on either transport', () => {
    expect(classifyUpstreamError(new StreamableHTTPError(401, 'Unauthorized')).kind).toBe('auth');
    expect(classifyUpstreamError(new StreamableHTTPError(403, 'Forbidden'), 'connecting').kind).toBe('auth');
    expect(classifyUpstreamError(new SseError(401, 'Non-200 status code (401)', NO_EVENT)).kind).toBe('auth');
    expect(classifyUpstreamError(new Error('Error POSTing to endpoint (HTTP 401): unauthorized')).kind).toBe('auth');
  });

  it('reads a 404 on an established session as a forgotten session, and while connecting as a wrong URL', () => {
    expect(classifyUpstreamError(new StreamableHTTPError(404, 'Session not found'))).toEqual({ kind: 'stale', message: 'the peer does not know the session (HTTP 404)' });
    expect(classifyUpstreamError(new StreamableHTTPError(404, 'Not Found'), 'connecting')).toEqual({ kind: 'unreachable', message: 'not an MCP endpoint (HTTP 404 Not Found)' });
    expect(classifyUpstreamError(new SseError(404, 'Non-200 status code (404)', NO_EVENT), 'connecting').message).toBe('not an MCP endpoint (HTTP 404 Not Found)');
  });

  it('names a non-MCP answer: an HTML page, a server refusing POST, an SSE URL that is not an event stream', () => {
    expect(classifyUpstreamError(new StreamableHTTPError(-1, 'Unexpected content type: text/html'), 'connecting')).toEqual({
      kind: 'unreachable',
      message: 'not an MCP endpoint: Unexpected content type: text/html',
    });
    expect(classifyUpstreamError(new StreamableHTTPError(405, 'Method Not Allowed'), 'connecting').message).toMatch(/^not an MCP endpoint \(HTTP 405/);
    const sse = classifyUpstreamError(new SseError(400, 'Non-200 status code (400)', NO_EVENT), 'connecting');
    expect(sse).toEqual({ kind: 'unreachable', message: expect.stringMatching(/^not an SSE endpoint \(GET answered HTTP 400: Non-200 status code \(400\)\).*"transport": "STREAMABLEHTTP"/) });
    expect(classifyUpstreamError(new SseError(200, 'Invalid content type, expected "text/event-stream"', NO_EVENT), 'connecting').message).toMatch(/^not an SSE endpoint/);
  });

  it('reports other HTTP statuses and network failures as unreachable, with the low-level cause', () => {
    expect(classifyUpstreamError(new StreamableHTTPError(503, 'Error POSTing to endpoint: busy'))).toEqual({ kind: 'unreachable', message: 'HTTP 503: Streamable HTTP error: Error POSTing to endpoint: busy' });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifyUpstreamError(refused)).toEqual({ kind: 'unreachable', message: 'ECONNREFUSED: fetch failed' });
  });
});
