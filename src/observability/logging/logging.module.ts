import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pretty from 'pino-pretty';
import { requestIdOf } from '../../common/context/request-id';
import { AppConfig } from '../../config/app-config';

/** Paths pino blanks out wherever they occur in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.authValue',
  '*.authHeaderValue',
  '*.secret',
  '*.apiKey',
];

const QUIET = /^\/(health|ready|metrics)(\/|$|\?)/;

/**
 * Structured logs through pino (nestjs-pino): JSON lines in production, human-readable in development, level from
 * LOG_LEVEL, one line per request with its X-Request-ID (also returned to the caller and sent upstream), and
 * credentials redacted.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const options = {
          level: config.logging.level,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
          autoLogging: config.logging.requests ? { ignore: (req: IncomingMessage) => QUIET.test(req.url ?? '') } : false,
          // Upstream failures (502-504) are the peer's problem, not this process's: warn, like client errors.
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode === 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          quietReqLogger: true,
          // One compact line per request: no header dumps (they may carry credentials and are rarely useful).
          serializers: {
            req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          base: { app: config.server.appName },
        };
        return {
          pinoHttp: config.logging.pretty ? [options, pretty({ sync: true, colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname,app' })] : options,
        };
      },
    }),
  ],
})
export class LoggingModule {}
