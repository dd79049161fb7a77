import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { pendingMigrations } from '../../database/data-source';

/** Ready only when every migration shipped with this build has been applied. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'migrations') {
    return this.health.check(key).attempt(async () => {
      const pending = await pendingMigrations(this.dataSource);
      if (pending.length) throw Object.assign(new Error(`${pending.length} pending migration(s): ${pending.join(', ')}`), { pending });
      return { pending: 0 };
    });
  }
}
