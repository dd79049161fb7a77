import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';

/**
 * A test-side safety net under the code being tested, at the socket and DNS layer of this process: while it is
 * installed, no socket can open to anything but loopback (127.0.0.0/8, ::1, `localhost`, Unix sockets) and no name
 * is looked up in real DNS. Names resolve from a fake zone; everything else is ENOTFOUND. It holds even when the
 * gateway's own SSRF checks are broken or bypassed, because it patches what every client ends up calling:
 * `net.Socket.prototype.connect` (which `net.connect`, `tls.connect`, http agents and undici all reach),
 * `net.connect`/`net.createConnection`/`tls.connect` themselves, and `dns.lookup`, `dns.promises.lookup` and every
 * `resolve*` function (module-level and on `Resolver` instances).
 *
 * A refused connection throws synchronously (so no socket is ever created) and is recorded in `refused`, so a test
 * can fail on an attempt that the code under test caught and swallowed.
 */
export interface NetworkGuard {
  /** `host:port` of every connection attempt the guard refused. */
  readonly refused: string[];
  /** `host:port` of every TCP connection allowed through (loopback). */
  readonly connected: string[];
  /** How many times each name was looked up. */
  readonly lookups: Map<string, number>;
  /** Undoes every patch. */
  restore(): void;
}

/** Answers per name: a fixed list, or a function of how many times the name was looked up before (0, 1, ...). */
export type Zone = Record<string, string[] | ((previousLookups: number) => string[])>;

const v4Loopback = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Whether a connection to `host` stays on this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (v4Loopback.test(h)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return !!mapped && v4Loopback.test(mapped[1]);
}

interface Target {
  host?: string;
  port?: unknown;
  path?: string;
  existingSocket?: boolean;
}

function optionsTarget(o: Record<string, unknown>): Target {
  if (o.socket) return { existingSocket: true };
  if (typeof o.path === 'string') return { path: o.path };
  return { host: typeof o.host === 'string' ? o.host : typeof o.hostname === 'string' ? o.hostname : 'localhost', port: o.port };
}

/** Where `socket.connect(...)` / `net.connect(...)` / `tls.connect(...)` arguments point. */
function targetOf(args: unknown[]): Target {
  let first = args[0];
  if (Array.isArray(first)) first = first[0]; // net's normalized [options, callback] form
  if (first && typeof first === 'object') return optionsTarget(first as Record<string, unknown>);
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const options = args.find((a): a is Record<string, unknown> => !!a && typeof a === 'object');
    const host = typeof args[1] === 'string' ? args[1] : typeof options?.host === 'string' ? options.host : 'localhost';
    return { host, port: first };
  }
  if (typeof first === 'string') return { path: first };
  return { host: 'localhost' };
}

