import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** TRUST_PROXY parsed: trust no proxy or any, the nearest N hops, or the listed addresses/ranges/names. */
export type TrustProxy = boolean | number | string[];

/** Whether the proxy at `address`, `hop` hops from the gateway (0: the connecting peer), is trusted. */
export type TrustFn = (address: string, hop: number) => boolean;

/** Reads TRUST_PROXY as Express reads `trust proxy`: `true`/`false`, a hop count, or a comma-separated list. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The trust function for a TRUST_PROXY setting, with Express's rules (its `compileTrust`): the same function is given
 * to Express (`req.ip`) and used for WebSocket upgrades, so both see the same client. Throws on an invalid address.
 */
export function compileTrust(setting: TrustProxy): TrustFn {
  if (setting === true) return () => true;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting === false ? [] : setting);
}

/**
 * The client's address: the connecting peer, or, when that is a trusted proxy, the nearest untrusted address in
 * `X-Forwarded-For` (read right to left). Undefined when the socket has no address (already closed).
 */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string | undefined {
  if (!req.socket?.remoteAddress) return undefined;
  return proxyaddr(req, trust);
}
