import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const ID = Symbol('requestId');

/**
 * The correlation id of a request: the caller's X-Request-ID when well-formed, else a new UUID. Memoised on the
 * request, so logging, the request context and upstream calls all use the same id whatever order they ask in.
 */
export function requestIdOf(req: IncomingMessage, res?: ServerResponse): string {
  const r = req as IncomingMessage & { [ID]?: string };
  if (!r[ID]) {
    const given = req.headers['x-request-id'];
    r[ID] = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  }
  if (res && !res.headersSent && !res.getHeader('X-Request-ID')) res.setHeader('X-Request-ID', r[ID]);
  return r[ID];
}
