import { Injectable } from '@nestjs/common';
import { hostname, platform, release } from 'node:os';
import { AppConfig } from '../../config/app-config';
import { envDocs } from '../../config/env.decorators';
import { EnvironmentVariables } from '../../config/environment';
import { MASK } from '../../common/credentials';
import { PACKAGE } from '../../common/package-info';
import { SchemaStatus } from '../../database/schema-status';

export interface VersionInfo {
  timestamp: string;
  host: string;
  uptimeSeconds: number;
  app: { name: string; version: string; description: string; packageName: string };
  platform: { node: string; os: string; arch: string };
  database: { dialect: string; reachable: boolean; pendingMigrations: number | null };
  settings: Record<string, unknown>;
}

/** Effective configuration with every sensitive variable masked. */
export function maskedSettings(config: AppConfig): Record<string, unknown> {
  const docs = envDocs(EnvironmentVariables.prototype);
  return Object.fromEntries(
    Object.entries(config.env).map(([k, v]) => [k, docs.get(k)?.sensitive ? (Array.isArray(v) ? v.map(() => MASK) : MASK) : v]),
  );
}

@Injectable()
export class VersionService {
  constructor(
    private readonly config: AppConfig,
    private readonly schema: SchemaStatus,
  ) {}

  async info(): Promise<VersionInfo> {
    let pending: number | null = null;
    let reachable = true;
    try {
      pending = (await this.schema.pendingMigrations()).length;
    } catch {
      reachable = false;
    }
    return {
      timestamp: new Date().toISOString(),
      host: hostname(),
      uptimeSeconds: Math.round(process.uptime()),
      app: { name: this.config.server.appName, version: PACKAGE.version, description: PACKAGE.description, packageName: PACKAGE.name },
      platform: { node: process.version, os: `${platform()} ${release()}`, arch: process.arch },
      database: { dialect: this.config.database.dialect, reachable, pendingMigrations: pending },
      settings: maskedSettings(this.config),
    };
  }
}
