import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { ToolInvocationService } from '../../tools/execution/tool-invocation.service';
import { CreateToolDto } from '../../tools/dto/create-tool.dto';
import { UpdateToolDto } from '../../tools/dto/update-tool.dto';
import { REST_METHODS, type Tool } from '../../tools/tool.model';
import { ToolsService } from '../../tools/tools.service';
import { afterDelete, renderForm, renderList, renderRow } from '../presenters/catalog-pages';
import { AdminListQuery, type ListSpec, statusBadge, tagsCell } from '../presenters/list.presenter';
import { argumentFields, coerceArguments } from '../presenters/schema-form';
import { AdminController, fragment, pageModel, redirect, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import { type FieldSpec, type FormBody, parseForm, serviceErrors, validateDto } from '../web/forms';

export const TOOL_LIST: ListSpec<Tool> = {
  title: 'Tools',
  basePath: '/admin/tools',
  createLabel: 'Add REST tool',
  defaultSort: 'name',
  columns: [{ label: 'Name', sort: 'name' }, { label: 'Type' }, { label: 'Target' }, { label: 'Tags' }, { label: 'Modified', sort: 'modifiedAt' }],
  row: (t) => ({
    id: t.id,
    label: t.name,
    enabled: t.enabled,
    editHref: `/admin/tools/${t.id}/edit`,
    cells: [
      { text: t.name, href: `/admin/tools/${t.id}` },
      t.integrationType === 'MCP' ? { text: `MCP · ${t.federationSource ?? 'peer'}`, badge: t.reachable ? 'badge-gray' : 'badge-red' } : { text: `REST ${t.requestType}`, badge: 'badge-gray' },
      { text: t.url ?? '', mono: true },
      tagsCell(t.tags),
      { text: t.modifiedAt.toISOString().slice(0, 16).replace('T', ' ') },
    ],
  }),
};

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true, help: 'Letters, digits, _ - and . (what MCP clients call).' },
  { name: 'displayName', label: 'Display name', kind: 'text' },
  { name: 'description', label: 'Description', kind: 'textarea' },
  { name: 'requestType', label: 'HTTP method', kind: 'select', options: REST_METHODS.map((m) => ({ value: m, label: m })) },
  { name: 'url', label: 'Upstream URL', kind: 'url', required: true, placeholder: 'https://api.example.com/endpoint' },
  { name: 'headers', label: 'Headers (JSON object)', kind: 'json', placeholder: '{"X-Api-Version": "2"}' },
  { name: 'inputSchema', label: 'Input schema (JSON Schema)', kind: 'json', placeholder: '{"type": "object", "properties": {}}' },
  { name: 'authToken', label: 'Bearer token (optional)', kind: 'password', help: 'Stored encrypted; leave empty to keep the current one.' },
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];
/** Fields a federated tool keeps from its peer. */
const FEDERATED_FIXED = new Set(['name', 'requestType', 'url', 'headers', 'inputSchema', 'authToken']);
const NAMES = FIELDS.map((f) => f.name);

function fieldsFor(tool?: Tool): FieldSpec[] {
  return tool?.gatewayId ? FIELDS.map((f) => (FEDERATED_FIXED.has(f.name) ? { ...f, readonly: true } : f)) : FIELDS;
}

/** Form data → the API's DTO fields (the token becomes bearer credentials). Errors on `auth` show on the token. */
function toDtoFields(data: Record<string, unknown>): Record<string, unknown> {
  const { authToken, ...rest } = data;
  return authToken ? { ...rest, auth: { authType: 'bearer', token: authToken } } : rest;
}

function renameAuth(errors: Record<string, string>): Record<string, string> {
  if (errors.auth) errors.authToken = errors.auth;
  return errors;
}

/** Tools: listing, REST tool create/edit, enable/disable, delete, and "test tool" with a form built from its input schema. */
@AdminController('admin/tools')
export class AdminToolsController {
  constructor(
    private readonly tools: ToolsService,
    private readonly invocation: ToolInvocationService,
  ) {}

  @Get()
  list(@Req() req: AdminRequest, @Res() res: Response, @Query() q: AdminListQuery): Promise<void> {
    return renderList(req, res, 'tools', this.tools, TOOL_LIST, q);
  }

  @Get('new')
  newForm(@Req() req: AdminRequest, @Res() res: Response): void {
    renderForm(req, res, 'tools', this.formPage(), FIELDS, { requestType: 'POST', enabled: true, inputSchema: { type: 'object', properties: {} } });
  }

  @Post()
  async create(@Req() req: AdminRequest, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const { data, errors } = parseForm(FIELDS, body);
    const { value, errors: invalid } = await validateDto(CreateToolDto, toDtoFields(data));
    const all = { ...renameAuth(invalid), ...errors };
    if (Object.keys(all).length) return renderForm(req, res, 'tools', this.formPage(), FIELDS, body, all);
    try {
      const tool = await this.tools.create(value);
      redirect(res, `/admin/tools/${tool.id}`);
    } catch (err) {
      const mapped = serviceErrors(err, [...NAMES, 'auth']);
      renderForm(req, res, 'tools', this.formPage(), FIELDS, body, renameAuth(mapped.errors), mapped.formError);
    }
  }

  @Get(':id')
  async detail(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const tool = await this.tools.get(id);
    render(res, 'tool', pageModel(req, 'tools', tool.name, { tool, args: argumentFields(tool.inputSchema), schema: JSON.stringify(tool.inputSchema, null, 2) }));
  }

  @Get(':id/edit')
  async editForm(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const tool = await this.tools.get(id);
    renderForm(req, res, 'tools', this.formPage(tool), fieldsFor(tool), { ...tool });
  }

  @Post(':id')
  async update(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string, @Body() body: FormBody): Promise<void> {
    const tool = await this.tools.get(id);
    const specs = fieldsFor(tool);
    const { data, errors } = parseForm(specs, body);
    const version = Number(body.version) || undefined;
    const { value, errors: invalid } = await validateDto(UpdateToolDto, { ...toDtoFields(data), version });
    const all = { ...renameAuth(invalid), ...errors };
    const values = { ...tool, ...body };
    if (Object.keys(all).length) return renderForm(req, res, 'tools', this.formPage(tool), specs, values, all);
    try {
      await this.tools.update(id, value);
      redirect(res, `/admin/tools/${id}`);
    } catch (err) {
      const mapped = serviceErrors(err, [...NAMES, 'auth']);
      renderForm(req, res, 'tools', this.formPage(tool), specs, values, renameAuth(mapped.errors), mapped.formError);
    }
  }

  @Post(':id/toggle')
  async toggle(@Res() res: Response, @Param('id') id: string): Promise<void> {
    const tool = await this.tools.get(id);
    renderRow(res, TOOL_LIST, await this.tools.setEnabled(id, !tool.enabled));
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
    const started = Date.now();
    try {
      const result = await this.invocation.invoke(tool, args, { requestId: req.headers['x-request-id'] as string | undefined, actor: req.adminUser?.subject });
      fragment(res, 'tool-result', { result: JSON.stringify(result, null, 2), isError: !!result.isError, durationMs: Date.now() - started });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      fragment(res, 'tool-result', { error: err.message });
    }
  }

  private formPage(tool?: Tool) {
    return tool
      ? { title: `Edit ${tool.name}`, action: `/admin/tools/${tool.id}`, backHref: `/admin/tools/${tool.id}`, backLabel: tool.name, submitLabel: 'Save', version: tool.version }
      : { title: 'Add REST tool', action: '/admin/tools', backHref: '/admin/tools', backLabel: 'Tools', submitLabel: 'Create tool' };
  }
}
