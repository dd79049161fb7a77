import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, runMigrations } from './data-source';
import { SchemaStatus, TypeOrmSchemaStatus } from './schema-status';
import { SCHEMA_READY, TypeOrmUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

/**
 * Opens the configured database and provides the unit of work. Pending migrations are applied
 * (unless MIGRATE_ON_START=false) before the unit of work exists, hence before any repository can query.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.database), autoLoadEntities: true, retryAttempts: 0 }),
    }),
  ],
  providers: [
    {
      provide: SCHEMA_READY,
      inject: [DataSource, AppConfig],
      useFactory: async (dataSource: DataSource, config: AppConfig) =>
        config.database.migrateOnStart ? runMigrations(dataSource) : [],
    },
    TypeOrmUnitOfWork,
    { provide: UnitOfWork, useExisting: TypeOrmUnitOfWork },
    { provide: SchemaStatus, useClass: TypeOrmSchemaStatus },
  ],
  exports: [TypeOrmUnitOfWork, UnitOfWork, SchemaStatus],
})
export class DatabaseModule {}
