import type { EntityKind } from './catalog.model';

/** `rollback`: a prompt's content restored from one of its stored versions. */
export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'enable', 'disable', 'rollback'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Where catalog services record each change (the port; the audit module provides it). Call it inside the
 * transaction that makes the change, so the change and its entry commit or roll back together.
 */
export abstract class AuditTrail {
  abstract record(entityType: EntityKind, entityId: string, entityName: string | null, action: AuditAction, changedFields: string[]): Promise<void>;
}
