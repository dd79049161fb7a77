import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_ENV, adminApi, buildAdminAssets, collectPageErrors, launchBrowser, screenshot, signIn } from '../support/browser';
import { startGateway, type TestGateway } from '../support/gateway';
import { type HttpUpstream, startHttpUpstream } from '../support/http-upstream';

/** Managing the whole gateway from the browser: CLI and REST tools with every option, OpenAPI import, resources, tokens. */

const TOOL_CALLS_PER_MINUTE = 12;
const ENV = {
  ...ADMIN_ENV,
  CLI_TOOLS_ALLOWED_COMMANDS: '/usr/bin/printf',
  LOCAL_EXAMPLE_TOOLS_ENABLED: 'true',
  // Connection snippets name the address clients use behind a proxy, not the test's 127.0.0.1.
  PUBLIC_URL: 'https://mcp.example.com/gateway/',
  MAX_TOOL_CALLS_PER_MINUTE: String(TOOL_CALLS_PER_MINUTE),
};

jest.setTimeout(120_000);

let gw: TestGateway;
let upstream: HttpUpstream;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
const api = adminApi(() => gw.url);
let resourceBody = 'version 1';

const shot = (name: string) => screenshot(page, name);

const PETSTORE = {
  openapi: '3.0.3',
  info: { title: 'Petstore', version: '1.0.0' },
  paths: {
    '/pets': {
      get: { operationId: 'listPets', summary: 'List pets', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'ok' } } },
      post: {
        operationId: 'createPet',
        summary: 'Create a pet',
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } } },
        responses: { 201: { description: 'created' } },
      },
    },
    '/pets/{petId}': {
      get: { operationId: 'showPetById', summary: 'Info for a pet', parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } },
    },
  },
};

beforeAll(async () => {
  buildAdminAssets();
  upstream = await startHttpUpstream((req, res) => {
    if (req.path === '/items') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: [{ name: 'alpha', secret: 1 }, { name: 'beta', secret: 2 }], key: req.query.api_key ?? null }));
    } else if (req.path === '/doc.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(resourceBody);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  gw = await startGateway(ENV);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  collectPageErrors(page, consoleErrors);
  await signIn(page, gw.url);
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await upstream?.close();
});

