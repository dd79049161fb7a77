import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { compileTrust } from './common/http/client-address';
import { inputLimits } from './common/http/json-depth';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { configureAdminViews } from './modules/admin/web/view-engine';

/** Application-wide HTTP settings, shared by `main.ts` and the end-to-end tests. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  const { server } = config;
  if (server.securityHeaders) {
    // The admin UI sets its own Content-Security-Policy; API responses are JSON.
    app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  }
  if (server.corsOrigins.length) {
    // `*` means any site may read responses, but never with the browser's credentials (cookies, HTTP auth): an
    // explicit list of origins is what enables credentialed cross-origin calls.
    const anyOrigin = server.corsOrigins.includes('*');
    app.enableCors({
      origin: anyOrigin ? '*' : server.corsOrigins,
      credentials: !anyOrigin,
      exposedHeaders: ['Mcp-Session-Id', 'Retry-After', 'WWW-Authenticate'],
    });
  }
  app.useBodyParser('json', { limit: server.maxRequestBodyBytes });
  configureAdminViews(app, config.environment !== 'development', server.maxRequestBodyBytes);
  app.use(inputLimits(server.maxJsonDepth));
  app.useGlobalPipes(createValidationPipe());
  // TRUST_PROXY: whose X-Forwarded-For gives `req.ip` (WebSocket upgrades apply the same rules, see clientAddress).
  app.set('trust proxy', compileTrust(server.trustProxy));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  return app;
}
