import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, type Observable, switchMap } from 'rxjs';
import { EntityMetricsService } from './entity-metrics.service';
import type { MeteredKind } from './entity-metrics.model';

const METERED = 'metrics:kind';

type Item = { id: string; metrics?: unknown };
const isItem = (v: unknown): v is Item => !!v && typeof v === 'object' && typeof (v as Item).id === 'string';

/** The entities in a read response: one item, an array, or a paginated `{ <kind>s: [...] }` page. */
function itemsOf(body: unknown): Item[] {
  if (Array.isArray(body)) return body.filter(isItem);
  if (isItem(body)) return [body];
  if (body && typeof body === 'object') {
    const list = Object.values(body).find(Array.isArray);
    if (list) return list.filter(isItem);
  }
  return [];
}

/**
 * Adds each entity's execution `metrics` to the GET responses of a catalog controller (one query per response,
 * whatever the page size), like the reference gateway's read models.
 */
@Injectable()
export class EntityMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: EntityMetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const kind = this.reflector.getAllAndOverride<MeteredKind | null | undefined>(METERED, [context.getHandler(), context.getClass()]);
    if (!kind || context.switchToHttp().getRequest<Request>().method !== 'GET') return next.handle();
    return next.handle().pipe(
      switchMap((body: unknown) =>
        from(
          (async () => {
            const items = itemsOf(body);
            if (!items.length) return body;
            const byId = await this.metrics.forEntities(kind, [...new Set(items.map((i) => i.id))]);
            for (const item of items) item.metrics = byId.get(item.id);
            return body;
          })(),
        ),
      ),
    );
  }
}

/** Marks a catalog controller whose GET responses carry per-entity metrics. */
export const WithEntityMetrics = (kind: MeteredKind): ClassDecorator => applyDecorators(SetMetadata(METERED, kind), UseInterceptors(EntityMetricsInterceptor));

/** On one route of such a controller: its items are of another kind (e.g. a server's tools), or none (`null`). */
export const MeteredAs = (kind: MeteredKind | null): MethodDecorator => SetMetadata(METERED, kind);
