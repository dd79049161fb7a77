import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { pendingMigrations } from './data-source';

/** The state of the database schema, for readiness and diagnostics. Consumers never see the ORM. */
export abstract class SchemaStatus {
  /** Names of migrations shipped with this build but not applied yet; throws when the database is unreachable. */
  abstract pendingMigrations(): Promise<string[]>;
}

@Injectable()
export class TypeOrmSchemaStatus extends SchemaStatus {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.dataSource);
  }
}
