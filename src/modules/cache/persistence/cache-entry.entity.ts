import { Column, Entity, PrimaryColumn } from 'typeorm';

/** bigint columns come back as strings from PostgreSQL and MySQL; they hold milliseconds, well within 2^53. */
export const BIGINT_AS_NUMBER = { to: (v: number) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/** One cached value of the `database` cache backend (see migrations: `cache_entries`). */
@Entity('cache_entries')
export class CacheEntryEntity {
  @PrimaryColumn({ type: 'varchar' })
  cacheKey!: string;

  /** The serialized value (JSON, as Keyv stores it). */
  @Column({ type: 'text' })
  value!: string;

  /** Epoch milliseconds after which the value is gone. */
  @Column({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  expiresAt!: number;

  /** Logical clock of the last read or write (epoch microseconds): the smallest is evicted first. */
  @Column({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  accessedAt!: number;
}
