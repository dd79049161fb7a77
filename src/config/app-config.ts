import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { compileTrust, parseTrustProxy, type TrustProxy } from '../common/http/client-address';
import { invalidNetworks } from '../common/http/ssrf-policy';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_ENCRYPTION_SECRET, DEFAULT_JWT_SECRET, EnvironmentVariables, MIN_BASIC_PASSWORD_LENGTH } from './environment';

export type DatabaseDialect = 'sqlite' | 'postgres' | 'mysql';

export interface DatabaseConfig {
  dialect: DatabaseDialect;
  /** The URL as given (never logged: it may hold a password). */
  url: string;
  /** For SQLite: the file path, or ':memory:'. */
  sqlitePath?: string;
  poolSize: number;
  migrateOnStart: boolean;
  logging: boolean;
}

/** Thrown when the environment does not describe a valid configuration. The message names each bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The gateway's one typed configuration object, built once at boot from the environment.
 * Injected by class token; nothing else in the application reads `process.env`.
 */
export class AppConfig {
  readonly environment: EnvironmentVariables['ENVIRONMENT'];
  readonly isDevelopment: boolean;
  readonly server: {
    host: string;
    port: number;
    appName: string;
    maxRequestBodyBytes: number;
    maxJsonDepth: number;
    securityHeaders: boolean;
    corsOrigins: string[];
    /** PUBLIC_URL without a trailing slash, when set. */
    publicUrl?: string;
    /** TRUST_PROXY: which proxies' `X-Forwarded-For` tells the client's address (Express `trust proxy`). */
    trustProxy: TrustProxy;
  };
  readonly redis: { url?: string; prefix: string };
  readonly database: DatabaseConfig;
  readonly logging: { level: EnvironmentVariables['LOG_LEVEL']; pretty: boolean; requests: boolean };
  readonly auth: {
    required: boolean;
    jwtSecret: string;
    audience?: string;
    issuer?: string;
    requireExpiration: boolean;
    requireJti: boolean;
    tokenExpiryMinutes: number;
    basicUser: string;
    basicPassword: string;
  };
  readonly metrics: { enabled: boolean; public: boolean; maxLabelValues: number; flushIntervalMs: number };
  readonly health: { probeTimeoutMs: number; maxEventLoopDelayMs: number; shutdownGraceMs: number };
  readonly tracing: { enabled: boolean; endpoint: string; headers: Record<string, string>; serviceName: string };
  readonly cache: { type: EnvironmentVariables['CACHE_TYPE']; ttlMs: number; maxItems: number };
  readonly rateLimit: { enabled: boolean; toolCallsPerMinute: number; requestsPerMinute: number; authFailuresPerMinute: number };
  readonly outbound: { ssrfProtection: boolean; allowLocalhost: boolean; allowPrivate: boolean; allowedNetworks: string[]; skipTlsVerify: boolean };
  readonly secrets: { encryptionSecret: string; previousSecrets: string[] };
  readonly mcp: {
    sessionTtlMs: number;
    maxSessions: number;
    maxSessionsPerClient: number;
    rpcMaxBatchSize: number;
    sseKeepAliveMs: number;
    wsPingIntervalMs: number;
    allowedHosts: string[];
    allowedOrigins: string[];
    replicaUrl?: string;
  };
  readonly tools: {
    timeoutMs: number;
    maxResponseBytes: number;
    maxRetries: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
    openApiMaxBytes: number;
    cliAllowedCommands: string[];
    localExamples: boolean;
  };
  readonly federation: {
    timeoutMs: number;
    maxRetries: number;
    healthIntervalMs: number;
    healthTimeoutMs: number;
    unhealthyThreshold: number;
    maxConcurrentHealthChecks: number;
    autoRefreshIntervalMs: number;
    upstreamIdleMs: number;
    staticPeers: StaticPeer[];
    discovery: { enabled: boolean; interface?: string; port: number; intervalMs: number };
  };
  readonly catalog: {
    defaultPageSize: number;
    maxPageSize: number;
    maxResourceSize: number;
    /** Lower-case MIME patterns (`type/subtype`, `type/*`, `*`). */
    allowedMimeTypes: string[];
    /** Default cache lifetime of content fetched from a resource's `contentUrl`. */
    resourceCacheTtlMs: number;
    resourceFetchTimeoutMs: number;
    toolNameSeparator: string;
    /** Bytes of a prompt's template (or of the text parts of its messages). */
    maxPromptSize: number;
    promptRenderTimeoutMs: number;
    /** Characters of a rendered prompt. */
    maxPromptOutputSize: number;
  };
  /** The validated variables, for display with secrets masked. */
  readonly env: Readonly<EnvironmentVariables>;

