import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AUTH_TYPES, maskCredentials } from '../../../common/credentials';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { ImportOpenApiDto } from '../../tools/openapi/openapi-import.dto';
import { OpenApiImportService } from '../../tools/openapi/openapi-import.service';
import { ToolInvocationService } from '../../tools/execution/tool-invocation.service';
import { CreateToolDto } from '../../tools/dto/create-tool.dto';
import { UpdateToolDto } from '../../tools/dto/update-tool.dto';
import { REST_METHODS, type Tool } from '../../tools/tool.model';
import { ToolsService } from '../../tools/tools.service';
import { GatewaysService } from '../../federation/gateways.service';
import { rateLimitMessage, ToolCallLimiter } from '../../rate-limit/tool-call-limiter.service';
import { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import { afterDelete, afterToggle, primaryPeers, renderForm, renderList } from '../presenters/catalog-pages';
import { AdminListQuery, type ListSpec, statusBadge, tagsCell } from '../presenters/list.presenter';
import { loadEntityMetrics } from '../presenters/metrics';
import { argumentFields, coerceArguments } from '../presenters/schema-form';
import { AdminController, fragment, pageModel, redirect, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import { AUTH_ERROR_FIELDS, authErrors, authFieldSpecs, authFromForm } from '../presenters/auth-fields';
import { clearEmptied, type FieldSpec, type FormBody, formView, parseForm, postedValues, serviceErrors, validateDto } from '../web/forms';

export const TOOL_LIST: ListSpec<Tool> = {
  title: 'Tools',
  basePath: '/admin/tools',
  createLabel: 'Add tool',
  actions: [{ href: '/admin/tools/import', label: 'Import OpenAPI' }],
  defaultSort: 'name',
  columns: [{ label: 'Name', sort: 'name' }, { label: 'Type' }, { label: 'Target' }, { label: 'Tags' }, { label: 'Modified', sort: 'modifiedAt' }],
  row: (t) => ({
    id: t.id,
    label: t.name,
    enabled: t.enabled,
    editHref: `/admin/tools/${t.id}/edit`,
    cells: [
      { text: t.name, href: `/admin/tools/${t.id}` },
      t.integrationType === 'MCP'
        ? { text: `MCP · ${t.federationSource ?? 'peer'}`, badge: t.reachable ? 'badge-gray' : 'badge-red' }
        : { text: t.integrationType === 'REST' ? `REST ${t.requestType}` : t.integrationType, badge: 'badge-gray' },
      { text: t.url ?? (t.command ? [t.command, ...(t.args ?? [])].join(' ') : ''), mono: true },
      tagsCell(t.tags),
      { text: t.modifiedAt.toISOString().slice(0, 16).replace('T', ' ') },
    ],
  }),
};

const REST = { field: 'integrationType', values: ['REST'] };
const CLI = { field: 'integrationType', values: ['CLI'] };

const COMMON_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true, help: 'Letters, digits, _ - and . (what MCP clients call).' },
  { name: 'displayName', label: 'Display name', kind: 'text' },
  { name: 'description', label: 'Description', kind: 'textarea' },
];
const REST_FIELDS: FieldSpec[] = [
  { name: 'requestType', label: 'HTTP method', kind: 'select', options: REST_METHODS.map((m) => ({ value: m, label: m })), showIf: REST },
  { name: 'url', label: 'Upstream URL', kind: 'url', required: true, placeholder: 'https://api.example.com/items/{id}', showIf: REST },
  { name: 'headers', label: 'Headers (JSON object)', kind: 'json', placeholder: '{"X-Api-Version": "2"}', showIf: REST },
  ...authFieldSpecs(AUTH_TYPES, REST),
  { name: 'argumentMapping', label: 'Argument mapping (JSON)', kind: 'json', placeholder: '{"id": "path", "q": "query", "X-Trace": "header", "item": "body"}', help: 'Where each argument goes: path, query, header, body or bodyRoot.', showIf: REST },
  { name: 'jsonpathFilter', label: 'JSONPath filter', kind: 'text', placeholder: '$.items[*].name', help: 'Applied to a JSON response before it is returned.', showIf: REST },
  { name: 'maxRetries', label: 'Max retries (idempotent methods)', kind: 'number', placeholder: 'default', showIf: REST },
];
const CLI_FIELDS = (commands: string[]): FieldSpec[] => [
  { name: 'command', label: 'Command', kind: 'select', required: true, options: commands.map((c) => ({ value: c, label: c })), help: 'One of CLI_TOOLS_ALLOWED_COMMANDS.', showIf: CLI },
  { name: 'args', label: 'Arguments', kind: 'lines', placeholder: '--name\n{name}', help: 'One per line, or a JSON array; {placeholders} are filled from the call arguments, each stays one argument.', showIf: CLI },
  { name: 'workingDirectory', label: 'Working directory', kind: 'text', placeholder: '/srv/tools', showIf: CLI },
];
const SHARED_FIELDS: FieldSpec[] = [
  { name: 'inputSchema', label: 'Input schema (JSON Schema)', kind: 'json', placeholder: '{"type": "object", "properties": {}}', keepWhenEmpty: true },
  { name: 'outputSchema', label: 'Output schema (JSON Schema, optional)', kind: 'json', placeholder: '{"type": "object", "properties": {}}' },
  { name: 'annotations', label: 'Annotations (JSON)', kind: 'json', placeholder: '{"readOnlyHint": true, "idempotentHint": true}' },
  { name: 'timeoutMs', label: 'Timeout (ms)', kind: 'number', placeholder: 'default (TOOL_TIMEOUT)' },
  { name: 'maxResponseBytes', label: 'Max response bytes', kind: 'number', placeholder: 'default (MAX_TOOL_RESPONSE_BYTES)' },
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];
const IMPORT_FIELDS: FieldSpec[] = [
  { name: 'url', label: 'Document URL', kind: 'url', placeholder: 'https://api.example.com/openapi.json', help: 'Fetched by the gateway (JSON or YAML). Or paste the document below.' },
  { name: 'spec', label: 'OpenAPI document (JSON or YAML)', kind: 'textarea', rows: 14, mono: true, placeholder: 'openapi: 3.0.3\ninfo: …' },
  { name: 'baseUrl', label: 'Base URL (overrides the document\'s servers)', kind: 'url', placeholder: 'https://api.example.com/v1' },
  { name: 'namePrefix', label: 'Tool name prefix', kind: 'text', placeholder: 'petstore-' },
  { name: 'tags', label: 'Only operations with these OpenAPI tags (comma-separated)', kind: 'tags' },
  { name: 'toolTags', label: 'Catalog tags of the created tools (comma-separated)', kind: 'tags' },
  { name: 'headers', label: 'Headers every imported tool sends (JSON object)', kind: 'json', placeholder: '{"X-Api-Version": "2"}' },
  ...authFieldSpecs(AUTH_TYPES),
];

