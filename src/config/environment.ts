import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ToBoolean, ToList, ToNumber } from '../common/transforms';
import { EnvDoc } from './env.decorators';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** The placeholder secret shipped in `.env.example`; refused outside development. */
export const DEFAULT_JWT_SECRET = 'my-test-key-change-me-in-production';
/** The default Basic auth password; refused outside development. */
export const DEFAULT_BASIC_PASSWORD = 'changeme';
/** Shortest BASIC_AUTH_PASSWORD accepted outside development. */
export const MIN_BASIC_PASSWORD_LENGTH = 12;
/** The placeholder encryption passphrase; refused outside development. */
export const DEFAULT_ENCRYPTION_SECRET = 'my-test-salt-change-me-in-production';

/** Resource MIME types accepted unless ALLOWED_MIME_TYPES says otherwise: text, JSON/XML/YAML, images, PDF, raw bytes. */
export const DEFAULT_ALLOWED_MIME_TYPES =
  'text/*,application/json,application/*+json,application/xml,application/*+xml,application/yaml,application/x-yaml,application/javascript,image/*,application/pdf,application/octet-stream';

/**
 * Every environment variable the gateway reads, with its default, its validation rule and its documentation.
 * This class is the single source of truth: `loadConfig` validates `process.env` against it, and
 * `.env.example` plus the README configuration table are checked against its documentation in the test suite.
 */
export class EnvironmentVariables {
  // ---- server ----
  @EnvDoc({ group: 'Server', description: 'Deployment mode. Production refuses insecure defaults (placeholder secrets).' })
  @IsIn(ENVIRONMENTS)
  ENVIRONMENT: (typeof ENVIRONMENTS)[number] = 'development';

  @EnvDoc({ group: 'Server', description: 'Interface to bind. Use 0.0.0.0 in containers.' })
  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @EnvDoc({ group: 'Server', description: 'TCP port to listen on (0 picks a free port).' })
  @ToNumber()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 4444;

