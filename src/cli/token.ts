#!/usr/bin/env node
/**
 * Mints a JWT the gateway accepts (like the reference gateway's create_jwt_token):
 *
 *   npm run token -- --username admin --exp 1440          # 24 h (default TOKEN_EXPIRY minutes)
 *   npm run token -- -u ci-bot --exp 60 --data '{"team":"ops"}'
 *   npm run token -- --decode <token>                     # verify and print the claims
 *
 * Signs with --secret or JWT_SECRET_KEY (environment or .env), HS256, with sub/username, iat, jti, exp and the
 * configured iss/aud. --exp 0 makes a token without expiry (accepted only with REQUIRE_TOKEN_EXPIRATION=false).
 */
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/app-config';
import { TokenService } from '../modules/auth/token.service';

const USAGE = 'Usage: npm run token -- --username NAME [--exp MINUTES] [--secret KEY] [--data JSON] | --decode TOKEN';

function option(argv: string[], ...names: string[]): string | undefined {
  for (const name of names) {
    const i = argv.indexOf(name);
    if (i >= 0) return argv[i + 1];
  }
  return undefined;
}

async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const secret = option(argv, '--secret', '-s');
  const config = loadConfig({ ...process.env, ...(secret ? { JWT_SECRET_KEY: secret } : {}) });
  const tokens = new TokenService(config);
  const decode = option(argv, '--decode');
  if (decode) {
    console.log(JSON.stringify(await tokens.verify(decode), null, 2));
    return 0;
  }
  const username = option(argv, '--username', '-u');
  if (!username) {
    console.error(USAGE);
    return 2;
  }
  const exp = Number(option(argv, '--exp', '-e') ?? config.auth.tokenExpiryMinutes);
  if (!Number.isInteger(exp) || exp < 0) {
    console.error('--exp must be a whole number of minutes (0: no expiry)');
    return 2;
  }
  const data = option(argv, '--data', '-d');
  const claims = data ? (JSON.parse(data) as Record<string, unknown>) : undefined;
  const signed = await tokens.sign({ subject: username, expiresInMinutes: exp, claims });
  console.log(signed.token);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `token: ${(err as Error).message}`);
    process.exit(1);
  },
);