/** What a federated (MCP) or LOCAL tool lets you change here, as the API does. */
const DISPLAY_ONLY = new Set(['displayName', 'description', 'tags', 'enabled']);

/** Tools: listing, REST tool create/edit, enable/disable, delete, and "test tool" with a form built from its input schema. */
@AdminController('admin/tools')
export class AdminToolsController {
  constructor(
    private readonly tools: ToolsService,
    private readonly invocation: ToolInvocationService,
    private readonly openApi: OpenApiImportService,
    private readonly config: AppConfig,
    private readonly gateways: GatewaysService,
    private readonly metrics: EntityMetricsService,
    private readonly limiter: ToolCallLimiter,
  ) {}

  /** The form's fields: the integration type (CLI only when CLI_TOOLS_ALLOWED_COMMANDS is set), then each adapter's. */
  private fieldsFor(tool?: Tool): FieldSpec[] {
    const commands = this.config.tools.cliAllowedCommands;
    const types = [{ value: 'REST', label: 'REST (HTTP endpoint)' }, ...(commands.length || tool?.integrationType === 'CLI' ? [{ value: 'CLI', label: 'CLI (local command)' }] : [])];
    const typeField: FieldSpec = { name: 'integrationType', label: 'Integration type', kind: 'select', options: types, readonly: !!tool, ...(tool ? { help: 'Cannot be changed; create a new tool instead.' } : {}) };
    if (tool && (tool.gatewayId || tool.integrationType === 'MCP' || tool.integrationType === 'LOCAL')) {
      const fixed: FieldSpec = { ...typeField, options: [{ value: tool.integrationType, label: tool.integrationType }], help: tool.gatewayId ? 'Federated from a peer: only display fields, tags and state can be changed.' : 'Implemented in the gateway: only display fields, tags and state can be changed.' };
      return [fixed, ...COMMON_FIELDS, ...SHARED_FIELDS].map((f) => (f === fixed || DISPLAY_ONLY.has(f.name) ? f : { ...f, readonly: true }));
    }
    const cliCommands = tool?.command && !commands.includes(tool.command) ? [...commands, tool.command] : commands;
    return [typeField, ...COMMON_FIELDS, ...REST_FIELDS, ...(types.length > 1 ? CLI_FIELDS(cliCommands) : []), ...SHARED_FIELDS];
  }