  constructor(env: EnvironmentVariables) {
    this.env = Object.freeze({ ...env });
    this.environment = env.ENVIRONMENT;
    this.isDevelopment = env.ENVIRONMENT === 'development';
    this.server = {
      host: env.HOST,
      port: env.PORT,
      appName: env.APP_NAME,
      maxRequestBodyBytes: env.MAX_REQUEST_BODY_BYTES,
      maxJsonDepth: env.MAX_JSON_DEPTH,
      securityHeaders: env.SECURITY_HEADERS_ENABLED,
      corsOrigins: env.CORS_ALLOWED_ORIGINS,
      publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
    };
    this.redis = { url: env.REDIS_URL || undefined, prefix: env.CACHE_PREFIX };
    this.database = { ...parseDatabaseUrl(env.DATABASE_URL), poolSize: env.DB_POOL_SIZE, migrateOnStart: env.MIGRATE_ON_START, logging: env.DB_LOGGING };
    this.logging = { level: env.LOG_LEVEL, pretty: env.LOG_FORMAT ? env.LOG_FORMAT === 'pretty' : this.isDevelopment, requests: env.LOG_REQUESTS };
    this.auth = {
      required: env.AUTH_REQUIRED,
      jwtSecret: env.JWT_SECRET_KEY,
      audience: env.JWT_AUDIENCE || undefined,
      issuer: env.JWT_ISSUER || undefined,
      requireExpiration: env.REQUIRE_TOKEN_EXPIRATION,
      requireJti: env.REQUIRE_JTI,
      tokenExpiryMinutes: env.TOKEN_EXPIRY,
      basicUser: env.BASIC_AUTH_USER,
      basicPassword: env.BASIC_AUTH_PASSWORD,
    };
    this.metrics = { enabled: env.ENABLE_METRICS, public: env.METRICS_PUBLIC, maxLabelValues: env.METRICS_MAX_LABEL_VALUES, flushIntervalMs: env.METRICS_FLUSH_INTERVAL * 1000 };
    this.health = { probeTimeoutMs: Math.round(env.HEALTH_PROBE_TIMEOUT * 1000), maxEventLoopDelayMs: env.EVENT_LOOP_MAX_DELAY, shutdownGraceMs: env.SHUTDOWN_GRACE_PERIOD * 1000 };
    this.tracing = {
      enabled: env.OTEL_ENABLE_OBSERVABILITY,
      endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ''),
      headers: parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS),
      serviceName: env.OTEL_SERVICE_NAME,
    };
    this.cache = { type: env.CACHE_TYPE, ttlMs: env.CACHE_TTL * 1000, maxItems: env.CACHE_MAX_ITEMS };
    this.rateLimit = {
      enabled: env.RATE_LIMITING_ENABLED,
      toolCallsPerMinute: env.MAX_TOOL_CALLS_PER_MINUTE,
      requestsPerMinute: env.RATE_LIMIT_PER_MINUTE,
      authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
    };
    this.outbound = {
      ssrfProtection: env.SSRF_PROTECTION_ENABLED,
      allowLocalhost: env.SSRF_ALLOW_LOCALHOST,
      allowPrivate: env.SSRF_ALLOW_PRIVATE_NETWORKS,
      allowedNetworks: env.SSRF_ALLOWED_NETWORKS,
      skipTlsVerify: env.SKIP_SSL_VERIFY,
    };
    this.secrets = { encryptionSecret: env.AUTH_ENCRYPTION_SECRET, previousSecrets: env.AUTH_ENCRYPTION_SECRET_PREVIOUS };
    this.mcp = {
      sessionTtlMs: env.MCP_SESSION_TTL * 1000,
      maxSessions: env.MAX_MCP_SESSIONS,
      maxSessionsPerClient: env.MAX_MCP_SESSIONS_PER_CLIENT,
      rpcMaxBatchSize: env.RPC_MAX_BATCH_SIZE,
      sseKeepAliveMs: env.SSE_KEEPALIVE_INTERVAL * 1000,
      wsPingIntervalMs: env.WEBSOCKET_PING_INTERVAL * 1000,
      allowedHosts: env.ALLOWED_HOSTS.map((h) => h.toLowerCase()),
      allowedOrigins: env.ALLOWED_ORIGINS,
      replicaUrl: env.REPLICA_URL ? env.REPLICA_URL.replace(/\/+$/, '') : undefined,
    };
    this.tools = {
      timeoutMs: env.TOOL_TIMEOUT * 1000,
      maxResponseBytes: env.MAX_TOOL_RESPONSE_BYTES,
      maxRetries: env.REST_TOOL_MAX_RETRIES,
      retryBaseMs: env.REST_TOOL_RETRY_BASE_MS,
      retryMaxDelayMs: env.REST_TOOL_RETRY_MAX_DELAY * 1000,
      openApiMaxBytes: env.OPENAPI_MAX_SPEC_BYTES,
      cliAllowedCommands: env.CLI_TOOLS_ALLOWED_COMMANDS.map((c) => c.trim()).filter(Boolean),
      localExamples: env.LOCAL_EXAMPLE_TOOLS_ENABLED,
    };
    this.federation = {
      timeoutMs: env.FEDERATION_TIMEOUT * 1000,
      maxRetries: env.MAX_TOOL_RETRIES,
      healthIntervalMs: env.HEALTH_CHECK_INTERVAL * 1000,
      healthTimeoutMs: env.HEALTH_CHECK_TIMEOUT * 1000,
      unhealthyThreshold: env.UNHEALTHY_THRESHOLD,
      maxConcurrentHealthChecks: env.MAX_CONCURRENT_HEALTH_CHECKS,
      autoRefreshIntervalMs: env.GATEWAY_AUTO_REFRESH_INTERVAL * 1000,
      upstreamIdleMs: env.UPSTREAM_SESSION_IDLE * 1000,
      staticPeers: parseStaticPeers(env.FEDERATION_PEERS),
      discovery: {
        enabled: env.FEDERATION_DISCOVERY,
        interface: env.FEDERATION_DISCOVERY_INTERFACE || undefined,
        port: env.FEDERATION_DISCOVERY_PORT,
        intervalMs: env.FEDERATION_DISCOVERY_INTERVAL * 1000,
      },
    };
    this.catalog = {
      defaultPageSize: env.PAGINATION_DEFAULT_PAGE_SIZE,
      maxPageSize: env.PAGINATION_MAX_PAGE_SIZE,
      maxResourceSize: env.MAX_RESOURCE_SIZE,
      allowedMimeTypes: env.ALLOWED_MIME_TYPES.split(',').map((m) => m.trim().toLowerCase()).filter(Boolean),
      resourceCacheTtlMs: env.RESOURCE_CACHE_TTL * 1000,
      resourceFetchTimeoutMs: Math.round(env.RESOURCE_FETCH_TIMEOUT * 1000),
      toolNameSeparator: env.GATEWAY_TOOL_NAME_SEPARATOR,
      maxPromptSize: env.MAX_PROMPT_SIZE,
      promptRenderTimeoutMs: Math.round(env.PROMPT_RENDER_TIMEOUT * 1000),
      maxPromptOutputSize: env.MAX_PROMPT_OUTPUT_SIZE,
    };
    Object.freeze(this);
  }
}

