import { ConsoleLogger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/app-config';
import { createTestDatabase, type TestDatabase } from './databases';

export interface TestGateway {
  app: INestApplication;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/** Environment every in-process test gateway starts from; tests override what they exercise. */
export const TEST_ENV: Record<string, string> = {
  ENVIRONMENT: 'development',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'error',
  // One log line per request is noise in test output; the logging test turns it back on.
  LOG_REQUESTS: 'false',
  AUTH_REQUIRED: 'false',
  // Test peers and upstreams listen on 127.0.0.1; the SSRF tests turn this off again.
  SSRF_ALLOW_LOCALHOST: 'true',
};

/** A provider to replace in the application (e.g. DNS resolution in SSRF tests). */
export interface ProviderOverride {
  provide: unknown;
  useValue: unknown;
}

/** A test-only module added to the application (e.g. one providing local tools, as the README documents). */
export type ModuleImport = Type<unknown> | DynamicModule;

/** Builds the whole application on a fresh database, without listening (for medium tests). */
export async function createTestApp(env: Record<string, string> = {}, db?: TestDatabase, overrides: ProviderOverride[] = [], imports: ModuleImport[] = []) {
  const database = db ?? (await createTestDatabase());
  const config = loadConfig({ ...TEST_ENV, DATABASE_URL: database.url, ...env });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config), ...imports] });
  for (const o of overrides) builder = builder.overrideProvider(o.provide).useValue(o.useValue);
  const moduleRef = await builder.setLogger(new ConsoleLogger({ logLevels: ['error', 'fatal'] })).compile();
  const app = configureApp(moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error'], forceCloseConnections: true }));
  return { app, db: database, config };
}

/** Starts the whole gateway in-process on 127.0.0.1 and a free port, on a fresh database. */
export async function startGateway(env: Record<string, string> = {}, db?: TestDatabase, overrides: ProviderOverride[] = [], imports: ModuleImport[] = []): Promise<TestGateway> {
  const { app, db: database } = await createTestApp(env, db, overrides, imports);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    db: database,
    close: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
