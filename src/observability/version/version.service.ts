import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname, platform, release } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { envDocs } from '../../config/env.decorators';
import { EnvironmentVariables } from '../../config/environment';
import { MASK } from '../../common/credentials';
import { PACKAGE } from '../../common/package-info';
import { pendingMigrations } from '../../database/data-source';

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
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async info(): Promise<VersionInfo> {
    let pending: number | null = null;
    let reachable = true;
    try {
      pending = (await pendingMigrations(this.dataSource)).length;
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
