import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildAdminAssets, launchBrowser, SCREENSHOTS } from '../support/browser';
import { startGateway, type TestGateway } from '../support/gateway';
import { type HttpUpstream, startHttpUpstream } from '../support/http-upstream';

const USER = 'ops';
const PASSWORD = 'correct horse battery';
const ENV = { AUTH_REQUIRED: 'true', JWT_SECRET_KEY: 'ui-test-secret-0123456789abcdef-0123456789', BASIC_AUTH_USER: USER, BASIC_AUTH_PASSWORD: PASSWORD };

jest.setTimeout(120_000);

let gw: TestGateway;
let upstream: HttpUpstream;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function login(p: Page): Promise<void> {
  await p.goto(`${gw.url}/admin/login`);
  await p.getByLabel('User name').fill(USER);
  await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${gw.url}/admin`);
}

beforeAll(async () => {
  buildAdminAssets();
  upstream = await startHttpUpstream();
  gw = await startGateway(ENV);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await upstream?.close();
});

describe('admin UI', () => {
  it('sends an unauthenticated browser to the login page, refuses a wrong password, and signs in', async () => {
    const res = await fetch(`${gw.url}/admin/tools`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Ftools');

    await page.goto(`${gw.url}/admin`);
    await page.waitForURL(/\/admin\/login/);
    await shot('login');
    await page.getByLabel('User name').fill(USER);
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Invalid user name or password');

    await login(page);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'jwt_token');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await shot('overview');
  });

  it('serves admin pages with a strict CSP, no framing, nosniff, and local assets only', async () => {
    const res = await page.goto(`${gw.url}/admin/tools`);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    const html = await page.content();
    const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    expect(assets.filter((u) => !u.startsWith('/admin/static/'))).toEqual([]);
    const css = await fetch(`${gw.url}/admin/static/admin.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toContain('--tw');
  });

  it('creates a REST tool through the form, showing a validation error next to the field first', async () => {
    await page.goto(`${gw.url}/admin/tools/new`);
    await page.getByLabel('Name').first().fill('bad name!');
    await page.getByLabel('Upstream URL').fill(`${upstream.url}/echo`);
    await page.getByRole('button', { name: 'Create tool' }).click();
    const error = page.locator('[data-field-error="name"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/must be 1-128 characters/);
    expect(await page.getByLabel('Name').first().getAttribute('aria-invalid')).toBe('true');
    await shot('tool-form-error');

    await page.getByLabel('Name').first().fill('echo_tool');
    await page.getByLabel('Input schema (JSON Schema)').fill(JSON.stringify({ type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] }));
    await page.getByLabel('Tags (comma-separated)').fill('weather, demo');
    await page.getByRole('button', { name: 'Create tool' }).click();
    await page.getByRole('heading', { name: 'echo_tool' }).waitFor();
    await shot('tool-detail');
  });

  it('tests the tool against its upstream with a form generated from the input schema', async () => {
    await page.getByLabel(/^city/).fill('Paris');
    await page.getByLabel(/^days/).fill('3');
    await page.getByRole('button', { name: /Run/ }).click();
    const result = page.getByTestId('tool-result');
    await result.waitFor();
    const text = await result.textContent();
    expect(text).toContain('Paris');
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'POST', path: '/echo' });
    expect(JSON.parse(upstream.requests.at(-1)!.body)).toEqual({ city: 'Paris', days: 3 });
    await shot('tool-test');
  });

  it('rejects a state-changing request without a valid CSRF token', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'jwt_token')!;
    const headers = { cookie: `jwt_token=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' };
    const tool = await (await fetch(`${gw.url}/tools?include_inactive=true`, { headers })).json();
    const id = (tool as Array<{ id: string; name: string }>).find((t) => t.name === 'echo_tool')!.id;
    const missing = await fetch(`${gw.url}/admin/tools/${id}/toggle`, { method: 'POST', headers });
    expect(missing.status).toBe(403);
    const wrong = await fetch(`${gw.url}/admin/tools/${id}/toggle`, { method: 'POST', headers: { ...headers, 'x-csrf-token': 'forged' } });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('CSRF token is invalid');
  });
});
