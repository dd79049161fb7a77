/**
 * Groups repository calls into one atomic change. Services use this abstraction and never see the ORM:
 * inside `transaction()`, every repository call joins the same database transaction, and
 * callbacks registered with `afterCommit()` run only once it has committed (e.g. to publish events).
 */
export abstract class UnitOfWork {
  abstract transaction<T>(work: () => Promise<T>): Promise<T>;

  /** Runs `fn` after the current transaction commits, or immediately when no transaction is open. */
  abstract afterCommit(fn: () => void): void;
}
