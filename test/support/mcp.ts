import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * A Streamable HTTP transport for tests. Resumption retries are off: the SDK client (1.32) treats an *error*
 * response on a resumable POST stream as "no response yet" and schedules a reconnection timer that outlives
 * close(), which would only delay the test process's exit.
 */
export function streamableTransport(url: string, headers: Record<string, string> = {}): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers },
    reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 100, reconnectionDelayGrowFactor: 1, maxRetries: 0 },
  });
}

/** An SDK client connected over Streamable HTTP. */
export async function connectMcp(url: string, options: { capabilities?: Record<string, unknown>; headers?: Record<string, string> } = {}): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  await client.connect(streamableTransport(url, options.headers));
  return client;
}

/** The text of a tool result's first content block. */
export function firstText(result: unknown): string {
  return ((result as { content: Array<{ text: string }> }).content)[0].text;
}

/** Polls `probe` until it returns something other than undefined/false. */
export function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10000, everyMs = 50): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        const v = await probe();
        if (v !== undefined && v !== false) return resolve(v as T);
      } catch (err) {
        return reject(err);
      }
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(() => void tick(), everyMs);
    };
    void tick();
  });
}

/** The JSON-RPC error a call fails with; fails the test if the call succeeds. */
export async function rpcError(call: Promise<unknown>): Promise<McpError> {
  try {
    await call;
  } catch (err) {
    return err as McpError;
  }
  throw new Error('expected the call to fail with a JSON-RPC error, but it succeeded');
}
