import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, concatMap, from, map, type Observable, throwError } from 'rxjs';
import { CatalogCoherence } from './catalog-coherence.service';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Holds the answer to a request that may have changed the catalog until the new version tokens are written (a few
 * milliseconds, one statement): a client that saw the answer then gets the new state from any replica it asks.
 */
@Injectable()
export class CacheCoherenceInterceptor implements NestInterceptor {
  constructor(private readonly coherence: CatalogCoherence) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || READS.has(context.switchToHttp().getRequest<Request>().method)) return next.handle();
    return next.handle().pipe(
      concatMap((value) => from(this.coherence.settled()).pipe(map(() => value))),
      catchError((err: unknown) => from(this.coherence.settled()).pipe(concatMap(() => throwError(() => err)))),
    );
  }
}