  @EnvDoc({ group: 'Server', description: 'Name reported in MCP `serverInfo` and `/version`.' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  APP_NAME = 'MCP Gateway';

  @EnvDoc({ group: 'Server', description: 'Largest accepted request body, in bytes.' })
  @ToNumber()
  @IsInt()
  @Min(1024)
  MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

  @EnvDoc({ group: 'Server', description: 'Deepest nesting of objects and arrays accepted in a JSON body.' })
  @ToNumber()
  @IsInt()
  @Min(2)
  @Max(1000)
  MAX_JSON_DEPTH = 64;

  @EnvDoc({
    group: 'Server',
    description:
      'Public base URL of the gateway as MCP clients reach it (e.g. https://mcp.example.com behind a load balancer or TLS proxy). The admin UI builds its connection snippets from it; default: the scheme and host of the browser request.',
  })
  @IsOptional()
  @Matches(/^(https?:\/\/[^\s/?#]+(\/[^\s?#]*)?)?$/, { message: 'PUBLIC_URL must be an http(s) URL without query or fragment' })
  PUBLIC_URL = '';

  @EnvDoc({ group: 'Server', description: 'Send security headers (helmet: HSTS, nosniff, frame denial, referrer policy, CSP on the admin UI).' })
  @ToBoolean()
  @IsBoolean()
  SECURITY_HEADERS_ENABLED = true;

  @EnvDoc({ group: 'Server', description: 'Browser origins allowed to call the REST API cross-origin (CORS), comma-separated, with credentials; `*` allows any origin but without credentials (cookies, HTTP auth); empty disables CORS.' })
  @ToList()
  @IsArray()
  @IsString({ each: true })
  CORS_ALLOWED_ORIGINS: string[] = [];

  @EnvDoc({
    group: 'Server',
    description:
      "Which proxies in front of the gateway to believe about the client's address (`X-Forwarded-For`), which per-address limits (failed sign-ins, anonymous rate limits) and audit records use, on HTTP and WebSocket alike. Express `trust proxy` semantics: `false` (none), `true` (any: only when every request comes through your proxy), a hop count, or comma-separated addresses and CIDR ranges, also `loopback`, `linklocal`, `uniquelocal` (the private ranges). Behind an ingress, list its addresses (e.g. the cluster's pod CIDR).",
  })
  @IsString()
  @MinLength(1)
  TRUST_PROXY = 'loopback';

  @EnvDoc({ group: 'Server', description: 'Seconds to keep serving after SIGTERM while /health and /ready answer 503 `shutting_down`, so load balancers stop routing here first (Kubernetes: keep it below terminationGracePeriodSeconds).' })
  @ToNumber()
  @IsInt()
  @Min(0)
  @Max(300)
  SHUTDOWN_GRACE_PERIOD = 0;

  @EnvDoc({ group: 'Server', description: 'Redis connection URL (e.g. redis://127.0.0.1:6379/0). When set, rate-limit counters and token revocations are shared through it by every replica.', sensitive: true })
  @IsOptional()
  @IsString()
  @Matches(/^(rediss?:\/\/.*)?$/, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL = '';

  @EnvDoc({ group: 'Server', description: 'Prefix of every Redis key the gateway writes (to share one Redis between deployments).' })
  @IsString()
  @MaxLength(64)
  CACHE_PREFIX = 'mcpgw:';

  // ---- database ----
  @EnvDoc({
    group: 'Database',
    description:
      'Database connection URL: `sqlite:///./mcp.db` (relative path), `sqlite:////abs/path.db`, `postgresql://user:pass@host:5432/db`, `mysql://user:pass@host:3306/db` (MySQL and MariaDB).',
    sensitive: true,
  })
  @IsString()
  @Matches(/^(sqlite|postgres|postgresql|mysql|mariadb)(\+\w+)?:\/\//, {
    message: 'DATABASE_URL must start with sqlite://, postgresql://, or mysql://',
  })
  DATABASE_URL = 'sqlite:///./mcp.db';

  @EnvDoc({ group: 'Database', description: 'Connection pool size for PostgreSQL and MySQL/MariaDB.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(500)
  DB_POOL_SIZE = 10;

  @EnvDoc({ group: 'Database', description: 'Apply pending migrations at start-up. Disable when a separate job runs `npm run migrate`.' })
  @ToBoolean()
  @IsBoolean()
  MIGRATE_ON_START = true;

  @EnvDoc({ group: 'Database', description: 'Log every SQL statement (debugging only).' })
  @ToBoolean()
  @IsBoolean()
  DB_LOGGING = false;

  // ---- logging ----
  @EnvDoc({ group: 'Logging', description: 'Minimum log level: trace, debug, info, warn, error, fatal or silent.' })
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @EnvDoc({ group: 'Logging', description: 'json (one JSON object per line) or pretty (human-readable); default: pretty in development, json otherwise.' })
  @IsOptional()
  @IsIn(['json', 'pretty', ''])
  LOG_FORMAT = '';

  @EnvDoc({ group: 'Logging', description: 'Log one line per HTTP request (health probes and metric scrapes excepted).' })
  @ToBoolean()
  @IsBoolean()
  LOG_REQUESTS = true;

  // ---- observability ----
  @EnvDoc({ group: 'Observability', description: 'Serve Prometheus metrics at /metrics (and /metrics/prometheus); when false they answer 503.' })
  @ToBoolean()
  @IsBoolean()
  ENABLE_METRICS = true;

  @EnvDoc({ group: 'Observability', description: 'Serve the Prometheus scrape endpoints without credentials (e.g. when only the cluster network reaches them). The JSON summary always needs credentials.' })
  @ToBoolean()
  @IsBoolean()
  METRICS_PUBLIC = false;

  @EnvDoc({ group: 'Observability', description: 'Distinct values a metric label (tool, server, gateway, route) may take; further values are reported as `other`, so a large catalog cannot explode the series count.' })
  @ToNumber()
  @IsInt()
  @Min(10)
  @Max(100000)
  METRICS_MAX_LABEL_VALUES = 1000;

  @EnvDoc({ group: 'Observability', description: 'Seconds between writes of buffered execution figures: per-entity metrics to the database, and (with REDIS_URL) the recent activity of the admin dashboard to Redis. Reads on this replica always include unwritten ones.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(3600)
  METRICS_FLUSH_INTERVAL = 5;

  @EnvDoc({ group: 'Observability', description: 'Seconds each check of a probe may take: /ready then reports the dependency (database, Redis, migrations) down, /health its event loop down or the database unreachable.' })
  @ToNumber()
  @Min(0.1)
  @Max(60)
  HEALTH_PROBE_TIMEOUT = 3;

  @EnvDoc({ group: 'Observability', description: 'Event-loop delay, in milliseconds, above which /health (liveness) reports the process as blocked.' })
  @ToNumber()
  @IsInt()
  @Min(10)
  EVENT_LOOP_MAX_DELAY = 2000;

  @EnvDoc({ group: 'Observability', description: 'Export OpenTelemetry traces of tool calls, resource reads and prompt renders over OTLP/HTTP.' })
  @ToBoolean()
  @IsBoolean()
  OTEL_ENABLE_OBSERVABILITY = false;

  @EnvDoc({ group: 'Observability', description: 'OTLP/HTTP collector base URL; traces go to `<url>/v1/traces`.' })
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT = 'http://localhost:4318';

  @EnvDoc({ group: 'Observability', description: 'Extra headers sent to the OTLP collector, as `key=value` pairs separated by commas (e.g. an API key).', sensitive: true })
  @IsString()
  OTEL_EXPORTER_OTLP_HEADERS = '';

  @EnvDoc({ group: 'Observability', description: 'The `service.name` resource attribute of exported spans.' })
  @IsString()
  @MinLength(1)
  OTEL_SERVICE_NAME = 'mcp-gateway';

  // ---- cache ----
  @EnvDoc({ group: 'Cache', description: 'Cache of catalog listings, resource reads and peer lookups: `memory` (per replica, LRU), `redis` (shared; needs REDIS_URL), `database` (shared, in the gateway database) or `none`. Every backend is invalidated on each change, by every replica.' })
  @IsIn(['memory', 'redis', 'database', 'none'])
  CACHE_TYPE: 'memory' | 'redis' | 'database' | 'none' = 'memory';

  @EnvDoc({ group: 'Cache', description: 'Seconds a cached value lives at most.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  CACHE_TTL = 300;

  @EnvDoc({ group: 'Cache', description: 'Entries kept at most; the least recently used go first.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  CACHE_MAX_ITEMS = 10000;

  // ---- auth ----
  @EnvDoc({ group: 'Authentication', description: 'Require credentials on every route except /health and /ready.' })
  @ToBoolean()
  @IsBoolean()
  AUTH_REQUIRED = true;

  @EnvDoc({
    group: 'Authentication',
    description: 'HS256 signing key for JWT bearer tokens (at least 32 characters outside development).',
    sensitive: true,
  })
  @IsString()
  @MinLength(8)
  JWT_SECRET_KEY = DEFAULT_JWT_SECRET;

  @EnvDoc({ group: 'Authentication', description: 'Expected `aud` claim of JWTs (checked when not empty; the token command sets it).' })
  @IsString()
  JWT_AUDIENCE = 'mcpgateway-api';

  @EnvDoc({ group: 'Authentication', description: 'Expected `iss` claim of JWTs (checked when not empty; the token command sets it).' })
  @IsString()
  JWT_ISSUER = 'mcpgateway';

  @EnvDoc({ group: 'Authentication', description: 'Refuse JWTs without an `exp` claim.' })
  @ToBoolean()
  @IsBoolean()
  REQUIRE_TOKEN_EXPIRATION = true;

  @EnvDoc({ group: 'Authentication', description: 'Refuse JWTs without a `jti` claim (needed to revoke them).' })
  @ToBoolean()
  @IsBoolean()
  REQUIRE_JTI = true;

  @EnvDoc({ group: 'Authentication', description: 'Default lifetime, in minutes, of tokens minted by the token command and POST /tokens.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  TOKEN_EXPIRY = 1440;

  @EnvDoc({ group: 'Authentication', description: 'User name accepted by HTTP Basic authentication (admin UI and API).' })
  @IsString()
  @MinLength(1)
  BASIC_AUTH_USER = 'admin';

  @EnvDoc({
    group: 'Authentication',
    description: 'Password accepted by HTTP Basic authentication (outside development: not the default, at least 12 characters).',
    sensitive: true,
  })
  @IsString()
  @MinLength(1)
  BASIC_AUTH_PASSWORD = DEFAULT_BASIC_PASSWORD;

  // ---- rate limits ----
  @EnvDoc({ group: 'Rate limits', description: 'Enable rate limiting (per client: token subject, else IP address).' })
  @ToBoolean()
  @IsBoolean()
  RATE_LIMITING_ENABLED = true;

  @EnvDoc({ group: 'Rate limits', description: 'Tool calls a client may make per minute, over every transport; more answer 429 with Retry-After.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  MAX_TOOL_CALLS_PER_MINUTE = 100;

  @EnvDoc({ group: 'Rate limits', description: 'HTTP requests a client may make per minute to the API (all routes but health probes).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 1000;

  @EnvDoc({
    group: 'Rate limits',
    description:
      'Wrong passwords (HTTP Basic on the API, MCP transports and WebSocket upgrades, and the admin sign-in form) a client IP address (see TRUST_PROXY) may send per minute. After that many, every password from that address, right or wrong, is refused (429 with Retry-After) until the minute is over. Tokens are not counted (an invalid or expired one is a plain 401). 0 disables; independent of RATE_LIMITING_ENABLED.',
  })
  @ToNumber()
  @IsInt()
  @Min(0)
  AUTH_FAILURES_PER_MINUTE = 20;

  // ---- outbound safety ----
  @EnvDoc({ group: 'Outbound safety', description: 'Refuse outbound requests (REST tools, peers, HTTP resources, OpenAPI documents) to loopback, private, link-local and cloud-metadata addresses, checked after DNS resolution.' })
  @ToBoolean()
  @IsBoolean()
  SSRF_PROTECTION_ENABLED = true;

  @EnvDoc({ group: 'Outbound safety', description: 'Allow outbound requests to loopback addresses (127.0.0.0/8, ::1), e.g. peers on the same host.' })
  @ToBoolean()
  @IsBoolean()
  SSRF_ALLOW_LOCALHOST = false;

  @EnvDoc({ group: 'Outbound safety', description: 'Allow outbound requests to private networks (10/8, 172.16/12, 192.168/16, fc00::/7).' })
  @ToBoolean()
  @IsBoolean()
  SSRF_ALLOW_PRIVATE_NETWORKS = false;

  @EnvDoc({ group: 'Outbound safety', description: 'Networks (CIDR, comma-separated) always allowed, e.g. 10.20.0.0/16 for an internal services range. Cloud metadata addresses stay blocked.' })
  @ToList()
  @IsArray()
  @IsString({ each: true })
  SSRF_ALLOWED_NETWORKS: string[] = [];

  @EnvDoc({ group: 'Outbound safety', description: 'Skip TLS certificate verification on outbound requests (never in production; prefer a peer CA bundle).' })
  @ToBoolean()
  @IsBoolean()
  SKIP_SSL_VERIFY = false;

  // ---- secrets at rest ----
  @EnvDoc({
    group: 'Secrets',
    description: 'Passphrase from which the AES-256-GCM key for stored credentials (tool and peer auth) is derived.',
    sensitive: true,
  })
  @IsString()
  @MinLength(8)
  AUTH_ENCRYPTION_SECRET = DEFAULT_ENCRYPTION_SECRET;

  @EnvDoc({
    group: 'Secrets',
    description: 'Comma-separated former values of AUTH_ENCRYPTION_SECRET, still accepted for decryption during a key rotation.',
    sensitive: true,
  })
  @ToList()
  @IsArray()
  @IsString({ each: true })
  AUTH_ENCRYPTION_SECRET_PREVIOUS: string[] = [];

  // ---- MCP transports ----
  @EnvDoc({
    group: 'MCP',
    description:
      'Close an MCP session (Streamable HTTP, SSE, WebSocket) after this many seconds without activity. Open streams (a GET or SSE stream, a WebSocket answering pings) count as activity.',
  })
  @ToNumber()
  @IsInt()
  @Min(1)
  MCP_SESSION_TTL = 3600;

  @EnvDoc({
    group: 'MCP',
    description:
      'Most MCP sessions (Streamable HTTP, SSE, WebSocket) one replica holds at once; a new session beyond it is refused with HTTP 503, `Retry-After` and a JSON-RPC error naming this limit.',
  })
  @ToNumber()
  @IsInt()
  @Min(1)
  MAX_MCP_SESSIONS = 5000;

  @EnvDoc({
    group: 'MCP',
    description:
      'Most MCP sessions one client (token subject, else IP address) holds at once on one replica; a new one beyond it is refused with HTTP 429, `Retry-After` and a JSON-RPC error naming this limit, so that one client cannot take all MAX_MCP_SESSIONS.',
  })
  @ToNumber()
  @IsInt()
  @Min(1)
  MAX_MCP_SESSIONS_PER_CLIENT = 100;

  @EnvDoc({ group: 'MCP', description: 'Most messages in one JSON-RPC batch sent to `POST /rpc`; a larger batch is refused with -32600.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  RPC_MAX_BATCH_SIZE = 100;

  @EnvDoc({ group: 'MCP', description: 'Seconds between keep-alive comments on SSE streams (legacy SSE and Streamable HTTP); 0 disables.' })
  @ToNumber()
  @IsInt()
  @Min(0)
  SSE_KEEPALIVE_INTERVAL = 30;

  @EnvDoc({ group: 'MCP', description: 'Seconds between WebSocket pings; a client that misses two is disconnected.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  WEBSOCKET_PING_INTERVAL = 30;

  @EnvDoc({
    group: 'MCP',
    description:
      'Host names MCP endpoints answer to (DNS-rebinding protection), comma-separated; `*` allows any. Set to your public host names when serving beyond localhost.',
  })
  @ToList()
  @IsArray()
  @IsString({ each: true })
  ALLOWED_HOSTS: string[] = ['localhost', '127.0.0.1', '[::1]'];

  @EnvDoc({ group: 'MCP', description: 'Extra browser origins allowed to call MCP endpoints (an Origin whose host is in ALLOWED_HOSTS is always allowed); `*` allows any.' })
  @ToList()
  @IsArray()
  @IsString({ each: true })
  ALLOWED_ORIGINS: string[] = [];

  @EnvDoc({
    group: 'MCP',
    description:
      'URL at which other replicas reach this one (e.g. http://$(POD_IP):4444). Lets any replica serve any MCP session by routing its requests to the replica that holds it. Default: the address the gateway listens on.',
  })
  @IsOptional()
  @IsString()
  REPLICA_URL = '';

  // ---- tools ----
  @EnvDoc({ group: 'Tools', description: 'Default timeout of a tool call, in seconds (REST tools may set their own).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  TOOL_TIMEOUT = 60;

  @EnvDoc({ group: 'Tools', description: 'Largest upstream response a tool call reads, in bytes; larger responses become an error result.' })
  @ToNumber()
  @IsInt()
  @Min(1024)
  MAX_TOOL_RESPONSE_BYTES = 5 * 1024 * 1024;

  @EnvDoc({
    group: 'Tools',
    description:
      'Default number of retries of a REST tool call with an idempotent method (GET, HEAD, PUT, DELETE, OPTIONS) after a 429, a 5xx or a network error (tools may set `maxRetries`). Exponential backoff with jitter; `Retry-After` is honoured.',
  })
  @ToNumber()
  @IsInt()
  @Min(0)
  @Max(10)
  REST_TOOL_MAX_RETRIES = 2;

  @EnvDoc({ group: 'Tools', description: 'First backoff delay of a REST tool retry, in milliseconds (doubled on every attempt, with jitter).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(60000)
  REST_TOOL_RETRY_BASE_MS = 250;

  @EnvDoc({ group: 'Tools', description: 'Longest wait between REST tool retries, in seconds: caps exponential backoff; an upstream `Retry-After` asking for longer ends the call instead (not retried early).' })
  @ToNumber()
  @IsInt()
  @Min(0)
  @Max(3600)
  REST_TOOL_RETRY_MAX_DELAY = 30;

  @EnvDoc({ group: 'Tools', description: 'Largest OpenAPI document `POST /tools/import/openapi` fetches or accepts, in bytes.' })
  @ToNumber()
  @IsInt()
  @Min(1024)
  OPENAPI_MAX_SPEC_BYTES = 10 * 1024 * 1024;

  @EnvDoc({
    group: 'Tools',
    description:
      'Commands CLI tools may run, comma-separated, compared exactly with a tool\'s `command` (use absolute paths). Empty (the default) disables CLI tools: creating one is refused.',
  })
  @ToList()
  @IsArray()
  @IsString({ each: true })
  CLI_TOOLS_ALLOWED_COMMANDS: string[] = [];

  @EnvDoc({ group: 'Tools', description: 'Register the built-in example local tools (`gateway-time`, `gateway-echo`) at startup.' })
  @ToBoolean()
  @IsBoolean()
  LOCAL_EXAMPLE_TOOLS_ENABLED = false;

  // ---- federation ----
  @EnvDoc({ group: 'Federation', description: 'Seconds to wait for a peer to connect and answer initialize and list requests.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  FEDERATION_TIMEOUT = 30;

  @EnvDoc({ group: 'Federation', description: 'Extra attempts for a call to a peer that could not be reached (with backoff; never after the peer answered).' })
  @ToNumber()
  @IsInt()
  @Min(0)
  @Max(10)
  MAX_TOOL_RETRIES = 2;

  @EnvDoc({ group: 'Federation', description: 'Seconds between health checks of every peer (one replica runs them at a time).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  HEALTH_CHECK_INTERVAL = 60;

  @EnvDoc({ group: 'Federation', description: 'Seconds a peer has to answer a health-check ping.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  HEALTH_CHECK_TIMEOUT = 10;

  @EnvDoc({ group: 'Federation', description: 'Consecutive failed health checks after which a peer is marked unreachable; -1 never marks it.' })
  @ToNumber()
  @IsInt()
  @Min(-1)
  UNHEALTHY_THRESHOLD = 3;

  @EnvDoc({ group: 'Federation', description: 'Health checks run at once, at most.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  MAX_CONCURRENT_HEALTH_CHECKS = 10;

  @EnvDoc({ group: 'Federation', description: 'Seconds between full re-syncs of every reachable peer\'s catalog (peers\' list_changed notifications also trigger one); 0 disables.' })
  @ToNumber()
  @IsInt()
  @Min(0)
  GATEWAY_AUTO_REFRESH_INTERVAL = 300;

  @EnvDoc({ group: 'Federation', description: 'Seconds an idle per-client upstream session stays open.' })
  @ToNumber()
  @IsInt()
  @Min(10)
  UPSTREAM_SESSION_IDLE = 600;

  @EnvDoc({
    group: 'Federation',
    description:
      'Peers to register at start-up (and retry until they answer): comma-separated URLs, each optionally `name=url`, or a JSON array of `{"name","url","transport","namespaced"}`.',
  })
  @IsOptional()
  @IsString()
  FEDERATION_PEERS = '';

  @EnvDoc({ group: 'Federation', description: 'Discover peers advertised over DNS-SD (`_mcp._tcp.local.`, multicast DNS) and register them.' })
  @ToBoolean()
  @IsBoolean()
  FEDERATION_DISCOVERY = false;

  @EnvDoc({ group: 'Federation', description: 'IPv4 address of the network interface used for DNS-SD discovery (default: every interface).' })
  @IsOptional()
  @IsString()
  FEDERATION_DISCOVERY_INTERFACE = '';

  @EnvDoc({ group: 'Federation', description: 'UDP port for DNS-SD queries (5353 is the mDNS standard).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(65535)
  FEDERATION_DISCOVERY_PORT = 5353;

  @EnvDoc({ group: 'Federation', description: 'Seconds between DNS-SD queries and retries of unregistered static peers.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  FEDERATION_DISCOVERY_INTERVAL = 60;

  // ---- catalog ----
  @EnvDoc({ group: 'Catalog', description: 'Page size of list endpoints when `limit` is not given.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  PAGINATION_DEFAULT_PAGE_SIZE = 50;

  @EnvDoc({ group: 'Catalog', description: 'Largest page a list endpoint returns (`limit=0` asks for all, up to this).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  PAGINATION_MAX_PAGE_SIZE = 500;

  @EnvDoc({ group: 'Catalog', description: 'Largest resource content accepted, in bytes (text or decoded binary).' })
  @ToNumber()
  @IsInt()
  @Min(1)
  MAX_RESOURCE_SIZE = 10 * 1024 * 1024;

  @EnvDoc({
    group: 'Catalog',
    description:
      'MIME types a resource may have, comma-separated; `type/*` and `*` are wildcards. Checked on create/update (422) and on the `Content-Type` of content fetched from a `contentUrl`.',
  })
  @IsString()
  @Matches(/^\s*(\*|[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*\/[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*)(\s*,\s*(\*|[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*\/[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*))*\s*$/, {
    message: 'ALLOWED_MIME_TYPES must be a comma-separated list of MIME types such as text/*,application/json',
  })
  ALLOWED_MIME_TYPES = DEFAULT_ALLOWED_MIME_TYPES;

  @EnvDoc({ group: 'Catalog', description: 'Seconds the content fetched for an HTTP-backed resource (`contentUrl`) is cached when the resource sets no `cacheTtl` (at most CACHE_TTL); 0 fetches on every read.' })
  @ToNumber()
  @IsInt()
  @Min(0)
  RESOURCE_CACHE_TTL = 300;

  @EnvDoc({ group: 'Catalog', description: 'Seconds an HTTP-backed resource\'s upstream may take to answer before the read fails.' })
  @ToNumber()
  @Min(0.1)
  @Max(300)
  RESOURCE_FETCH_TIMEOUT = 10;

  @EnvDoc({ group: 'Catalog', description: 'Largest prompt accepted, in bytes: its template, or the text parts of its messages together.' })
  @ToNumber()
  @IsInt()
  @Min(1)
  MAX_PROMPT_SIZE = 100 * 1024;

  @EnvDoc({
    group: 'Catalog',
    description: 'Longest a prompt may take to render, in seconds. Rendering blocks the event loop, so a runaway template is stopped (keep it under EVENT_LOOP_MAX_DELAY).',
  })
  @ToNumber()
  @Min(0.01)
  @Max(60)
  PROMPT_RENDER_TIMEOUT = 1;

  @EnvDoc({ group: 'Catalog', description: 'Most characters a rendered prompt may have (all its text together); larger renders fail with 413.' })
  @ToNumber()
  @IsInt()
  @Min(1024)
  MAX_PROMPT_OUTPUT_SIZE = 10 * 1024 * 1024;

  @EnvDoc({ group: 'Catalog', description: 'Separator between a peer slug and a tool name in federated tool names.' })
  @IsOptional()
  @IsIn(['-', '--', '_', '.', '__'])
  GATEWAY_TOOL_NAME_SEPARATOR = '-';
}
