import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CLS_ID, ClsService, ClsServiceManager, ClsStore } from 'nestjs-cls';

/** How a change reached the gateway; stored in the `createdVia`/`modifiedVia` audit fields. */
export type ChangeSource = 'api' | 'ui' | 'federation' | 'import' | 'mcp' | 'system';

export interface GatewayClsStore extends ClsStore {
  actor?: string;
  ip?: string;
  userAgent?: string;
  via?: ChangeSource;
}

/** Who is doing what, from where: the audit facts of the current request or job. */
export interface Actor {
  requestId?: string;
  name: string;
  ip?: string;
  userAgent?: string;
  via: ChangeSource;
}

/**
 * The longest value of each audit fact, in characters: the sizes of the `*_by`, `*_from_ip` and `*_user_agent`
 * columns (migrations/portable.ts `auditColumns()`, `audit_trail`). Values are cut to fit when they enter the
 * context, so no writer can overflow a column (PostgreSQL and MariaDB refuse an over-long value).
 */
export const CONTEXT_LIMITS = { actor: 255, ip: 45, userAgent: 512 } as const;

/** `value` cut to at most `max` characters (code points, as the databases count them). */
export function clip(value: string, max: number): string;
export function clip(value: string | undefined, max: number): string | undefined;
export function clip(value: string | undefined, max: number): string | undefined {
  if (value === undefined || value.length <= max) return value;
  return Array.from(value).slice(0, max).join('');
}

type ContextValues = Partial<Pick<GatewayClsStore, 'actor' | 'via' | 'ip' | 'userAgent'>>;

/** The values with each one cut to its column size. */
function fitted(values: ContextValues): ContextValues {
  const out: ContextValues = { ...values };
  for (const key of ['actor', 'ip', 'userAgent'] as const) {
    if (typeof out[key] === 'string') out[key] = clip(out[key], CONTEXT_LIMITS[key]);
  }
  return out;
}

/** The audit facts of an HTTP request (client address and User-Agent), fitted to their columns. */
export function requestValues(req: Pick<IncomingMessage, 'headers'> & { ip?: string }): ContextValues {
  const agent = req.headers['user-agent'];
  return fitted({ ip: req.ip, userAgent: typeof agent === 'string' ? agent : undefined, via: 'api' });
}

/**
 * Typed access to the per-request context (nestjs-cls, AsyncLocalStorage underneath).
 * HTTP middleware fills it (`setup`); jobs and internal flows use `run()` to set their own.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<GatewayClsStore>) {}

  /** The nestjs-cls middleware `setup` hook: stores the request's audit facts, each fitted to its column. */
  static setup(cls: ClsService, req: Pick<IncomingMessage, 'headers'> & { ip?: string }): void {
    for (const [key, value] of Object.entries(requestValues(req))) cls.set(key, value);
  }

  actor(): Actor {
    if (!this.cls.isActive()) return { name: 'system', via: 'system' };
    return {
      requestId: this.cls.getId(),
      name: this.cls.get('actor') ?? 'anonymous',
      ip: this.cls.get('ip'),
      userAgent: this.cls.get('userAgent'),
      via: this.cls.get('via') ?? 'api',
    };
  }

  requestId(): string | undefined {
    return this.cls.isActive() ? this.cls.getId() : undefined;
  }

  setActor(name: string): void {
    if (this.cls.isActive()) this.cls.set('actor', clip(name, CONTEXT_LIMITS.actor));
  }

  setVia(via: ChangeSource): void {
    if (this.cls.isActive()) this.cls.set('via', via);
  }

  /** Runs `fn` with its own context (inheriting the current values), overriding the given fields. */
  run<T>(overrides: ContextValues, fn: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      for (const [k, v] of Object.entries(fitted(overrides))) this.cls.set(k as keyof GatewayClsStore, v as never);
      return fn();
    });
  }
}

/**
 * Runs `fn` in a request context whose correlation id is `requestId` (already checked, see `requestIdOf`), unless a
 * context is active. For work that does not enter through Express (WebSocket messages): what it sends upstream then
 * carries the id like any request's.
 */
export function inRequestContext<T>(requestId: string | undefined, fn: () => T): T {
  const cls = ClsServiceManager.getClsService();
  if (!requestId || cls.isActive()) return fn();
  return cls.run(() => {
    cls.set(CLS_ID, requestId);
    return fn();
  });
}
