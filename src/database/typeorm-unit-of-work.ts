import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from './unit-of-work';

/** Token of the start-up migration step; the unit of work waits for it, so no query precedes the schema. */
export const SCHEMA_READY = Symbol('SCHEMA_READY');

interface TransactionState {
  manager: EntityManager;
  afterCommit: Array<() => void>;
}

/**
 * TypeORM implementation of `UnitOfWork`. The open transaction's EntityManager travels in AsyncLocalStorage,
 * so repositories join it without it being passed around.
 *
 * SQLite (better-sqlite3) has a single connection shared by every caller: a statement issued by one request
 * while another request's transaction is open would silently become part of that transaction (and be rolled
 * back with it). So on SQLite every transaction and every standalone statement takes one mutex in turn.
 * better-sqlite3 is synchronous anyway, so this costs no throughput.
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  private readonly logger = new Logger('UnitOfWork');
  private readonly als = new AsyncLocalStorage<TransactionState>();
  private readonly serial?: Mutex;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SCHEMA_READY) _schemaReady: unknown,
  ) {
    super();
    if (dataSource.options.type === 'better-sqlite3') this.serial = new Mutex();
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.als.getStore()) return work();
    const state: TransactionState = { manager: this.dataSource.manager, afterCommit: [] };
    const run = () =>
      this.dataSource.transaction((manager) => {
        state.manager = manager;
        return this.als.run(state, work);
      });
    const result = this.serial ? await this.serial.runExclusive(run) : await run();
    for (const fn of state.afterCommit) {
      try {
        fn();
      } catch (err) {
        this.logger.error(`after-commit callback failed: ${(err as Error).stack ?? err}`);
      }
    }
    return result;
  }

  afterCommit(fn: () => void): void {
    const state = this.als.getStore();
    if (state) state.afterCommit.push(fn);
    else fn();
  }

  /** Runs database work on the current transaction, or on its own (serialized on SQLite). For repositories. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const state = this.als.getStore();
    if (state) return work(state.manager);
    if (this.serial) return this.serial.runExclusive(() => work(this.dataSource.manager));
    return work(this.dataSource.manager);
  }

  /** A Date as a query parameter: SQLite stores DATETIME as UTC text (`YYYY-MM-DD HH:MM:SS.SSS`), so compare with that spelling. */
  dateParam(d: Date): Date | string {
    return this.dialect === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', '') : d;
  }

  get dialect(): 'sqlite' | 'postgres' | 'mysql' {
    const t = this.dataSource.options.type;
    return t === 'better-sqlite3' ? 'sqlite' : t === 'postgres' ? 'postgres' : 'mysql';
  }
}
