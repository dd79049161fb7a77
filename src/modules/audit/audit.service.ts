import { Injectable } from '@nestjs/common';
import type { EntityKind, Page } from '../../common/catalog/catalog.model';
import { RequestContext } from '../../common/context/request-context';
import { AppConfig } from '../../config/app-config';
import type { AuditAction, AuditEntry, AuditFilter } from './audit.model';
import { AuditRepository } from './repositories/audit.repository';

@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {}

  /** Appends one entry for the current actor. Call inside the transaction that makes the change. */
  async record(entityType: EntityKind, entityId: string, entityName: string | null, action: AuditAction, changedFields: string[]): Promise<void> {
    const actor = this.context.actor();
    await this.repo.append({
      timestamp: new Date(),
      entityType,
      entityId,
      entityName: entityName?.slice(0, 767) ?? null,
      action,
      // The request context already fits actor, IP and User-Agent to their columns (CONTEXT_LIMITS).
      actor: actor.name,
      actorIp: actor.ip ?? null,
      via: actor.via,
      userAgent: actor.userAgent ?? null,
      requestId: actor.requestId?.slice(0, 64) ?? null,
      changedFields: [...changedFields].sort(),
    });
  }

  list(filter: AuditFilter, limit?: number, cursor?: string): Promise<Page<AuditEntry>> {
    const { defaultPageSize, maxPageSize } = this.config.catalog;
    const size = limit === undefined ? defaultPageSize : limit === 0 ? maxPageSize : Math.min(limit, maxPageSize);
    return this.repo.list(filter, size, cursor);
  }
}
