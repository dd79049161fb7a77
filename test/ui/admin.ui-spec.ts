import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_CA_PEM } from '../factories/certificates';
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
    // Focus lands on the first invalid field, which stays linked to both its error and its help text.
    // Locators, not waitForFunction: polling a string predicate runs eval in the page, which the admin CSP forbids.
    await page.locator('#f-name:focus').waitFor();
    expect(await page.locator('#f-name').getAttribute('aria-describedby')).toBe('f-name-error f-name-help');
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

    // Emptying optional fields on an edit clears them (not "keep the old value").
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Description').fill('');
    await page.getByLabel('Display name').fill('');
    await page.getByLabel('Annotations (JSON)').fill('{"readOnlyHint": true}');
    await shot('tool-edit-form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^3 · modified/).waitFor();
    expect(await page.getByText('Echoes the request back').count()).toBe(0);
    const [saved] = (await api<Array<{ name: string; description: string | null; annotations: object }>>('GET', '/tools?include_inactive=true')).filter((t) => t.name === 'echo_tool');
    expect(saved).toMatchObject({ description: null, annotations: { readOnlyHint: true } });
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Annotations (JSON)').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^4 · modified/).waitFor();
    const [cleared] = (await api<Array<{ name: string; annotations: object | null }>>('GET', '/tools?include_inactive=true')).filter((t) => t.name === 'echo_tool');
    expect(cleared.annotations).toBeNull();
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
    // The searchable picker: type in the search box (the server searches), tick the match; Enter does not submit.
    const picker = page.getByTestId('picker-associatedTools');
    await picker.getByRole('searchbox', { name: 'Search tools' }).fill('echo');
    await picker.getByRole('searchbox', { name: 'Search tools' }).press('Enter');
    await picker.getByTestId('picker-results').getByRole('checkbox', { name: /echo_tool/ }).check();
    await shot('server-form');
    expect(page.url()).toMatch(/\/admin\/servers\/new$/);
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
    // Names are prefixed with the peer's by default; no fail-over primary and no custom CA unless chosen.
    expect(await page.getByLabel("Prefix the peer's tool and prompt names with its name").isChecked()).toBe(true);
    expect(await page.getByLabel('Fail-over alternate of').inputValue()).toBe('');
    expect(await page.getByLabel('CA certificate (PEM)').inputValue()).toBe('');
    await shot('peer-form');
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
    expect(await page.getByTestId('peer-ca').textContent()).toContain('system CAs');
    expect(await page.getByTestId('peer-failover').textContent()).toContain('no alternates');
    // The peer's resources and prompts are listed too.
    expect(await page.getByTestId('peer-resources').getByRole('link').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('peer-prompts').getByRole('link').count()).toBeGreaterThan(0);

    await page.goto(`${gw.url}/admin/gateways`);
    await page.getByTestId('row').filter({ hasText: 'fixture' }).getByText('reachable').waitFor();
    await shot('peers');
  });

  it('edits a peer through its form (CA certificate, description) and registers a fail-over alternate of it', async () => {
    await page.getByRole('link', { name: 'fixture', exact: true }).click();
    await page.getByTestId('detail-actions').getByRole('link', { name: 'Edit' }).click();
    // An edit cannot make a peer an alternate: the choice is shown, not editable.
    expect(await page.getByLabel('Fail-over alternate of').isDisabled()).toBe(true);
    await page.getByLabel('Description').fill('The fixture MCP server');
    await page.getByLabel('CA certificate (PEM)').fill('not a certificate');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('[data-field-error="caCertificate"]').textContent()).toMatch(/PEM certificates/);
    await page.getByLabel('CA certificate (PEM)').fill(TEST_CA_PEM);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The fixture MCP server').waitFor();
    expect(await page.getByTestId('peer-ca').textContent()).toMatch(/custom CA \(1 certificate\)[\s\S]*CN=Test Peer CA[\s\S]*valid until 2126/);

    // The same server over SSE as the fail-over alternate of the first registration.
    await page.goto(`${gw.url}/admin/gateways/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('fixture-sse');
    await page.getByLabel('URL').fill(fixture.sseUrl);
    await page.getByLabel('Fail-over alternate of').selectOption({ label: 'fixture' });
    await page.getByRole('button', { name: 'Create peer' }).click();
    await page.getByRole('heading', { name: 'fixture-sse' }).waitFor();
    expect(await page.getByTestId('peer-failover').textContent()).toMatch(/alternate of\s+fixture/);
    await page.getByTestId('peer-failover').getByRole('link', { name: 'fixture' }).click();
    await page.getByTestId('peer-failover').getByRole('link', { name: 'fixture-sse' }).waitFor();
    await shot('peer-detail-alternate');

    // Clearing the CA (an emptied optional field) goes back to the system's CAs.
    await page.getByTestId('detail-actions').getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('CA certificate (PEM)').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('peer-ca').filter({ hasText: 'system CAs' }).waitFor();
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
    expect(await page.getByRole('link', { name: 'First page' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Last page' }).click();
    await page.getByTestId('page-summary').filter({ hasText: 'Showing 26–30 of 30' }).waitFor();
    expect(await page.getByTestId('page-indicator').textContent()).toBe('Page 2 of 2');
    expect(await page.getByRole('link', { name: 'Last page' }).count()).toBe(0);
    await shot('tools');
    await page.getByRole('link', { name: 'First page' }).click();
    await page.getByTestId('page-summary').filter({ hasText: 'Showing 1–25 of 30' }).waitFor();
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByTestId('page-indicator').filter({ hasText: 'Page 2 of 2' }).waitFor();
  });

  it("lists a peer's tools in full from its page (the list's source filter)", async () => {
    const peer = (await api<Array<{ id: string; name: string }>>('GET', '/gateways')).find((g) => g.name === 'fixture')!;
    await page.goto(`${gw.url}/admin/gateways/${peer.id}`);
    const shown = await page.getByTestId('peer-tools').getByRole('link').count();
    await page.getByTestId('peer-tools-all').click();
    await page.waitForURL(new RegExp(`/admin/tools\\?gateway=${peer.id}$`));
    expect(await page.getByLabel('Source', { exact: true }).inputValue()).toBe(peer.id);
    expect(await page.getByTestId('row').count()).toBe(Math.min(shown, 25));
    expect(await page.getByTestId('row').filter({ hasNotText: 'MCP · fixture' }).count()).toBe(0);
    await page.getByLabel('Source', { exact: true }).selectOption({ label: 'This gateway (local)' });
    await page.getByTestId('page-summary').filter({ hasText: 'of 31' }).waitFor();
    expect(await page.getByTestId('row').filter({ hasText: 'MCP · fixture' }).count()).toBe(0);
  });

  it("changes a virtual server's membership through its form, found by search among the tools", async () => {
    await page.goto(`${gw.url}/admin/servers/new`);
    await page.getByLabel('Name').fill('ops-desk');
    const tools = page.getByTestId('picker-associatedTools');
    // Without a search the picker offers the first matches by name and says how many more there are.
    expect(await tools.getByTestId('picker-results').getByRole('checkbox').count()).toBe(20);
    expect(await tools.textContent()).toMatch(/\d+ more match: refine the search/);
    await tools.getByRole('searchbox').fill('bulk_0');
    await tools.getByTestId('picker-results').getByRole('checkbox', { name: /bulk_07/ }).check();
    await tools.getByRole('searchbox').fill('echo_');
    // The ticked match moved to the chosen list when the results changed.
    await tools.getByTestId('picker-chosen').getByRole('checkbox', { name: /bulk_07/ }).waitFor();
    await tools.getByTestId('picker-results').getByRole('checkbox', { name: /echo_tool/ }).check();
    const resources = page.getByTestId('picker-associatedResources');
    await resources.getByRole('searchbox').fill('no-such-resource');
    await resources.getByText('No resources match.').waitFor();
    await page.getByRole('button', { name: 'Create virtual server' }).click();
    await page.getByRole('heading', { name: 'ops-desk' }).waitFor();
    expect(await page.locator('#s-tools').textContent()).toBe('Tools (2)');

    await page.getByTestId('detail-actions').getByRole('link', { name: 'Edit' }).click();
    await tools.getByTestId('picker-chosen').getByRole('checkbox', { name: /echo_tool/ }).uncheck();
    await tools.getByRole('searchbox').fill('bulk_29');
    await tools.getByTestId('picker-results').getByRole('checkbox', { name: /bulk_29/ }).focus();
    await page.keyboard.press('Space');
    expect(await tools.getByTestId('picker-results').getByRole('checkbox', { name: /bulk_29/ }).isChecked()).toBe(true);
    await shot('server-form-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'ops-desk' }).waitFor();
    const members = await page.locator('section[aria-labelledby="s-tools"] a').allTextContents();
    expect(members.sort()).toEqual(['bulk_07', 'bulk_29']);
  });

  it('previews a prompt and rolls it back to an earlier version', async () => {
    await page.goto(`${gw.url}/admin/prompts`);
    await page.getByRole('link', { name: 'New prompt' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('greeting');
    await page.getByLabel('Description').fill('Says hello');
    await page.getByLabel('Template').fill('Hello {{name}}!');
    await page.getByLabel('Arguments (JSON list)').fill('[{"name": "name", "description": "Who to greet"');
    await page.getByRole('button', { name: 'Create prompt' }).click();
    expect(await page.locator('[data-field-error="arguments"]').textContent()).toMatch(/valid JSON/);
    await page.getByLabel('Arguments (JSON list)').fill('[{"name": "name", "description": "Who to greet", "required": true}]');
    await shot('prompt-form');
    await page.getByRole('button', { name: 'Create prompt' }).click();
    await page.getByRole('heading', { name: 'greeting' }).waitFor();
    expect(await page.getByText('Who to greet').count()).toBe(1);
    await page.getByTestId('detail-actions').getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Template').fill('Goodbye {{name}}.');
    await shot('prompt-form-edit');
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

  it('creates and edits a resource through its forms, clearing an optional field', async () => {
    await page.goto(`${gw.url}/admin/resources/new`);
    await page.getByRole('textbox', { name: 'URI', exact: true }).fill('not a uri');
    await page.getByLabel('Name').fill('Readme');
    await page.getByLabel('Description').fill('The project readme');
    await page.getByLabel('Text content').fill('# Readme');
    await page.getByLabel('MIME type').fill('text/markdown');
    await page.getByRole('button', { name: 'Create resource' }).click();
    expect(await page.locator('[data-field-error="uri"]').textContent()).toMatch(/absolute URI/);
    await page.getByRole('textbox', { name: 'URI', exact: true }).fill('file:///docs/readme.md');
    await shot('resource-form');
    await page.getByRole('button', { name: 'Create resource' }).click();
    await page.waitForURL(/\/admin\/resources\/[0-9a-f]+$/);
    const id = page.url().split('/').pop()!;

    await page.getByTestId('detail-actions').getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Name').fill('Readme (v2)');
    await page.getByLabel('Description').fill('');
    await page.getByLabel('Text content').fill('# Readme, second edition');
    await shot('resource-form-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Readme (v2)' }).waitFor();
    expect(await page.getByTestId('resource-text').textContent()).toBe('# Readme, second edition');
    expect(await api<{ text: string }>('GET', `/resources/${id}`)).toMatchObject({ text: '# Readme, second edition' });
    await shot('resource-detail');
    const [stored] = (await api<Array<{ id: string; description: string | null; mimeType: string }>>('GET', '/resources')).filter((r) => r.id === id);
    expect(stored).toMatchObject({ description: null, mimeType: 'text/markdown' });
    await page.goto(`${gw.url}/admin/resources`);
    await page.getByTestId('row').filter({ hasText: 'file:///docs/readme.md' }).waitFor();
    await shot('resources');
  });

  it("shows a tool's metrics on its page and resets them; toggles and deletes it there", async () => {
    const [tool] = (await api<Array<{ id: string; name: string }>>('GET', '/tools')).filter((t) => t.name === 'bulk_03');
    await page.goto(`${gw.url}/admin/tools/${tool.id}`);
    expect(await page.getByTestId('metric-executions').textContent()).toBe('0');
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: /Run/ }).click();
      await page.getByTestId('tool-result').waitFor();
    }
    await page.reload();
    expect(await page.getByTestId('metric-executions').textContent()).toBe('2');
    expect(await page.getByTestId('entity-metrics').textContent()).toMatch(/Avg time\s*[\d.]+ ms/);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Reset metrics of bulk_03' }).click();
    await page.getByTestId('entity-metrics').getByText('Metrics reset.').waitFor();
    expect(await page.getByTestId('metric-executions').textContent()).toBe('0');

    // Disable and enable from the detail page (a plain form post back to the page).
    await page.getByTestId('detail-actions').getByRole('button', { name: 'Disable' }).click();
    await page.getByText(/^Disabled/).waitFor();
    await page.getByTestId('detail-actions').getByRole('button', { name: 'Enable' }).click();
    await page.getByTestId('detail-actions').getByRole('button', { name: 'Disable' }).waitFor();
    await shot('tool-detail-actions');
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('detail-actions').getByRole('button', { name: 'Delete bulk_03' }).click();
    await page.waitForURL(`${gw.url}/admin/tools`);
    expect((await api<Array<{ name: string }>>('GET', '/tools')).some((t) => t.name === 'bulk_03')).toBe(false);
  });

  it('shows the error of a row action above the list, keeping the table intact, and keeps focus after a row delete', async () => {
    await page.goto(`${gw.url}/admin/tools?search=bulk_1`);
    const row = page.getByTestId('row').filter({ hasText: 'bulk_12' });
    const [gone] = (await api<Array<{ id: string; name: string }>>('GET', '/tools')).filter((t) => t.name === 'bulk_12');
    await api('DELETE', `/tools/${gone.id}`);
    await row.getByRole('button', { name: 'Disable bulk_12' }).click();
    const flash = page.getByTestId('flash');
    await flash.getByTestId('error-message').waitFor();
    expect(await flash.textContent()).toMatch(/Error 404[\s\S]*not found/i);
    expect(await page.locator('tbody tr td [data-testid="error"]').count()).toBe(0);
    expect(await page.getByTestId('row').count()).toBe(10);
    await shot('flash-error');

    // Deleting a row from the keyboard leaves focus on the next row, not on the page.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete bulk_13' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('row').filter({ hasText: 'bulk_13' }).waitFor({ state: 'detached' });
    await page.getByTestId('row').filter({ hasText: 'bulk_14' }).locator(':focus').waitFor();
  });

  it('shows, filters and resets the metrics of the whole deployment', async () => {
    const [echo] = (await api<Array<{ id: string; name: string }>>('GET', '/tools')).filter((t) => t.name === 'echo_tool');
    await page.goto(`${gw.url}/admin/tools/${echo.id}`);
    await page.getByLabel(/^city/).fill('Oslo');
    await page.getByRole('button', { name: /Run/ }).click();
    await page.getByTestId('tool-result').waitFor();
    await page.goto(`${gw.url}/admin/metrics`);
    await page.getByRole('heading', { name: 'Metrics' }).waitFor();
    expect(Number(await page.getByTestId('metrics-tools').locator('td').first().textContent())).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'echo_tool' }).waitFor();
    await shot('metrics');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Reset metrics of all tools' }).click();
    await page.getByTestId('metrics-message').filter({ hasText: 'Metrics reset for every tool' }).waitFor();
    expect(await page.getByTestId('metrics-tools').locator('td').first().textContent()).toBe('0');
    expect(await page.getByText('No tool calls yet.').count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Reset all metrics' }).click();
    await page.getByTestId('metrics-message').filter({ hasText: 'Metrics reset for everything' }).waitFor();
  });

  it('filters the audit log by action, entity, actor and dates, with where each change came from', async () => {
    await page.goto(`${gw.url}/admin/audit`);
    expect(await page.getByTestId('audit-row').count()).toBeGreaterThan(5);
    await page.getByLabel('Entity type').selectOption('prompt');
    await page.getByTestId('audit-row').filter({ hasText: 'rollback' }).waitFor();
    await page.getByLabel('Action', { exact: true }).selectOption('rollback');
    await page.waitForURL(/action=rollback/);
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(1);
    // Who, from where, with what client and which request.
    const entry = page.getByTestId('audit-row').first();
    expect(await entry.getByTestId('audit-ip').textContent()).toMatch(/127\.0\.0\.1/);
    expect(await entry.getByTestId('audit-user-agent').textContent()).toMatch(/Chrome/);
    expect((await entry.getByTestId('audit-request-id').textContent())!.trim().length).toBeGreaterThan(5);
    await shot('audit');
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${gw.url}/admin/audit?since=2000-01-01&until=2000-12-31`);
    await page.getByText('No entries.').waitFor();
    await page.getByLabel('To (UTC, included)').fill(today);
    await page.getByTestId('audit-row').first().waitFor();

    // "History" on a detail page: the entries of that entity.
    const [echo] = (await api<Array<{ id: string; name: string }>>('GET', '/tools')).filter((t) => t.name === 'echo_tool');
    await page.goto(`${gw.url}/admin/tools/${echo.id}`);
    await page.getByTestId('detail-actions').getByRole('link', { name: 'History' }).click();
    await page.waitForURL(`${gw.url}/admin/audit?entity_id=${echo.id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('history of echo_tool');
    const actions = await page.getByTestId('audit-row').locator('td:nth-child(2)').allTextContents();
    expect(actions.at(-1)).toBe('create');
    expect(actions.filter((a) => a === 'update').length).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('audit-row').filter({ hasNotText: 'echo_tool' }).count()).toBe(0);
    await shot('audit-history');
  });

  it('lists the tags in use and the entities carrying one', async () => {
    await page.goto(`${gw.url}/admin`);
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Tags' }).click();
    const odd = page.getByTestId('tag-row').filter({ hasText: 'odd' });
    // 15 odd bulk tools, less bulk_03 and bulk_13 deleted above.
    expect(await odd.locator('td').allTextContents()).toEqual(['13', '0', '0', '0', '0', '13']);
    await shot('tags');
    await odd.getByRole('link', { name: 'odd' }).click();
    await page.getByRole('heading', { name: /Tag odd/ }).waitFor();
    expect(await page.getByTestId('tag-tools').getByRole('link', { name: /^bulk_/ }).count()).toBe(13);
    await shot('tag-detail');
    await page.getByTestId('tag-tools').getByRole('link', { name: 'Open in the tools list' }).click();
    await page.waitForURL(/\/admin\/tools\?tag=odd$/);
    await page.getByTestId('page-summary').filter({ hasText: 'of 13' }).waitFor();
    await shot('tag-detail-list');

    // A tag only disabled entities carry is counted in the list, and its page lists them (resources by URI).
    const dormant = await api<{ id: string }>('POST', '/resources', { uri: 'docs://dormant', name: 'dormant_doc', content: 'zzz', tags: ['dormant'], enabled: false });
    await page.goto(`${gw.url}/admin/tags`);
    expect(await page.getByTestId('tag-row').filter({ hasText: 'dormant' }).locator('td').allTextContents()).toEqual(['0', '1', '0', '0', '0', '1']);
    await page.getByTestId('tag-row').filter({ hasText: 'dormant' }).getByRole('link', { name: 'dormant' }).click();
    await page.getByRole('heading', { name: /Tag dormant/ }).waitFor();
    expect(await page.getByText('No entity carries this tag.').count()).toBe(0);
    expect(await page.getByTestId('tag-resources').getByRole('link', { name: 'docs://dormant' }).getAttribute('href')).toBe(`/admin/resources/${dormant.id}`);
    await api('DELETE', `/resources/${dormant.id}`);
  });

  it('shows the masked configuration, and a clear error page for a missing entity', async () => {
    await page.goto(`${gw.url}/admin/version`);
    expect(await page.locator('[data-setting="BASIC_AUTH_PASSWORD"]').textContent()).toBe('*****');
    expect(await page.content()).not.toContain(ADMIN_PASSWORD);
    await shot('version');
    const res = await page.goto(`${gw.url}/admin/tools/no-such-tool`);
    expect(res!.status()).toBe(404);
    expect(await page.getByTestId('error-message').textContent()).toMatch(/no-such-tool/);
    await shot('error-page');
  });

  it('shows the dashboard with counts, peer health and activity, in dark mode after the toggle', async () => {
    await page.goto(`${gw.url}/admin`);
    expect(await page.getByTestId('count-Tools').textContent()).toMatch(/\d{2}/);
    await page.getByRole('link', { name: 'fixture', exact: true }).waitFor();
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
    // The opened menu takes a row of its own: (nearly) the whole width, below the bar, not squeezed beside it.
    const nav = (await page.locator('#admin-nav').boundingBox())!;
    const bar = (await page.getByRole('button', { name: 'Menu' }).boundingBox())!;
    expect(nav.width).toBeGreaterThan(390 - 2 * 24);
    expect(nav.y).toBeGreaterThan(bar.y + bar.height - 1);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
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
