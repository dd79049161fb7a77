import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import pretty from 'pino-pretty';
import { requestIdOf } from '../../common/context/request-id';
import { SECRET_CREDENTIAL_FIELDS } from '../../common/credentials';
import { AppConfig } from '../../config/app-config';

/** Field names, besides those of the credentials tools and peers present upstream, that hold credentials. */
const OTHER_SECRET_NAMES = ['passwd', 'secret', 'secretKey', 'apiKey', 'privateKey', 'authValue', 'authorization', 'cookie', 'jwt', 'credential', 'credentials'];

/** A camelCase name as a pattern of the same words joined by `-`, `_` or nothing (the regex ignores case). */
const wordsOf = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1[-_]?$2');

/**
 * Names of fields whose values are credentials: any name ending (in any letter case, words joined by `-`, `_` or
 * nothing) in a secret field of the credentials (SECRET_CREDENTIAL_FIELDS: password, token, auth header value, query
 * parameter value), or in secret, secret key, API key, private key, auth value, authorization, cookie, JWT or
 * credential(s). So `password`, `clientSecret`, `JWT_SECRET_KEY`, `access_token`, `x-api-key`, `authValue`,
 * `authHeaderValue`, `queryParamValue`, `proxy-authorization`, `set-cookie`, `credentials`...
 */
const SECRET_NAME = String.raw`[\w-]*?(?:${[...SECRET_CREDENTIAL_FIELDS, ...OTHER_SECRET_NAMES].map(wordsOf).join('|')})`;
/** A JSON string, a flat array of strings, a number, true, false or null (objects are left alone: their fields are checked one by one). */
const SCALAR = String.raw`"(?:[^"\\]|\\.)*"|\[\s*(?:"(?:[^"\\]|\\.)*"\s*,?\s*)*\]|-?\d[\d.eE+-]*|true|false|null`;
const SECRET_FIELD = new RegExp(String.raw`"(${SECRET_NAME})":(?:${SCALAR})`, 'gi');

/**
 * Replaces the value of every credential field of a JSON log line, at any depth, by `[redacted]`. Works on the
 * serialized line (one regular expression over a few hundred bytes, ~1 µs), where pino's path-based `redact` costs
 * tens of µs per line for every level of wildcards. A key can only match outside strings: inside one its quotes
 * are escaped.
 */
export function redactSecrets(line: string): string {
  return line.replace(SECRET_FIELD, '"$1":"[redacted]"');
}

const QUIET = /^\/(health|ready|metrics)(\/|$|\?)/;

/** pino-http's options for this configuration (the JSON and the pretty format alike are redacted). */
export function loggerOptions(config: AppConfig): Options {
  return {
    level: config.logging.level,
    hooks: { streamWrite: redactSecrets },
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
}

/**
 * Structured logs through pino (nestjs-pino): JSON lines in production, human-readable in development, level from
 * LOG_LEVEL, one line per request with its X-Request-ID (also returned to the caller and sent upstream), and
 * credentials redacted at any depth.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const options = loggerOptions(config);
        return {
          pinoHttp: config.logging.pretty ? [options, pretty({ sync: true, colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname,app' })] : options,
        };
      },
    }),
  ],
})
export class LoggingModule {}