  /** A stored tool as form values, with the names (not the secrets) of its credentials. */
  private values(tool: Tool): Record<string, unknown> {
    return { ...tool, ...maskCredentials(this.tools.credentials(tool)) };
  }

  /** Form → DTO fields: credentials from the auth inputs, and on an edit, emptied optional fields cleared. */
  private toDto(specs: FieldSpec[], data: Record<string, unknown>, body: FormBody, tool?: Tool): Record<string, unknown> {
    const type = tool?.integrationType ?? (data.integrationType as string | undefined) ?? 'REST';
    const editable = !specs.find((s) => s.name === 'authType')?.readonly && specs.some((s) => s.name === 'authType');
    const out = authFromForm(tool ? clearEmptied(specs, body, data, this.values(tool)) : data, tool ? { authType: tool.authType } : null, editable && type === 'REST');
    if (tool) delete out.integrationType;
    return out;
  }

  @Get()
  list(@Req() req: AdminRequest, @Res() res: Response, @Query() q: AdminListQuery): Promise<void> {
    return renderList(req, res, 'tools', this.tools, TOOL_LIST, q, () => primaryPeers(this.gateways));
  }

  @Get('new')
  newForm(@Req() req: AdminRequest, @Res() res: Response): void {
    renderForm(req, res, 'tools', this.formPage(), this.fieldsFor(), { integrationType: 'REST', requestType: 'POST', enabled: true, inputSchema: { type: 'object', properties: {} } });
  }

  @Post()
  async create(@Req() req: AdminRequest, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const specs = this.fieldsFor();
    const { data, errors } = parseForm(specs, body);
    const { value, errors: invalid } = await validateDto(CreateToolDto, this.toDto(specs, data, body));
    const all = { ...authErrors(invalid), ...errors };
    if (Object.keys(all).length) return renderForm(req, res, 'tools', this.formPage(), specs, body, all);
    try {
      const tool = await this.tools.create(value);
      redirect(res, `/admin/tools/${tool.id}`);
    } catch (err) {
      const mapped = serviceErrors(err, [...specs.map((f) => f.name), ...AUTH_ERROR_FIELDS]);
      renderForm(req, res, 'tools', this.formPage(), specs, body, authErrors(mapped.errors), mapped.formError);
    }
  }

  @Get('import')
  importForm(@Req() req: AdminRequest, @Res() res: Response): void {
    render(res, 'tools-import', pageModel(req, 'tools', 'Import OpenAPI', { form: formView(IMPORT_FIELDS, {}) }));
  }

  /** "Preview" runs the import as a dry run and lists what it would create; "Import" creates the tools. */
  @Post('import')
  async importPost(@Req() req: AdminRequest, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const dryRun = body.action !== 'import';
    const { data, errors } = parseForm(IMPORT_FIELDS, body);
    const { value, errors: invalid } = await validateDto(ImportOpenApiDto, { ...authFromForm(data, null), dryRun });
    const show = (model: Record<string, unknown>, status = 200) => render(res, 'tools-import', pageModel(req, 'tools', 'Import OpenAPI', { ...model }), status);
    const all = { ...authErrors(invalid), ...errors };
    if (Object.keys(all).length) return show({ form: formView(IMPORT_FIELDS, body, all) }, 422);
    try {
      const result = await this.openApi.import(value);
      const rows = result.tools.map((t) => ({
        name: t.name,
        id: 'id' in t ? t.id : undefined,
        method: t.requestType,
        url: t.url,
        operation: 'operation' in t ? t.operation : undefined,
        description: t.description,
      }));
      show({ form: formView(IMPORT_FIELDS, body), result: { ...result, rows, count: rows.length } });
    } catch (err) {
      const conflict = err instanceof DomainError && err.code === ErrorCode.Conflict;
      const mapped = serviceErrors(err, [...IMPORT_FIELDS.map((f) => f.name), ...AUTH_ERROR_FIELDS]);
      show({ form: formView(IMPORT_FIELDS, body, authErrors(mapped.errors), mapped.formError), conflict }, conflict ? 409 : 422);
    }
  }

