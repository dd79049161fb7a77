import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_ENV, ADMIN_PASSWORD, ADMIN_USER, adminApi, buildAdminAssets, collectPageErrors, launchBrowser, screenshot, signIn } from '../support/browser';
import { startGateway, type TestGateway } from '../support/gateway';
import { type FixtureServer, startFixture } from '../support/fixture-server';
import { type HttpUpstream, startHttpUpstream } from '../support/http-upstream';

jest.setTimeout(120_000);

let gw: TestGateway;
let upstream: HttpUpstream;
let fixture: FixtureServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
const api = adminApi(() => gw.url);

const shot = (name: string) => screenshot(page, name);

const login = (p: Page) => signIn(p, gw.url);

beforeAll(async () => {
  buildAdminAssets();
  upstream = await startHttpUpstream();
  fixture = await startFixture({ name: 'fixture-peer' });
  gw = await startGateway(ADMIN_ENV);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  collectPageErrors(page, consoleErrors);
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await upstream?.close();
  await fixture?.stop();
});

describe('admin UI', () => {
  it('sends an unauthenticated browser to the login page, refuses a wrong password, and signs in', async () => {
    const res = await fetch(`${gw.url}/admin/tools`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Ftools');

    await page.goto(`${gw.url}/admin`);
    await page.waitForURL(/\/admin\/login/);
    await shot('login');
    await page.getByLabel('User name').fill(ADMIN_USER);
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

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Description').fill('Echoes the request back');
    await page.getByLabel('Upstream URL').fill('not a url');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('[data-field-error="url"]').textContent()).toBe('must be an http(s) URL');
    await page.getByLabel('Upstream URL').fill(`${upstream.url}/echo`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Echoes the request back').waitFor();
    expect(await page.getByText(/^2 · modified/).count()).toBe(1);
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

  it('answers hostile form input with a form error, never a server error', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'jwt_token')!;
    await page.goto(`${gw.url}/admin/tools`);
    const csrf = JSON.parse((await page.locator('body').getAttribute('hx-headers'))!)['X-CSRF-Token'] as string;
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${gw.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: `jwt_token=${cookie.value}`, 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const nasty = ['\u0000', 'x'.repeat(10_000), '<script>alert(1)</script>', '{"$ref": "#"}', '[]', '../../etc/passwd', '\uD800'];
    for (const value of nasty) {
      for (const path of ['/admin/tools', '/admin/servers', '/admin/resources', '/admin/prompts', '/admin/gateways', '/admin/tools/no-such-id/test', '/admin/prompts/no-such-id/rollback/1']) {
        const res = await post(path, { name: value, url: value, uri: value, inputSchema: value, headers: value, tags: value, template: value, arguments: value, 'arg.x': value });
        expect([path, value.slice(0, 20), res.status < 500]).toEqual([path, value.slice(0, 20), true]);
        if (res.status === 200 || res.status === 422) expect(await res.text()).not.toContain('<script>alert(1)</script>');
      }
    }
  });

  it('creates a virtual server exposing the tool and shows its connection snippets', async () => {
    await page.goto(`${gw.url}/admin/servers`);
    await shot('servers-empty');
    await page.getByRole('link', { name: 'New virtual server' }).click();
    await page.getByLabel('Name').fill('weather-desk');
    await page.getByLabel('Tools', { exact: true }).selectOption({ label: 'echo_tool' });
    await page.getByRole('button', { name: 'Create virtual server' }).click();
    await page.getByRole('heading', { name: 'weather-desk' }).waitFor();
    const http = await page.getByTestId('snippet-http').textContent();
    expect(http).toMatch(new RegExp(`^${gw.url}/servers/[0-9a-f]{32}/mcp$`));
    expect(await page.getByTestId('snippet-sse').textContent()).toBe(http!.replace(/mcp$/, 'sse'));
    const wrapper = JSON.parse((await page.getByTestId('snippet-wrapper').textContent())!);
    expect(wrapper.mcpServers['weather-desk']).toMatchObject({ command: 'mcpgateway-wrapper', env: { MCP_SERVER_URL: http } });
    expect(await page.getByRole('link', { name: 'echo_tool' }).count()).toBe(1);
    await shot('server-detail');
  });

  it('disables, re-enables and deletes an entity from its list (with confirmation)', async () => {
    await page.goto(`${gw.url}/admin/servers`);
    const row = page.getByTestId('row').filter({ hasText: 'weather-desk' });
    await row.getByRole('button', { name: 'Disable weather-desk' }).click();
    await row.getByTestId('status').filter({ hasText: 'Disabled' }).waitFor();
    expect((await api<Array<{ name: string; enabled: boolean }>>('GET', '/servers?include_inactive=true')).find((x) => x.name === 'weather-desk')!.enabled).toBe(false);
    await row.getByRole('button', { name: 'Enable weather-desk' }).click();
    await row.getByTestId('status').filter({ hasText: 'Enabled' }).waitFor();
    await shot('servers');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete weather-desk' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await api<unknown[]>('GET', '/servers?include_inactive=true')).length).toBe(0);
  });

  it('registers a peer MCP server, lists its tools, and tests and refreshes it', async () => {
    await page.goto(`${gw.url}/admin/gateways/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('fixture');
    // Peers take bearer, basic or a custom header (not a query parameter); the inputs follow the selected type.
    expect(await page.getByLabel('Authentication').locator('option').allTextContents()).toEqual(['None', 'Bearer token', 'Basic (user name and password)', 'API key in a header']);
    await page.getByLabel('Authentication').selectOption('authheaders');
    await page.getByLabel('Header name').fill('X-Peer-Key');
    await page.getByLabel('Header value (API key)').fill('peer-secret');
    await page.getByLabel('URL').fill('http://127.0.0.1:9/mcp');
    await page.getByRole('button', { name: 'Create peer' }).click();
    const problem = page.locator('[data-testid="form-error"], [data-field-error="url"]');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/127\.0\.0\.1:9|connect|refused|unreachable/i);
    await shot('peer-form-error');
    await page.getByLabel('URL').fill(fixture.mcpUrl);
    // The secret is never sent back to the browser: after an error it is typed again.
    expect(await page.getByLabel('Header value (API key)').inputValue()).toBe('');
    await page.getByLabel('Header value (API key)').fill('peer-secret');
    await page.getByRole('button', { name: 'Create peer' }).click();
    await page.getByRole('heading', { name: 'fixture', exact: true }).waitFor();
    const [peer] = await api<Array<{ name: string; auth: unknown }>>('GET', '/gateways');
    expect(peer.auth).toEqual({ authType: 'authheaders', authHeaderKey: 'X-Peer-Key', authHeaderValue: '*****' });
    const tools = page.getByTestId('peer-tools');
    expect(await tools.textContent()).toContain('echo');
    expect(await tools.getByRole('link').count()).toBeGreaterThan(5);

    await page.getByRole('button', { name: /Test connection/ }).click();
    const test = page.getByTestId('peer-test');
    await test.waitFor();
    expect(await test.textContent()).toContain('Connected');
    expect(await test.textContent()).toContain('tools');
    await shot('peer-detail');
    await page.getByRole('button', { name: /Refresh catalog/ }).click();
    await page.getByTestId('peer-refresh').waitFor();

    await page.goto(`${gw.url}/admin/gateways`);
    await page.getByTestId('row').filter({ hasText: 'fixture' }).getByText('reachable').waitFor();
    await shot('peers');
  });

  it('searches, filters by tag, sorts and pages the tools list', async () => {
    for (let i = 0; i < 30; i++) {
      await api('POST', '/tools', { name: `bulk_${String(i).padStart(2, '0')}`, url: `${upstream.url}/bulk`, tags: i % 2 ? ['odd'] : ['even'] });
    }
    await page.goto(`${gw.url}/admin/tools`);
    expect(await page.getByTestId('page-summary').textContent()).toMatch(/Showing 1–25 of \d+/);
    await page.getByLabel('Search').fill('bulk_1');
    await page.getByTestId('page-summary').filter({ hasText: 'of 10' }).waitFor();
    expect(page.url()).toContain('search=bulk_1');
    await page.getByLabel('Tag').selectOption('odd');
    await page.getByTestId('page-summary').filter({ hasText: 'of 5' }).waitFor();
    await page.getByRole('link', { name: /^Name/ }).click();
    await page.waitForURL(/order=desc/);
    await page.getByTestId('row').first().filter({ hasText: 'bulk_19' }).waitFor();
    // The sort order stays while the filters change.
    await page.getByLabel('Search').fill('bulk_0');
    await page.getByTestId('page-summary').filter({ hasText: 'of 5' }).waitFor();
    await page.getByTestId('row').first().filter({ hasText: 'bulk_09' }).waitFor();
    await page.getByRole('link', { name: /^Name/ }).click();
    await page.waitForURL(/order=asc/);
    await page.getByLabel('Search').fill('bulk_');
    await page.getByLabel('Tag').selectOption('');
    await page.getByTestId('page-summary').filter({ hasText: 'of 30' }).waitFor();
    await page.getByRole('link', { name: 'Next' }).click();
    await page.getByTestId('page-summary').filter({ hasText: 'Showing 26–30 of 30' }).waitFor();
    await shot('tools');
  });

  it('previews a prompt and rolls it back to an earlier version', async () => {
    const prompt = await api<{ id: string }>('POST', '/prompts', { name: 'greeting', template: 'Hello {{name}}!' });
    await page.goto(`${gw.url}/admin/prompts/${prompt.id}/edit`);
    await page.getByLabel('Template').fill('Goodbye {{name}}.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('prompt-version').filter({ hasText: 'version 2' }).waitFor();
    await page.getByLabel('name').fill('Ada');
    await page.getByRole('button', { name: 'Render preview' }).click();
    expect(await page.getByTestId('prompt-preview').textContent()).toContain('Goodbye Ada.');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByTestId('prompt-version').filter({ hasText: 'version 3' }).waitFor();
    expect(await page.getByTestId('prompt-template').textContent()).toBe('Hello {{name}}!');
    expect(await page.getByTestId('version-3').textContent()).toContain('restored from 1');
    await shot('prompt-detail');
    await page.goto(`${gw.url}/admin/prompts`);
    await shot('prompts');
  });

  it('manages resources, and shows the metrics, audit log and masked configuration', async () => {
    await page.goto(`${gw.url}/admin/resources/new`);
    await page.getByRole('textbox', { name: 'URI', exact: true }).fill('not a uri');
    await page.getByLabel('Name').fill('Readme');
    await page.getByLabel('Text content').fill('# Readme');
    await page.getByRole('button', { name: 'Create resource' }).click();
    expect(await page.locator('[data-field-error="uri"]').textContent()).toMatch(/absolute URI/);
    await page.getByRole('textbox', { name: 'URI', exact: true }).fill('file:///docs/readme.md');
    await page.getByRole('button', { name: 'Create resource' }).click();
    await page.waitForURL(/\/admin\/resources\/[0-9a-f]+$/);
    await page.goto(`${gw.url}/admin/resources`);
    await page.getByTestId('row').filter({ hasText: 'file:///docs/readme.md' }).waitFor();
    await shot('resources');

    await page.goto(`${gw.url}/admin/metrics`);
    await page.getByRole('heading', { name: 'Metrics' }).waitFor();
    await shot('metrics');
    await page.goto(`${gw.url}/admin/audit`);
    expect(await page.getByTestId('audit-row').count()).toBeGreaterThan(5);
    await page.getByLabel('Entity type').selectOption('prompt');
    await page.getByTestId('audit-row').filter({ hasText: 'rollback' }).waitFor();
    await shot('audit');
    await page.goto(`${gw.url}/admin/version`);
    expect(await page.locator('[data-setting="BASIC_AUTH_PASSWORD"]').textContent()).toBe('*****');
    expect(await page.content()).not.toContain(ADMIN_PASSWORD);
    await shot('version');
  });

  it('shows the dashboard with counts, peer health and activity, in dark mode after the toggle', async () => {
    await page.goto(`${gw.url}/admin`);
    expect(await page.getByTestId('count-Tools').textContent()).toMatch(/\d{2}/);
    await page.getByRole('link', { name: 'fixture' }).waitFor();
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate('document.documentElement.classList.contains("dark")')).toBe(true);
    await page.reload();
    expect(await page.evaluate('document.documentElement.classList.contains("dark")')).toBe(true);
    await shot('overview-dark');
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate('localStorage.getItem("theme")')).toBe('light');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Audit log' }).waitFor({ state: 'visible' });
    await shot('overview-mobile');
    expect(consoleErrors).toEqual([]);
  });

  it('signs out (CSRF-protected) and signs in again with a JWT', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${gw.url}/admin`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/login/);
    expect((await context.cookies()).find((c) => c.name === 'jwt_token')).toBeUndefined();
    const minted = await api<{ token: string }>('POST', '/tokens', { name: 'ui-test', expiresInMinutes: 10 });
    const token = minted.token;
    await page.getByText('Sign in with a JWT instead').click();
    await page.getByLabel('API token (JWT)').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${gw.url}/admin`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
});
