import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher, fetch as undiciFetch, request } from 'undici';
import { AppConfig } from '../../config/app-config';
import { RequestContext } from '../context/request-context';
import { ValidationError } from '../errors/domain-error';
import { blockedAddress, blockedHostname, type SsrfPolicy, urlHost } from './ssrf-policy';

export type OutboundFailure = 'timeout' | 'network' | 'too_large' | 'aborted' | 'blocked';

/** A request to an upstream that did not produce an HTTP response. */
export class OutboundError extends Error {
  constructor(
    readonly kind: OutboundFailure,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

/** Resolves a host name to addresses (injectable so tests never depend on real DNS). */
export type DnsResolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;
export const DNS_RESOLVER = Symbol('DNS_RESOLVER');
export const systemResolver: DnsResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** fetch as libraries take it (e.g. the MCP SDK's client transports). */
export type FetchFunction = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Called with every address right before a socket opens to it; tests use it as a last safety net. */
export type ConnectGuard = (address: string, port: number) => void;
export const CONNECT_GUARD = Symbol('CONNECT_GUARD');

export interface OutboundRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** The response body is read up to this many bytes; more is an `OutboundError('too_large')`. */
  maxBytes: number;
  /** Aborts the request when the caller goes away (client cancelled the tool call). */
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Finds an OutboundError of kind `blocked` in an error's cause chain (fetch wraps connector errors). */
export function blockedCause(err: unknown): OutboundError | undefined {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as { cause?: unknown }, depth++) {
    if (e instanceof OutboundError && e.kind === 'blocked') return e;
  }
  return undefined;
}

/** OpenSSL/Node codes of a certificate that does not verify. */
const CERTIFICATE_ERRORS = /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_\w+|ERR_TLS_CERT\w*|HOSTNAME_MISMATCH|INVALID_CA|UNABLE_TO_DECRYPT_CERT_SIGNATURE)$/;

/** A certificate verification failure, restated so that the peer/tool error says what is wrong and what to do. */
function tlsFailure(err: Error, host: string): OutboundError | undefined {
  const code = (err as { code?: string }).code;
  if (!code || !CERTIFICATE_ERRORS.test(code)) return undefined;
  return new OutboundError(
    'network',
    `TLS certificate verification failed for ${host} (${code}: ${err.message}); a peer signed by a private CA can trust it with caCertificate, or set SKIP_SSL_VERIFY=true (not in production)`,
    err,
  );
}

/**
 * The one HTTP client for calls the gateway makes to upstreams (REST tools, peers, HTTP resources, OpenAPI
 * documents): undici with keep-alive pools, an overall timeout, a response size cap and cancellation.
 *
 * Every connection goes through an SSRF-checking connector: it resolves the host itself, refuses when any address
 * is loopback/private/link-local/metadata (per SSRF_* settings), and connects to the address it checked, so a
 * name cannot resolve to something else between check and connect (DNS rebinding). TLS still verifies the name.
 *
 * Every request made while serving a request carries that request's checked correlation id as `X-Request-ID`
 * (from the request context), so a call can be followed through the upstream's logs.
 */
@Injectable()
export class OutboundHttp implements OnApplicationShutdown {
  private readonly policy: SsrfPolicy;
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(DNS_RESOLVER) private readonly resolve: DnsResolver = systemResolver,
    @Optional() @Inject(CONNECT_GUARD) private readonly guard?: ConnectGuard | null,
    @Optional() private readonly context?: RequestContext,
  ) {
    const o = config.outbound;
    this.policy = { enabled: o.ssrfProtection, allowLocalhost: o.allowLocalhost, allowPrivate: o.allowPrivate, allowedNetworks: o.allowedNetworks };
  }

  /** The pooled dispatcher (default trust store), for libraries that take one (e.g. fetch-based clients). */
  get dispatcher(): Dispatcher {
    return this.dispatcherFor();
  }

  /** A pooled dispatcher trusting `ca` (PEM bundle) in addition to nothing else, or the default trust store. */
  dispatcherFor(options: { ca?: string | null } = {}): Dispatcher {
    const key = options.ca ? createHash('sha256').update(options.ca).digest('hex') : 'default';
    let agent = this.agents.get(key);
    if (!agent) {
      const base = buildConnector({ timeout: 10_000, rejectUnauthorized: !this.config.outbound.skipTlsVerify, ...(options.ca ? { ca: options.ca } : {}) });
      agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 10 * 60_000, connections: 256, connect: this.checkedConnector(base) });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * Refuses a URL whose host is an IP literal or a metadata name the policy blocks, and, with `resolve`, whose name
   * resolves to a blocked address: a 422 naming `field`. (Every connection is checked again when it opens.)
   */
  async assertAllowed(url: string, field: string, options: { resolve?: boolean } = {}): Promise<void> {
    const checked = await this.checkHost(urlHost(url), options.resolve ?? false);
    if ('reason' in checked) throw new ValidationError(field, `is not allowed by SSRF protection: ${checked.reason}`);
  }

