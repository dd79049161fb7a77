import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SchemaStatus } from '../../database/schema-status';

/** Ready only when every migration shipped with this build has been applied. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly schema: SchemaStatus,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'migrations') {
    return this.health.check(key).attempt(async () => {
      const pending = await this.schema.pendingMigrations();
      if (pending.length) throw Object.assign(new Error(`${pending.length} pending migration(s): ${pending.join(', ')}`), { pending });
      return { pending: 0 };
    });
  }
}