function notFound(hostname: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ENOTFOUND ${hostname} (test network guard: not in the fake zone)`), { code: 'ENOTFOUND', errno: -3008, syscall, hostname });
}

type Patch = [target: object, key: string, original: unknown];

/** Installs the guard for this process (call in `beforeAll`, `restore()` in `afterAll`). */
export function installNetworkGuard(zone: Zone = {}): NetworkGuard {
  const refused: string[] = [];
  const connected: string[] = [];
  const lookups = new Map<string, number>();
  const patches: Patch[] = [];
  const patch = (target: object, key: string, replacement: unknown) => {
    patches.push([target, key, (target as Record<string, unknown>)[key]]);
    (target as Record<string, unknown>)[key] = replacement;
  };

  const check = (target: Target) => {
    if (target.existingSocket || target.path !== undefined) return;
    const label = `${target.host}:${String(target.port)}`;
    // Only loopback addresses and `localhost`: a name could resolve anywhere.
    if (!isLoopbackHost(target.host ?? '')) {
      refused.push(label);
      throw new Error(`TEST NETWORK GUARD: refused to connect to ${label} (only loopback is allowed in this test)`);
    }
    connected.push(label);
  };

  /** Addresses of a name from the zone (IP literals answer themselves, `localhost` is 127.0.0.1). */
  const answer = (hostname: string): string[] | null => {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    const count = lookups.get(name) ?? 0;
    lookups.set(name, count + 1);
    if (net.isIP(name)) return [name];
    if (name === 'localhost') return ['127.0.0.1'];
    const entry = zone[name];
    if (!entry) return null;
    return typeof entry === 'function' ? entry(count) : entry;
  };

  const lookupResult = (hostname: string, options: unknown): { address: string; family: number } | Array<{ address: string; family: number }> => {
    const addresses = answer(hostname);
    if (!addresses?.length) throw notFound(hostname, 'getaddrinfo');
    const opts = typeof options === 'number' ? { family: options } : ((options ?? {}) as { family?: number | string; all?: boolean });
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    const entries = addresses.map((address) => ({ address, family: net.isIP(address) })).filter((e) => !family || e.family === family);
    if (!entries.length) throw notFound(hostname, 'getaddrinfo');
    return opts.all ? entries : entries[0];
  };

  // ---- sockets ----
  const socketConnect = net.Socket.prototype.connect;
  patch(net.Socket.prototype, 'connect', function guardedSocketConnect(this: net.Socket, ...args: unknown[]) {
    check(targetOf(args));
    return (socketConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  const netConnect = net.connect;
  const guardedNetConnect = (...args: unknown[]) => {
    check(targetOf(args));
    return (netConnect as (...a: unknown[]) => net.Socket)(...args);
  };
  patch(net, 'connect', guardedNetConnect);
  patch(net, 'createConnection', guardedNetConnect);
  const tlsConnect = tls.connect;
  patch(tls, 'connect', (...args: unknown[]) => {
    check(targetOf(args));
    return (tlsConnect as (...a: unknown[]) => tls.TLSSocket)(...args);
  });

  // ---- name resolution ----
  patch(dns, 'lookup', (hostname: string, options: unknown, callback?: (...a: unknown[]) => void) => {
    const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
    const opts = typeof options === 'function' ? undefined : options;
    let result: ReturnType<typeof lookupResult>;
    try {
      result = lookupResult(hostname, opts);
    } catch (err) {
      process.nextTick(cb, err);
      return;
    }
    if (Array.isArray(result)) process.nextTick(cb, null, result);
    else process.nextTick(cb, null, result.address, result.family);
  });
  patch(dns.promises, 'lookup', async (hostname: string, options?: unknown) => lookupResult(hostname, options));

  const resolveAnswer = (hostname: string, rrtype = 'A'): string[] => {
    const addresses = answer(hostname) ?? [];
    const wanted = rrtype === 'A' ? 4 : rrtype === 'AAAA' ? 6 : 0;
    const found = wanted ? addresses.filter((a) => net.isIP(a) === wanted) : [];
    if (!found.length) throw notFound(hostname, `query${rrtype}`);
    return found;
  };
  /** What a `resolve*` (or `reverse`) call answers: A and AAAA records from the zone, nothing else. */
  const resolveFor = (key: string, args: unknown[]): string[] => {
    const hostname = String(args[0]);
    if (key === 'reverse') throw notFound(hostname, 'getHostByAddr');
    const rrtype = key === 'resolve' ? (typeof args[1] === 'string' ? args[1] : 'A') : key === 'resolve4' ? 'A' : key === 'resolve6' ? 'AAAA' : key.slice('resolve'.length).toUpperCase();
    return resolveAnswer(hostname, rrtype);
  };
  const resolveKeys = Object.keys(dns).filter((k) => k.startsWith('resolve') && typeof (dns as unknown as Record<string, unknown>)[k] === 'function');
  for (const key of [...resolveKeys, 'reverse']) {
    const callbackStyle = (...args: unknown[]) => {
      const cb = args[args.length - 1] as (...a: unknown[]) => void;
      let records: string[];
      try {
        records = resolveFor(key, args);
      } catch (err) {
        process.nextTick(cb, err);
        return;
      }
      process.nextTick(cb, null, records);
    };
    const promiseStyle = async (...args: unknown[]) => resolveFor(key, args);
    patch(dns, key, callbackStyle);
    patch(dns.promises, key, promiseStyle);
    patch(dns.Resolver.prototype, key, callbackStyle);
    patch(dns.promises.Resolver.prototype, key, promiseStyle);
  }

  return {
    refused,
    connected,
    lookups,
    restore: () => {
      for (const [target, key, original] of patches.reverse()) (target as Record<string, unknown>)[key] = original;
      patches.length = 0;
    },
  };
}
