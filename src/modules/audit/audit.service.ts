import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../common/catalog/audit-trail';
import type { EntityKind, Page } from '../../common/catalog/catalog.model';
import { pageSize } from '../../common/catalog/page-size';
import { RequestContext } from '../../common/context/request-context';
import { AppConfig } from '../../config/app-config';
import type { AuditAction, AuditEntry, AuditFilter } from './audit.model';
import { AuditRepository } from './repositories/audit.repository';

/** The append-only change trail: records each change for the current actor, and lists it newest first. */
@Injectable()
export class AuditService extends AuditTrail {
  constructor(
    private readonly repo: AuditRepository,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {
    super();
  }

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
    return this.repo.list(filter, pageSize(limit, this.config.catalog), cursor);
  }
}
