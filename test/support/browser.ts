import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ROOT } from './process';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-output', 'ui');

/** Builds the admin UI's CSS and script copies (public/build) the way `npm run build` does. */
export function buildAdminAssets(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-assets.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building admin assets failed:\n${r.stderr}`);
}

/** Headless Chromium (the Debian package; see scripts/ensure-chromium.sh). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/ensure-chromium.sh`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The admin credentials the browser tests start their gateway with. */
export const ADMIN_USER = 'ops';
export const ADMIN_PASSWORD = 'correct horse battery';
export const ADMIN_ENV = {
  AUTH_REQUIRED: 'true',
  JWT_SECRET_KEY: 'ui-test-secret-0123456789abcdef-0123456789',
  BASIC_AUTH_USER: ADMIN_USER,
  BASIC_AUTH_PASSWORD: ADMIN_PASSWORD,
};

/** A JSON client of the gateway's REST API with the admin's Basic credentials; a non-2xx answer throws. */
export function adminApi(baseUrl: () => string) {
  const authorization = `Basic ${Buffer.from(`${ADMIN_USER}:${ADMIN_PASSWORD}`).toString('base64')}`;
  return async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl()}${path}`, { method, headers: { authorization, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/** Saves a full-page screenshot as test-output/ui/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the login form and waits for the overview. */
export async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.getByLabel('User name').fill(ADMIN_USER);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/admin`);
}

/**
 * Collects script errors, CSP violations and 5xx responses of a page into `sink` (HTTP error statuses the tests
 * provoke on purpose are not collected).
 */
export function collectPageErrors(page: Page, sink: string[]): void {
  // htmx logs every 4xx answer it swaps (e.g. a 404 shown in the flash area) as a console error: those are provoked.
  const provoked = (text: string) => text.startsWith('Failed to load resource') || /^Response Status Error Code 4\d\d /.test(text);
  page.on('console', (m) => m.type() === 'error' && !provoked(m.text()) && sink.push(m.text()));
  page.on('response', (r) => r.status() >= 500 && sink.push(`${r.status()} ${r.url()}`));
  page.on('pageerror', (e) => sink.push(e.message));
}
