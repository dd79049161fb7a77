import { Injectable } from '@nestjs/common';
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
 * Typed access to the per-request context (nestjs-cls, AsyncLocalStorage underneath).
 * HTTP middleware fills it; jobs and internal flows use `run()` to set their own.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<GatewayClsStore>) {}

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
    if (this.cls.isActive()) this.cls.set('actor', name);
  }

  setVia(via: ChangeSource): void {
    if (this.cls.isActive()) this.cls.set('via', via);
  }

  /** Runs `fn` with its own context (inheriting the current values), overriding the given fields. */
  run<T>(overrides: Partial<Pick<GatewayClsStore, 'actor' | 'via' | 'ip' | 'userAgent'>>, fn: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      for (const [k, v] of Object.entries(overrides)) this.cls.set(k as keyof GatewayClsStore, v as never);
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