describe('managing the gateway from the admin UI', () => {
  it('creates a CLI tool (fields switch with the integration type) and runs it from the UI', async () => {
    await page.goto(`${gw.url}/admin/tools/new`);
    // REST fields first; the CLI ones are hidden until CLI is chosen.
    expect(await page.getByLabel('Upstream URL').isVisible()).toBe(true);
    expect(await page.getByLabel('Working directory').isVisible()).toBe(false);
    await page.getByLabel('Integration type').selectOption('CLI');
    expect(await page.getByLabel('Upstream URL').isVisible()).toBe(false);
    expect(await page.getByLabel('Authentication').isVisible()).toBe(false);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('say_hello');
    await page.getByLabel('Command').selectOption('/usr/bin/printf');
    await page.getByLabel('Arguments').fill('hello %s from %s\n{who}\ncli');
    await page.getByLabel('Working directory').fill('relative/dir');
    await page.getByLabel('Input schema (JSON Schema)').fill(
      JSON.stringify({
        type: 'object',
        properties: {
          who: { type: 'string' },
          style: { type: 'string', enum: ['plain', 'fancy'], default: 'fancy' },
          loud: { type: 'boolean', default: true },
          confirm: { type: 'boolean', description: 'Really greet?' },
        },
        required: ['who', 'confirm'],
      }),
    );
    await page.getByRole('button', { name: 'Create tool' }).click();
    // The service's rule comes back next to its field, and the form keeps the CLI fields shown.
    expect(await page.locator('[data-field-error="workingDirectory"]').textContent()).toBe('must be an absolute path');
    expect(await page.getByLabel('Working directory').isVisible()).toBe(true);
    await shot('tool-form-cli');
    await page.getByLabel('Working directory').fill('/tmp');
    await page.getByRole('button', { name: 'Create tool' }).click();
    await page.getByRole('heading', { name: 'say_hello' }).waitFor();

    // The test form marks what is required and starts from the schema's defaults.
    expect(await page.getByLabel(/^style/).inputValue()).toBe('fancy');
    expect(await page.getByLabel(/^loud/).isChecked()).toBe(true);
    expect(await page.getByLabel(/^confirm/).isChecked()).toBe(false);
    expect(await page.getByLabel(/^confirm/).getAttribute('aria-required')).toBe('true');
    expect(await page.getByLabel(/^who/).getAttribute('aria-required')).toBe('true');
    expect(await page.getByLabel(/^style/).getAttribute('aria-required')).toBeNull();
    expect(await page.getByLabel(/^confirm/).getAttribute('aria-describedby')).toBe('arg-confirm-help');
    await page.getByLabel(/^who/).fill('Ada');
    await page.getByRole('button', { name: /Run/ }).click();
    const result = page.getByTestId('tool-result');
    await result.waitFor();
    expect(JSON.parse((await result.textContent())!)).toMatchObject({ content: [{ type: 'text', text: 'hello Ada from cli' }] });
    const [tool] = (await api<Array<{ name: string; integrationType: string; command: string; args: string[] }>>('GET', '/tools')).filter((t) => t.name === 'say_hello');
    expect(tool).toMatchObject({ integrationType: 'CLI', command: '/usr/bin/printf', args: ['hello %s from %s', '{who}', 'cli'] });
  });

  it('adds a placeholder to a CLI tool with a generated schema from the edit form, and the schema follows', async () => {
    const created = await api<{ id: string; inputSchema: unknown }>('POST', '/tools', { name: 'greet_cli', integrationType: 'CLI', command: '/usr/bin/printf', args: ['%s', '{who}'] });
    expect(created.inputSchema).toEqual({ type: 'object', properties: { who: { type: 'string' } }, additionalProperties: false });
    await page.goto(`${gw.url}/admin/tools/${created.id}/edit`);
    // The form posts the stored schema back as it is; only the arguments change.
    expect(JSON.parse(await page.getByLabel('Input schema (JSON Schema)').inputValue())).toEqual(created.inputSchema);
    await page.getByLabel('Arguments').fill('%s, %s\n{greeting}\n{who}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'greet_cli' }).waitFor();
    expect(await page.getByLabel(/^greeting/).count()).toBe(1);
    const updated = await api<{ args: string[]; inputSchema: unknown }>('GET', `/tools/${created.id}`);
    expect(updated).toMatchObject({ args: ['%s, %s', '{greeting}', '{who}'], inputSchema: { type: 'object', properties: { greeting: { type: 'string' }, who: { type: 'string' } }, additionalProperties: false } });
  });

  it('creates a REST tool with an API key in a query parameter and a JSONPath filter, and tests it', async () => {
    await page.goto(`${gw.url}/admin/tools/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('list_items');
    await page.getByLabel('HTTP method').selectOption('GET');
    await page.getByLabel('Upstream URL').fill(`${upstream.url}/items`);
    expect(await page.getByLabel('Query parameter name').isVisible()).toBe(false);
    await page.getByLabel('Authentication').selectOption('query_param');
    await page.getByLabel('Query parameter name').fill('api_key');
    await page.getByLabel('Query parameter value (API key)').fill('k-123');
    await page.getByLabel('JSONPath filter').fill('$.items[*].name');
    await page.getByLabel('Timeout (ms)').fill('soon');
    await page.getByRole('button', { name: 'Create tool' }).click();
    expect(await page.locator('[data-field-error="timeoutMs"]').textContent()).toBe('must be a whole number');
    // Secrets are never echoed back into the form.
    expect(await page.getByLabel('Query parameter value (API key)').inputValue()).toBe('');
    await page.getByLabel('Query parameter value (API key)').fill('k-123');
    await page.getByLabel('Timeout (ms)').fill('5000');
    await shot('tool-form-rest-auth');
    await page.getByRole('button', { name: 'Create tool' }).click();
    await page.getByRole('heading', { name: 'list_items' }).waitFor();

    await page.getByRole('button', { name: /Run/ }).click();
    const result = page.getByTestId('tool-result');
    await result.waitFor();
    const shown = JSON.parse((await result.textContent())!) as { content: Array<{ text: string }> };
    expect(JSON.parse(shown.content[0].text)).toEqual(['alpha', 'beta']);
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'GET', path: '/items', query: { api_key: 'k-123' } });

    // Editing without retyping the key keeps it; the stored credentials are masked in the API.
    await page.getByRole('link', { name: 'Edit' }).click();
    expect(await page.getByLabel('Authentication').inputValue()).toBe('query_param');
    await page.getByLabel('Description').fill('Item names');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Item names').waitFor();
    await page.getByRole('button', { name: /Run/ }).click();
    await page.getByTestId('tool-result').waitFor();
    expect(upstream.requests.at(-1)!.query.api_key).toBe('k-123');
    const [tool] = (await api<Array<{ name: string; auth: unknown; jsonpathFilter: string; timeoutMs: number }>>('GET', '/tools')).filter((t) => t.name === 'list_items');
    expect(tool).toMatchObject({ jsonpathFilter: '$.items[*].name', timeoutMs: 5000, auth: { authType: 'query_param', queryParamName: 'api_key', queryParamValue: '*****' } });
  });

  it('keeps a LOCAL tool read-only except for its display fields, tags and state', async () => {
    const [local] = (await api<Array<{ id: string; name: string }>>('GET', '/tools')).filter((t) => t.name === 'gateway-echo');
    await page.goto(`${gw.url}/admin/tools/${local.id}/edit`);
    expect(await page.getByRole('textbox', { name: 'Name', exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(await page.getByLabel('Input schema (JSON Schema)').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByLabel('Upstream URL').count()).toBe(0);
    await page.getByLabel('Description').fill('Echo, described from the UI');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Echo, described from the UI').waitFor();
  });

  it('previews and imports an OpenAPI document, and shows a name conflict clearly', async () => {
    await page.goto(`${gw.url}/admin/tools`);
    await page.getByRole('link', { name: 'Import OpenAPI' }).click();
    await page.getByLabel('OpenAPI document (JSON or YAML)').fill(JSON.stringify(PETSTORE, null, 2));
    await page.getByLabel("Base URL (overrides the document's servers)").fill(`${upstream.url}/v1`);
    await page.getByLabel('Tool name prefix').fill('pets-');
    await page.getByLabel('Authentication').selectOption('authheaders');
    await page.getByLabel('Header name').fill('X-Pet-Key');
    await page.getByLabel('Header value (API key)').fill('pet-secret');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('import-result').waitFor();
    expect(await page.getByTestId('import-result').getByRole('heading').first().textContent()).toContain('Preview: 3 tools would be created');
    expect(await page.getByTestId('import-row').count()).toBe(3);
    expect(await page.getByTestId('import-row').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('pets-listPets'), expect.stringContaining('GET /pets/{petId}')]),
    );
    await shot('tools-import-preview');
    // The dry run created nothing.
    expect((await api<Array<{ name: string }>>('GET', '/tools')).filter((t) => t.name.startsWith('pets-'))).toEqual([]);

    // Secrets are not echoed back: typed again for the real import.
    await page.getByLabel('Header value (API key)').fill('pet-secret');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported 3 tools').waitFor();
    const imported = (await api<Array<{ name: string; auth: unknown }>>('GET', '/tools')).filter((t) => t.name.startsWith('pets-'));
    expect(imported.map((t) => t.auth)).toEqual(Array(3).fill({ authType: 'authheaders', authHeaderKey: 'X-Pet-Key', authHeaderValue: '*****' }));
    await page.getByRole('link', { name: 'Go to the tools list' }).click();
    await page.getByTestId('row').filter({ hasText: 'pets-createPet' }).waitFor();
    expect(await page.getByTestId('row').filter({ hasText: /pets-/ }).count()).toBe(3);

    await page.goto(`${gw.url}/admin/tools/import`);
    await page.getByLabel('OpenAPI document (JSON or YAML)').fill(JSON.stringify(PETSTORE));
    await page.getByLabel("Base URL (overrides the document's servers)").fill(`${upstream.url}/v1`);
    await page.getByLabel('Tool name prefix').fill('pets-');
    await page.getByRole('button', { name: 'Preview' }).click();
    const error = page.getByTestId('form-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Conflict:.*already in use.*pets-listPets/);
    await shot('tools-import-conflict');
  });

  it('creates an HTTP-backed resource and refreshes it, showing whether the content changed', async () => {
    await page.goto(`${gw.url}/admin/resources/new`);
    expect(await page.getByLabel('Content URL').isVisible()).toBe(false);
    await page.getByRole('textbox', { name: 'URI', exact: true }).fill('https://docs.example/remote.txt');
    await page.getByLabel('Name').fill('Remote doc');
    await page.getByLabel('Content source').selectOption('url');
    expect(await page.getByLabel('Text content').isVisible()).toBe(false);
    await page.getByLabel('Content URL').fill(`${upstream.url}/doc.txt`);
    await page.getByLabel('Cache TTL (seconds)').fill('0');
    await page.getByRole('button', { name: 'Create resource' }).click();
    await page.getByRole('heading', { name: 'Remote doc' }).waitFor();
    expect(await page.getByTestId('resource-text').textContent()).toBe('version 1');

    // Showing the page (cache TTL 0) fetched the content but wrote nothing: the first refresh records the baseline.
    const id = page.url().split('/').pop()!;
    expect(await api('GET', `/resources/${id}/info`)).toMatchObject({ version: 1, contentHash: null });
    await page.getByRole('button', { name: /Refresh/ }).click();
    await page.getByTestId('resource-refresh').getByText('Content changed').waitFor();
    await page.reload();
    expect(await page.getByTestId('resource-text').textContent()).toBe('version 1');
    await page.getByRole('button', { name: /Refresh/ }).click();
    await page.getByTestId('resource-refresh').getByText('Unchanged').waitFor();
    resourceBody = 'version 2';
    await page.getByRole('button', { name: /Refresh/ }).click();
    await page.getByTestId('resource-refresh').getByText('Content changed').waitFor();
    await shot('resource-http-refresh');
    expect(await api('GET', `/resources/${id}/info`)).toMatchObject({ version: 3, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('uploads a small binary file as a resource and shows its size and MIME type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ui-upload-'));
    const file = join(dir, 'pixel.bin');
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x20, 0x30]);
    writeFileSync(file, bytes);
    await page.goto(`${gw.url}/admin/resources/new`);
    await page.getByRole('textbox', { name: 'URI', exact: true }).fill('file:///assets/pixel.bin');
    await page.getByLabel('Name').fill('Pixel');
    await page.getByLabel('Content source').selectOption('file');
    await page.getByLabel('File', { exact: true }).setInputFiles(file);
    await page.getByTestId('file-status').getByText(/9 bytes/).waitFor();
    await page.getByLabel('MIME type').fill('application/octet-stream');
    await shot('resource-upload');
    await page.getByRole('button', { name: 'Create resource' }).click();
    await page.getByRole('heading', { name: 'Pixel' }).waitFor();
    expect(await page.getByTestId('resource-binary').textContent()).toContain('9 bytes · application/octet-stream');
    const id = page.url().split('/').pop()!;
    const content = await api<{ blob: string; mimeType: string }>('GET', `/resources/${id}`);
    expect(Buffer.from(content.blob, 'base64')).toEqual(bytes);
  });

  it('creates an API token shown once, which works until it is revoked', async () => {
    await page.goto(`${gw.url}/admin`);
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('ci-pipeline');
    await page.getByLabel('Subject').fill('ci-bot');
    await page.getByLabel('Expires in (minutes)').fill('-5');
    await page.getByRole('button', { name: 'Create token' }).click();
    expect(await page.locator('[data-field-error="expiresInMinutes"]').textContent()).toMatch(/not be less than 0/);
    await page.getByLabel('Expires in (minutes)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('token-value').textContent())!.trim();
    expect(token.split('.')).toHaveLength(3);
    const row = page.getByTestId('token-row').filter({ hasText: 'ci-pipeline' });
    expect(await row.getByTestId('token-status').textContent()).toContain('Active');
    expect(await row.locator('td').nth(2).textContent()).toBe('ci-bot');
    await shot('tokens-created');

    const call = () => fetch(`${gw.url}/tools`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);

    // Shown once: the list page does not carry the token again.
    await page.goto(`${gw.url}/admin/tokens`);
    expect(await page.content()).not.toContain(token);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Revoke ci-pipeline' }).click();
    await page.getByTestId('token-row').filter({ hasText: 'ci-pipeline' }).getByText('Revoked').waitFor();
    expect((await call()).status).toBe(401);
    await shot('tokens-revoked');
  });

  it("builds a virtual server's connection snippets from PUBLIC_URL", async () => {
    await page.goto(`${gw.url}/admin/servers/new`);
    await page.getByLabel('Name').fill('public-desk');
    await page.getByTestId('picker-associatedTools').getByRole('searchbox').fill('say_');
    await page.getByTestId('picker-results').first().getByRole('checkbox', { name: /say_hello/ }).check();
    await page.getByRole('button', { name: 'Create virtual server' }).click();
    await page.getByRole('heading', { name: 'public-desk' }).waitFor();
    expect(await page.getByTestId('snippet-http').textContent()).toMatch(/^https:\/\/mcp\.example\.com\/gateway\/servers\/[0-9a-f]{32}\/mcp$/);
    expect(await page.getByTestId('snippet-sse').textContent()).toMatch(/^https:\/\/mcp\.example\.com\/gateway\/servers\/[0-9a-f]{32}\/sse$/);
  });

  it("counts the UI's test calls against MAX_TOOL_CALLS_PER_MINUTE, shared with the MCP endpoints", async () => {
    const [tool] = (await api<Array<{ id: string; name: string }>>('GET', '/tools')).filter((t) => t.name === 'say_hello');
    await page.goto(`${gw.url}/admin/tools/${tool.id}`);
    const csrf = JSON.parse((await page.locator('body').getAttribute('hx-headers'))!)['X-CSRF-Token'] as string;
    const cookie = (await context.cookies()).find((c) => c.name === 'jwt_token')!;
    const run = () =>
      fetch(`${gw.url}/admin/tools/${tool.id}/test`, {
        method: 'POST',
        headers: { cookie: `jwt_token=${cookie.value}`, 'x-csrf-token': csrf, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'arg.who': 'Bo', 'arg.confirm': 'false' }),
      });
    let refused: Response | undefined;
    // Up to two windows' worth: the fixed one-minute window may roll over during the loop.
    for (let i = 0; i <= 2 * TOOL_CALLS_PER_MINUTE && !refused; i++) {
      const res = await run();
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused!.text()).toContain(`Rate limit exceeded: ${TOOL_CALLS_PER_MINUTE} tool calls per minute`);
    // The browser shows why, and the same budget is spent for the MCP endpoints (same user).
    await page.getByLabel(/^who/).fill('Cy');
    await page.getByRole('button', { name: /Run/ }).click();
    await page.getByTestId('tool-result-error').filter({ hasText: 'Rate limit exceeded' }).waitFor();
    const rpc = await fetch(`${gw.url}/rpc`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN_ENV.BASIC_AUTH_USER}:${ADMIN_ENV.BASIC_AUTH_PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'say_hello', arguments: { who: 'Di', confirm: true } } }),
    });
    expect(rpc.status).toBe(429);
    await shot('tool-test-rate-limited');
  });

  it('registered no script errors or CSP violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});
