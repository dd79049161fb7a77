import type { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { type Progress, ProgressNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

/**
 * Routes `notifications/progress` received by an SDK client or server to the call that asked for them, by a token
 * this relay allocates. It replaces the SDK's own routing, which drops a progress notification that arrives in
 * the same read as the response (notifications are dispatched a microtask later, and the response handler
 * unregisters the request's progress handler first), so the last progress of a fast call can be lost.
 */
export class ProgressRelay {
  private readonly routes = new Map<string, (progress: Progress) => void>();
  private seq = 0;

  constructor(private readonly prefix: string) {}

  attach(protocol: Pick<Protocol<never, never, never>, 'setNotificationHandler'>): void {
    protocol.setNotificationHandler(ProgressNotificationSchema as never, async (n: { params: Progress & { progressToken: string | number } }) => {
      const { progressToken, ...progress } = n.params;
      this.routes.get(String(progressToken))?.(progress as Progress);
    });
  }

  /** A token to send as `_meta.progressToken`, routed to `onProgress` until `close()`. */
  open(onProgress: (progress: Progress) => void): { token: string; close(): void } {
    const token = `${this.prefix}-${++this.seq}`;
    this.routes.set(token, onProgress);
    return { token, close: () => void this.routes.delete(token) };
  }
}
