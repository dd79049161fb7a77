import { Injectable } from '@nestjs/common';
import { isRetryableConflict } from '../../../database/database-errors';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { EntityMetricsEntity } from './entity-metrics.entity';
import { type EntityMetricsDelta, type EntityMetricsRow, emptyRow, type MeteredKind } from './entity-metrics.model';

/** Storage of per-entity execution aggregates. `add` is additive, so any number of replicas can write. */
export abstract class EntityMetricsRepository {
  /** Adds each delta to its entity's stored aggregate (creating it), atomically. */
  abstract add(deltas: EntityMetricsDelta[]): Promise<void>;
  abstract find(kind: MeteredKind, ids: string[]): Promise<EntityMetricsRow[]>;
  /** The aggregate over every entity of a kind. */
  abstract totals(kind: MeteredKind): Promise<EntityMetricsRow>;
  /** The `limit` most executed entities of a kind. */
  abstract top(kind: MeteredKind, limit: number): Promise<EntityMetricsRow[]>;
  /** Deletes the aggregates of one entity, one kind, or all; returns how many. */
  abstract reset(kind?: MeteredKind, id?: string): Promise<number>;
}

interface TotalsRaw {
  executions: string | number | null;
  failures: string | number | null;
  total_us: string | number | null;
  min_us: string | number | null;
  max_us: string | number | null;
  last_execution_at: Date | string | null;
  last_failure_at: Date | string | null;
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

@Injectable()
export class TypeOrmEntityMetricsRepository extends EntityMetricsRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  /**
   * One upsert per entity (`ON CONFLICT ... DO UPDATE` / `ON DUPLICATE KEY UPDATE`), so a row is created and added
   * to in a single atomic statement; rows are written in key order, and a writer that still loses a lock race
   * (MySQL gap locks) retries its batch.
   */
  async add(deltas: EntityMetricsDelta[]): Promise<void> {
    if (!deltas.length) return;
    const sorted = [...deltas].sort((a, b) => (a.entityType + a.entityId < b.entityType + b.entityId ? -1 : 1));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(() => this.db.run(async (m) => {
          for (const d of sorted) {
            const [sql, params] = m.connection.driver.escapeQueryWithParameters(this.upsertSql(), this.params(d));
            await m.query(sql, params);
          }
        }));
      } catch (err) {
        if (attempt >= 5 || !isRetryableConflict(err)) throw err;
        await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
      }
    }
  }

  private params(d: EntityMetricsDelta): Record<string, unknown> {
    const at = (date: Date | null) => (date ? this.db.dateParam(date) : null);
    return {
      entityType: d.entityType,
      entityId: d.entityId,
      executions: d.executions,
      failures: d.failures,
      totalUs: d.totalUs,
      minUs: d.minUs,
      maxUs: d.maxUs,
      lastExecutionAt: at(d.lastExecutionAt),
      lastFailureAt: at(d.lastFailureAt),
      lastError: d.lastError?.slice(0, 500) ?? null,
    };
  }

  /**
   * Additive upsert. `cur(x)` is the stored value, `add(x)` the delta's. On MySQL the assignments run left to
   * right over already-updated columns, hence `last_error` before `last_failure_at`.
   */
  private upsertSql(): string {
    const mysql = this.db.dialect === 'mysql';
    const cur = (c: string) => (mysql ? c : `entity_metrics.${c}`);
    const add = (c: string) => (mysql ? `VALUES(${c})` : `excluded.${c}`);
    const newer = (c: string) => `${add(c)} IS NOT NULL AND (${cur(c)} IS NULL OR ${cur(c)} < ${add(c)})`;
    const set = [
      `executions = ${cur('executions')} + ${add('executions')}`,
      `failures = ${cur('failures')} + ${add('failures')}`,
      `total_us = ${cur('total_us')} + ${add('total_us')}`,
      `min_us = CASE WHEN ${add('min_us')} IS NOT NULL AND (${cur('min_us')} IS NULL OR ${cur('min_us')} > ${add('min_us')}) THEN ${add('min_us')} ELSE ${cur('min_us')} END`,
      `max_us = CASE WHEN ${newer('max_us')} THEN ${add('max_us')} ELSE ${cur('max_us')} END`,
      `last_execution_at = CASE WHEN ${newer('last_execution_at')} THEN ${add('last_execution_at')} ELSE ${cur('last_execution_at')} END`,
      `last_error = CASE WHEN ${newer('last_failure_at')} THEN ${add('last_error')} ELSE ${cur('last_error')} END`,
      `last_failure_at = CASE WHEN ${newer('last_failure_at')} THEN ${add('last_failure_at')} ELSE ${cur('last_failure_at')} END`,
    ].join(', ');
    return (
      'INSERT INTO entity_metrics (entity_type, entity_id, executions, failures, total_us, min_us, max_us, last_execution_at, last_failure_at, last_error) ' +
      'VALUES (:entityType, :entityId, :executions, :failures, :totalUs, :minUs, :maxUs, :lastExecutionAt, :lastFailureAt, :lastError) ' +
      (mysql ? `ON DUPLICATE KEY UPDATE ${set}` : `ON CONFLICT (entity_type, entity_id) DO UPDATE SET ${set}`)
    );
  }

  find(kind: MeteredKind, ids: string[]): Promise<EntityMetricsRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.run((m) =>
      m.getRepository(EntityMetricsEntity).createQueryBuilder('m').where('m.entity_type = :kind AND m.entity_id IN (:...ids)', { kind, ids }).getMany(),
    );
  }

  async totals(kind: MeteredKind): Promise<EntityMetricsRow> {
    const raw = await this.db.run((m) =>
      m
        .getRepository(EntityMetricsEntity)
        .createQueryBuilder('m')
        .select('SUM(m.executions)', 'executions')
        .addSelect('SUM(m.failures)', 'failures')
        .addSelect('SUM(m.total_us)', 'total_us')
        .addSelect('MIN(m.min_us)', 'min_us')
        .addSelect('MAX(m.max_us)', 'max_us')
        .addSelect('MAX(m.last_execution_at)', 'last_execution_at')
        .addSelect('MAX(m.last_failure_at)', 'last_failure_at')
        .where('m.entity_type = :kind', { kind })
        .getRawOne<TotalsRaw>(),
    );
    return {
      ...emptyRow(kind, '*'),
      executions: num(raw?.executions ?? null) ?? 0,
      failures: num(raw?.failures ?? null) ?? 0,
      totalUs: num(raw?.total_us ?? null) ?? 0,
      minUs: num(raw?.min_us ?? null),
      maxUs: num(raw?.max_us ?? null),
      lastExecutionAt: this.parseDate(raw?.last_execution_at ?? null),
      lastFailureAt: this.parseDate(raw?.last_failure_at ?? null),
    };
  }

  top(kind: MeteredKind, limit: number): Promise<EntityMetricsRow[]> {
    return this.db.run((m) =>
      m.getRepository(EntityMetricsEntity).find({ where: { entityType: kind }, order: { executions: 'DESC', entityId: 'ASC' }, take: limit }),
    );
  }

  async reset(kind?: MeteredKind, id?: string): Promise<number> {
    const result = await this.db.run((m) => {
      const q = m.getRepository(EntityMetricsEntity).createQueryBuilder().delete();
      if (kind) q.where('entity_type = :kind', { kind });
      if (kind && id) q.andWhere('entity_id = :id', { id });
      return q.execute();
    });
    return result.affected ?? 0;
  }

  /** Raw aggregate dates: Date objects, or on SQLite the stored UTC text. */
  private parseDate(v: Date | string | null): Date | null {
    if (v === null) return null;
    if (v instanceof Date) return v;
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
  }
}