/** Parses `key=value,key2=value2` (values may contain `=`). */
export function parseKeyValues(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** A peer named in FEDERATION_PEERS. */
export interface StaticPeer {
  url: string;
  name?: string;
  transport?: 'SSE' | 'STREAMABLEHTTP';
  namespaced?: boolean;
}

/** Parses FEDERATION_PEERS: `url,url`, `name=url,...`, or a JSON array of strings or `{url, name, transport, namespaced}`. */
export function parseStaticPeers(value: string): StaticPeer[] {
  const text = value.trim();
  if (!text) return [];
  let entries: unknown[];
  if (text.startsWith('[')) {
    try {
      entries = JSON.parse(text) as unknown[];
    } catch (err) {
      throw new ConfigError([`FEDERATION_PEERS: not valid JSON (${(err as Error).message})`]);
    }
  } else {
    entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return entries.map((entry) => {
    let peer: StaticPeer;
    if (typeof entry === 'string') {
      const eq = entry.indexOf('=');
      peer = eq > 0 && eq < entry.indexOf('://') ? { name: entry.slice(0, eq).trim(), url: entry.slice(eq + 1).trim() } : { url: entry };
    } else if (entry && typeof entry === 'object' && typeof (entry as StaticPeer).url === 'string') {
      peer = entry as StaticPeer;
    } else {
      throw new ConfigError([`FEDERATION_PEERS: each entry needs a url (got ${JSON.stringify(entry)})`]);
    }
    try {
      const u = new URL(peer.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new ConfigError([`FEDERATION_PEERS: '${peer.url}' is not an http(s) URL`]);
    }
    return peer;
  });
}

function parseDatabaseUrl(url: string): Pick<DatabaseConfig, 'dialect' | 'url' | 'sqlitePath'> {
  const scheme = url.slice(0, url.indexOf(':')).split('+')[0].toLowerCase();
  if (scheme === 'sqlite') {
    // sqlite:///relative.db -> "relative.db"; sqlite:////abs.db -> "/abs.db"; sqlite:///:memory: -> ":memory:"
    const rest = url.replace(/^sqlite(\+\w+)?:\/\//i, '');
    const path = rest.startsWith('/') ? rest.slice(1) : rest;
    if (!path) throw new ConfigError(['DATABASE_URL: a SQLite URL needs a file path, e.g. sqlite:///./mcp.db']);
    return { dialect: 'sqlite', url, sqlitePath: path };
  }
  try {
    new URL(url);
  } catch {
    throw new ConfigError(['DATABASE_URL: not a valid URL']);
  }
  return { dialect: scheme === 'postgres' || scheme === 'postgresql' ? 'postgres' : 'mysql', url };
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg.startsWith(`${e.property} `) ? msg.slice(e.property.length + 1) : msg}`),
  );
}

/** A secret whose development default is refused in any other environment, where it must be `minLength` long. */
interface ProductionSecret {
  name: 'JWT_SECRET_KEY' | 'AUTH_ENCRYPTION_SECRET' | 'BASIC_AUTH_PASSWORD';
  placeholder: string;
  /** The placeholder, as the error message calls it. */
  what: string;
  minLength?: number;
}

const PRODUCTION_SECRETS: readonly ProductionSecret[] = [
  { name: 'JWT_SECRET_KEY', placeholder: DEFAULT_JWT_SECRET, what: 'the placeholder secret', minLength: 32 },
  { name: 'AUTH_ENCRYPTION_SECRET', placeholder: DEFAULT_ENCRYPTION_SECRET, what: 'the placeholder secret' },
  { name: 'BASIC_AUTH_PASSWORD', placeholder: DEFAULT_BASIC_PASSWORD, what: 'the default password', minLength: MIN_BASIC_PASSWORD_LENGTH },
];

/**
 * Validates an environment (by default `process.env`) into an `AppConfig`.
 * Empty strings count as "unset" so that `FOO=` in a `.env` file falls back to the default.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const defaults = new EnvironmentVariables();
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const env = plainToInstance(EnvironmentVariables, raw);
  const problems = flatten(validateSync(env, { whitelist: true, forbidUnknownValues: false }));
  const badNetworks = problems.length ? [] : invalidNetworks(env.SSRF_ALLOWED_NETWORKS);
  if (badNetworks.length) problems.push(`SSRF_ALLOWED_NETWORKS: not CIDR networks: ${badNetworks.join(', ')}`);
  if (problems.length === 0) {
    try {
      compileTrust(parseTrustProxy(env.TRUST_PROXY));
    } catch (err) {
      problems.push(`TRUST_PROXY: ${(err as Error).message} (use false, true, a hop count, or addresses, CIDR ranges, loopback, linklocal, uniquelocal)`);
    }
  }
  if (problems.length === 0 && env.CACHE_TYPE === 'redis' && !env.REDIS_URL) problems.push('CACHE_TYPE: redis needs REDIS_URL');
  if (problems.length === 0 && env.ENVIRONMENT !== 'development') {
    for (const { name, placeholder, what, minLength } of PRODUCTION_SECRETS) {
      const value = env[name];
      if (value === placeholder) problems.push(`${name}: ${what} is only allowed when ENVIRONMENT=development`);
      else if (minLength !== undefined && value.length < minLength) problems.push(`${name}: must be at least ${minLength} characters when ENVIRONMENT=${env.ENVIRONMENT}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return new AppConfig(env);
}
