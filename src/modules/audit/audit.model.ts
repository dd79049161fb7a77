import type { AuditAction } from '../../common/catalog/audit-trail';
import type { EntityKind } from '../../common/catalog/catalog.model';
import type { ChangeSource } from '../../common/context/request-context';

export { AUDIT_ACTIONS, type AuditAction } from '../../common/catalog/audit-trail';

/** One append-only record of a change to the catalog. */
export interface AuditEntry {
  id: number;
  timestamp: Date;
  entityType: EntityKind;
  entityId: string;
  entityName: string | null;
  action: AuditAction;
  actor: string;
  actorIp: string | null;
  via: ChangeSource | null;
  userAgent: string | null;
  requestId: string | null;
  /** Names of the fields that changed (values are not kept: some are secrets). */
  changedFields: string[];
}

export interface AuditFilter {
  entityType?: EntityKind;
  entityId?: string;
  actions?: AuditAction[];
  actor?: string;
  since?: Date;
  until?: Date;
}
