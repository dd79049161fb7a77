import { Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { maskCredentials } from '../../../common/credentials';
import { CreateGatewayDto } from '../../federation/dto/create-gateway.dto';
import { UpdateGatewayDto } from '../../federation/dto/update-gateway.dto';
import { FederationService } from '../../federation/federation.service';
import { GATEWAY_TRANSPORTS, type Gateway } from '../../federation/gateway.model';
import { GatewaysService } from '../../federation/gateways.service';
import { ToolsService } from '../../tools/tools.service';
import { AUTH_ERROR_FIELDS, authErrors, authFieldSpecs, authFromForm } from '../presenters/auth-fields';
import { type ListSpec, statusBadge, tagsCell } from '../presenters/list.presenter';
import { AdminController, fragment, pageModel, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import type { FieldErrors, FieldSpec } from '../web/forms';
import { CatalogPagesController } from './catalog-pages.controller';

export const GATEWAY_LIST: ListSpec<Gateway> = {
  title: 'Peers',
  basePath: '/admin/gateways',
  createLabel: 'Register peer',
  defaultSort: 'name',
  intro: 'MCP servers and other gateways whose tools, resources and prompts this gateway federates.',
  columns: [{ label: 'Name', sort: 'name' }, { label: 'URL' }, { label: 'Transport' }, { label: 'Health' }, { label: 'Tags' }],
  row: (g) => ({
    id: g.id,
    label: g.name,
    enabled: g.enabled,
    editHref: `/admin/gateways/${g.id}/edit`,
    cells: [{ text: g.name, href: `/admin/gateways/${g.id}` }, { text: g.url, mono: true }, { text: g.transport }, statusBadge(g.reachable, 'reachable', 'unreachable'), tagsCell(g.tags)],
  }),
};

/** Peers take header credentials (a query-parameter key is for REST tools only). */
const PEER_AUTH_TYPES = ['bearer', 'basic', 'authheaders'] as const;

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'url', label: 'URL', kind: 'url', required: true, placeholder: 'https://mcp.example.com/mcp', help: 'Streamable HTTP endpoint, or an SSE endpoint ending in /sse.' },
  { name: 'transport', label: 'Transport', kind: 'select', options: [{ value: '', label: 'Detect from URL' }, ...GATEWAY_TRANSPORTS.map((t) => ({ value: t, label: t }))] },
  { name: 'description', label: 'Description', kind: 'textarea' },
  ...authFieldSpecs(PEER_AUTH_TYPES),
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];

/** Peers: register (connects and syncs its catalog), edit, enable/disable, delete, test connectivity and refresh. */
@AdminController('admin/gateways')
export class AdminGatewaysController extends CatalogPagesController<Gateway> {
  protected readonly nav = 'gateways' as const;
  protected readonly spec = GATEWAY_LIST;
  protected readonly singular = 'peer';
  protected readonly createDto = CreateGatewayDto;
  protected readonly updateDto = UpdateGatewayDto;

  constructor(
    private readonly gateways: GatewaysService,
    private readonly federation: FederationService,
    private readonly tools: ToolsService,
  ) {
    super(gateways);
  }

  protected fields(): FieldSpec[] {
    return FIELDS;
  }

  protected override values(gateway: Gateway): Record<string, unknown> {
    return { ...gateway, ...maskCredentials(this.gateways.credentials(gateway)) };
  }

  protected override toDto(data: Record<string, unknown>, gateway?: Gateway): Record<string, unknown> {
    const { transport, ...rest } = authFromForm(data, gateway ? { authType: gateway.authType } : null);
    return { ...rest, ...(transport ? { transport } : {}) };
  }

  protected override dtoOnlyFields(): string[] {
    return AUTH_ERROR_FIELDS;
  }

  protected override fieldErrors(errors: FieldErrors): FieldErrors {
    return authErrors(errors);
  }

  protected create(dto: object): Promise<Gateway> {
    return this.federation.register(dto as CreateGatewayDto);
  }

  protected update(id: string, dto: object): Promise<Gateway> {
    return this.federation.update(id, dto as UpdateGatewayDto);
  }

  protected override setEnabled(id: string, enabled: boolean): Promise<Gateway> {
    return this.federation.setEnabled(id, enabled);
  }

  protected override delete(id: string): Promise<void> {
    return this.federation.remove(id);
  }

  protected override showHref(gateway: Gateway): string {
    return `/admin/gateways/${gateway.id}`;
  }

  protected override async showDetail(req: AdminRequest, res: Response, id: string): Promise<void> {
    const gateway = await this.gateways.get(id);
    const tools = await this.tools.listPage({ gatewayId: id, includeInactive: true, offset: 0, limit: 200 });
    render(res, 'gateway', pageModel(req, 'gateways', gateway.name, { gateway, tools: tools.items, toolCount: tools.total, serverInfo: gateway.serverInfo ? JSON.stringify(gateway.serverInfo) : '' }));
  }

  /** Connects to the peer now and lists what it offers (changes nothing). */
  @Post(':id/test')
  async test(@Res() res: Response, @Param('id') id: string): Promise<void> {
    const result = await this.federation.test(id);
    fragment(res, 'gateway-test', { result, capabilities: result.capabilities ? Object.keys(result.capabilities) : [] });
  }

  /** Re-syncs the peer's catalog and reports what changed. */
  @Post(':id/refresh')
  async refresh(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const result = await this.federation.refresh(id);
    fragment(res, 'gateway-refresh', { result });
  }
}
