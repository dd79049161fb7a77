import { QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
  errno?: number;
  /** PostgreSQL: the violated constraint's name. */
  constraint?: string;
  /** PostgreSQL: e.g. `Key (id)=(x) already exists.` */
  detail?: string;
  /** MySQL/MariaDB: e.g. `Duplicate entry 'x' for key 'PRIMARY'`. */
  sqlMessage?: string;
  message?: string;
}

function driverError(err: unknown): DriverError | undefined {
  return err instanceof QueryFailedError ? (err.driverError as DriverError) : undefined;
}

/** True when a statement failed on a UNIQUE or PRIMARY KEY constraint (PostgreSQL, MySQL/MariaDB, SQLite). */
export function isUniqueViolation(err: unknown): boolean {
  const e = driverError(err);
  return !!e && (e.code === '23505' || e.code === 'ER_DUP_ENTRY' || e.errno === 1062 || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

/**
 * True when a statement failed on a duplicate PRIMARY KEY (as opposed to another unique key): PostgreSQL names the
 * constraint (`PK_...` as TypeORM creates it, or `..._pkey`), MySQL/MariaDB the key `PRIMARY`, SQLite has its own code.
 */
export function isPrimaryKeyViolation(err: unknown): boolean {
  const e = driverError(err);
  if (!e || !isUniqueViolation(err)) return false;
  if (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  if (e.code === '23505') return /^PK_|_pkey$/.test(e.constraint ?? '');
  return /for key '(?:[^']*\.)?PRIMARY'/.test(e.sqlMessage ?? e.message ?? '');
}

/** True when a statement failed on a FOREIGN KEY constraint. */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = driverError(err);
  return !!e && (e.code === '23503' || e.code === 'ER_NO_REFERENCED_ROW_2' || e.errno === 1452 || e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY');
}

/** True when a transaction lost a lock race (deadlock, serialization failure, busy database) and may simply be retried. */
export function isRetryableConflict(err: unknown): boolean {
  const e = driverError(err);
  return !!e && (e.code === '40P01' || e.code === '40001' || e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213 || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205 || e.code === 'SQLITE_BUSY');
}
