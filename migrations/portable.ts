import { QueryRunner, TableColumnOptions, TableForeignKeyOptions, TableIndexOptions } from 'typeorm';

/**
 * Column builders for hand-written migrations that render correctly on SQLite, PostgreSQL and MySQL/MariaDB.
 * Everything goes through TypeORM's QueryRunner schema API; only the type names differ per dialect.
 */
export function portable(queryRunner: QueryRunner) {
  const type = queryRunner.connection.options.type;
  const mysql = type === 'mysql' || type === 'mariadb';
  const postgres = type === 'postgres';
  /** Case-sensitive comparison for unique keys, matching PostgreSQL and SQLite semantics on MySQL. */
  const binary = mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};

  const col = {
    /** A 32-character hex id (uuid4 without dashes), stored in varchar(36) for compatibility. */
    id: (name = 'id', primary = true): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: primary, ...binary }),
    ref: (name: string, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable, ...binary }),
    string: (name: string, length: number, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
    /** A string that takes part in a unique key: byte-wise comparison on every dialect. */
    key: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable, ...binary }),
    /** Unbounded text (LONGTEXT on MySQL, whose TEXT stops at 64 KB). */
    text: (name: string, nullable = true): TableColumnOptions => ({ name, type: mysql ? 'longtext' : 'text', isNullable: nullable }),
    /** JSON document stored as text (TypeORM `simple-json`): portable and indexable nowhere, by design. */
    json: (name: string, nullable = true): TableColumnOptions => ({ name, type: mysql ? 'longtext' : 'text', isNullable: nullable }),
    bool: (name: string, defaultValue: boolean): TableColumnOptions => ({
      name,
      type: 'boolean',
      isNullable: false,
      default: postgres ? String(defaultValue) : defaultValue ? 1 : 0,
    }),
    int: (name: string, defaultValue?: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'integer',
      isNullable: nullable,
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    }),
    bigint: (name: string, nullable = true): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable }),
    float: (name: string, nullable = true): TableColumnOptions => ({ name, type: postgres ? 'double precision' : mysql ? 'double' : 'real', isNullable: nullable }),
    /** Instant in time: timestamptz on PostgreSQL, DATETIME(3) in UTC on MySQL, ISO text on SQLite. */
    timestamp: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: postgres ? 'timestamptz' : 'datetime',
      ...(mysql ? { precision: 3 } : {}),
      isNullable: nullable,
    }),
    /** Auto-increment integer primary key (SERIAL / AUTO_INCREMENT / INTEGER PRIMARY KEY AUTOINCREMENT). */
    serial: (name = 'id'): TableColumnOptions => ({
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
  };

  /** The audit metadata every catalog entity carries. */
  const auditColumns = (): TableColumnOptions[] => [
    col.timestamp('created_at'),
    col.string('created_by', 255),
    col.string('created_from_ip', 45),
    col.string('created_via', 32),
    col.string('created_user_agent', 512),
    col.timestamp('modified_at'),
    col.string('modified_by', 255),
    col.string('modified_from_ip', 45),
    col.string('modified_via', 32),
    col.string('modified_user_agent', 512),
    col.int('version', 1),
    col.string('import_batch_id', 36),
    col.string('federation_source', 255),
  ];

  const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE'): TableForeignKeyOptions => ({
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete,
  });

  const index = (table: string, columns: string[], unique = false): TableIndexOptions => ({
    name: `${unique ? 'uq' : 'ix'}_${table}_${columns.join('_')}`,
    columnNames: columns,
    isUnique: unique,
  });

  return { col, auditColumns, fk, index, mysql, postgres };
}