  async request(url: string, req: OutboundRequest): Promise<OutboundResponse> {
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const res = await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: this.withRequestId(req.headers ?? {}),
        body: req.body,
        signal,
        dispatcher: req.dispatcher ?? this.dispatcher, // no redirect interceptor: 3xx answers come back as they are
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > req.maxBytes) {
          res.body.destroy();
          throw new OutboundError('too_large', `response exceeds ${req.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
    } catch (err) {
      if (err instanceof OutboundError) throw err;
      const blocked = blockedCause(err);
      if (blocked) throw blocked;
      if (timeout.aborted) throw new OutboundError('timeout', `no response within ${req.timeoutMs} ms`, err);
      if (req.signal?.aborted) throw new OutboundError('aborted', 'the request was cancelled', err);
      const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
      const code = e.code ?? e.cause?.code;
      throw new OutboundError('network', `${code ? `${code}: ` : ''}${e.cause?.message ?? e.message ?? 'connection failed'}`, err);
    }
  }

  /** fetch over `dispatcher` (see `dispatcherFor`), adding the current request's X-Request-ID like `request`. */
  fetchVia(dispatcher: Dispatcher): FetchFunction {
    return ((url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), headers: this.withRequestId(new Headers(init?.headers)), dispatcher } as never)) as unknown as FetchFunction;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.agents.values()].map((a) => a.close()));
  }

  /**
   * The headers with `X-Request-ID: <the current request's checked id>` (replacing any other value, e.g. one taken
   * from tool arguments); unchanged outside a request (scheduled jobs).
   */
  private withRequestId<H extends Headers | Record<string, string>>(headers: H): H {
    const id = this.context?.requestId();
    if (!id) return headers;
    if (headers instanceof Headers) {
      headers.set('x-request-id', id);
      return headers;
    }
    const others = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'x-request-id'));
    return { ...others, 'x-request-id': id } as unknown as H;
  }

  /**
   * Why the policy refuses `host` (an IP literal, or a name: a metadata name, or with `resolve` a name resolving to a
   * blocked address), or the address to connect to: the literal itself, the checked address a name resolved to, or
   * (without `resolve`) the name as it is.
   */
  private async checkHost(host: string, resolve: boolean): Promise<{ address: string } | { reason: string }> {
    if (isIP(host)) {
      const reason = blockedAddress(host, this.policy);
      return reason ? { reason } : { address: host };
    }
    const named = blockedHostname(host);
    if (named) return { reason: named };
    return resolve ? this.resolveChecked(host) : { address: host };
  }

  /**
   * Resolves a name ONCE and checks every address it got: the reason the first blocked one is refused, or the
   * address to connect to (one of exactly the addresses that were checked).
   */
  private async resolveChecked(hostname: string): Promise<{ address: string } | { reason: string }> {
    let addresses: Array<{ address: string }>;
    try {
      addresses = await this.resolve(hostname);
    } catch (err) {
      return { reason: `cannot resolve ${hostname} (${(err as { code?: string }).code ?? (err as Error).message})` };
    }
    if (!addresses.length) return { reason: `${hostname} has no address` };
    for (const a of addresses) {
      const reason = blockedAddress(a.address, this.policy);
      if (reason) return { reason: `${hostname} resolves to ${reason}` };
    }
    return { address: addresses[0].address };
  }

  /**
   * Wraps undici's connector: resolve once, check every address, connect to one of the checked addresses (never a
   * second lookup, whose answer could differ: DNS rebinding). TLS still verifies, and SNI names, the host name.
   */
  private checkedConnector(base: buildConnector.connector): buildConnector.connector {
    return (opts, callback) => {
      void (async () => {
        const host = opts.hostname.replace(/^\[|\]$/g, '');
        const checked = await this.checkHost(host, true);
        if ('reason' in checked) throw new OutboundError('blocked', `blocked by SSRF protection: ${checked.reason}`);
        const { address } = checked;
        this.guard?.(address, Number(opts.port));
        base({ ...opts, hostname: address, servername: opts.servername ?? (isIP(host) ? undefined : host) }, (err, socket) =>
          err ? callback(tlsFailure(err, host) ?? err, null) : callback(null, socket!),
        );
      })().catch((err: Error) => callback(err, null));
    };
  }
}
