import type { Page } from '../../../common/catalog/catalog.model';
import type { AuditEntry, AuditFilter } from '../audit.model';

/** Append-only storage of audit entries. There is deliberately no update or delete. */
export abstract class AuditRepository {
  abstract append(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first; the cursor is the id of the last entry of the previous page. */
  abstract list(filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditEntry>>;
}