  @Get(':id')
  async detail(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const tool = await this.tools.get(id);
    render(
      res,
      'tool',
      pageModel(req, 'tools', tool.name, {
        tool,
        args: argumentFields(tool.inputSchema),
        schema: JSON.stringify(tool.inputSchema, null, 2),
        entityMetrics: await loadEntityMetrics(this.metrics, 'tool', tool.id, tool.name),
        basePath: TOOL_LIST.basePath,
      }),
    );
  }

  @Get(':id/edit')
  async editForm(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const tool = await this.tools.get(id);
    renderForm(req, res, 'tools', this.formPage(tool), this.fieldsFor(tool), this.values(tool));
  }

  @Post(':id')
  async update(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string, @Body() posted: FormBody): Promise<void> {
    const tool = await this.tools.get(id);
    const specs = this.fieldsFor(tool);
    const body: FormBody = { ...posted, integrationType: tool.integrationType };
    const { data, errors } = parseForm(specs, body);
    const version = Number(body.version) || undefined;
    const { value, errors: invalid } = await validateDto(UpdateToolDto, { ...this.toDto(specs, data, body, tool), version });
    const all = { ...authErrors(invalid), ...errors };
    const values = postedValues(specs, body, this.values(tool));
    if (Object.keys(all).length) return renderForm(req, res, 'tools', this.formPage(tool), specs, values, all);
    try {
      await this.tools.update(id, value);
      redirect(res, `/admin/tools/${id}`);
    } catch (err) {
      const mapped = serviceErrors(err, [...specs.map((f) => f.name), ...AUTH_ERROR_FIELDS]);
      renderForm(req, res, 'tools', this.formPage(tool), specs, values, authErrors(mapped.errors), mapped.formError);
    }
  }

  @Post(':id/toggle')
  async toggle(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const tool = await this.tools.get(id);
    afterToggle(req, res, TOOL_LIST, await this.tools.setEnabled(id, !tool.enabled), `/admin/tools/${id}`);
  }

  @Post(':id/delete')
  async remove(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.tools.remove(id);
    afterDelete(req, res, TOOL_LIST.basePath);
  }

  /** Calls the tool with the posted arguments and shows the result (or why the arguments were refused). */
  @Post(':id/test')
  async test(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string, @Body() body: FormBody): Promise<void> {
    const tool = await this.tools.get(id);
    const { args, errors } = coerceArguments(tool.inputSchema, body);
    if (Object.keys(errors).length) {
      return fragment(res, 'tool-result', { error: Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ') });
    }
    // A call from the UI counts against MAX_TOOL_CALLS_PER_MINUTE like one through any transport.
    const decision = await this.limiter.consumeFor(req.adminUser?.subject, req.ip);
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.retryAfter));
      return fragment(res, 'tool-result', { error: rateLimitMessage(decision) }, 429);
    }
    const started = Date.now();
    try {
      const result = await this.invocation.invoke(tool, args, { actor: req.adminUser?.subject });
      fragment(res, 'tool-result', { result: JSON.stringify(result, null, 2), isError: !!result.isError, durationMs: Date.now() - started });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      fragment(res, 'tool-result', { error: err.message });
    }
  }

  private formPage(tool?: Tool) {
    return tool
      ? { title: `Edit ${tool.name}`, action: `/admin/tools/${tool.id}`, backHref: `/admin/tools/${tool.id}`, backLabel: tool.name, submitLabel: 'Save', version: tool.version }
      : { title: 'Add tool', action: '/admin/tools', backHref: '/admin/tools', backLabel: 'Tools', submitLabel: 'Create tool' };
  }
}
