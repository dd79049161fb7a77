import { Controller, Get, Query } from '@nestjs/common';
import type { Page } from '../../common/catalog/catalog.model';
import type { AuditEntry } from './audit.model';
import { AuditService } from './audit.service';
import { ListAuditQuery } from './dto/list-audit.query';

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The change trail, newest first: `{items, nextCursor}`. */
  @Get()
  list(@Query() q: ListAuditQuery): Promise<Page<AuditEntry>> {
    return this.audit.list(
      { entityType: q.entity_type, entityId: q.entity_id, actions: q.action, actor: q.actor, since: q.since, until: q.until },
      q.limit,
      q.cursor,
    );
  }
}
