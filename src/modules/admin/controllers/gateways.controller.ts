import { Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { maskCredentials } from '../../../common/credentials';
import { CreateGatewayDto } from '../../federation/dto/create-gateway.dto';
import { UpdateGatewayDto } from '../../federation/dto/update-gateway.dto';
import { FederationService } from '../../federation/federation.service';
import { GATEWAY_TRANSPORTS, type Gateway } from '../../federation/gateway.model';
import { GatewaysService } from '../../federation/gateways.service';
import { PromptsService } from '../../prompts/prompts.service';
import { ResourcesService } from '../../resources/resources.service';
import { ToolsService } from '../../tools/tools.service';
import { summarizeCertificates } from '../presenters/certificates';
import { AUTH_ERROR_FIELDS, authErrors, authFieldSpecs, authFromForm } from '../presenters/auth-fields';
import { primaryPeers } from '../presenters/catalog-pages';
import { type ListSpec, type PeerChoice, statusBadge, tagsCell } from '../presenters/list.presenter';
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

/** How many of a peer's tools, resources and prompts its page lists (a link shows them all in their list). */
const PEER_ITEMS = 50;

/** Peers take header credentials (a query-parameter key is for REST tools only). */
const PEER_AUTH_TYPES = ['bearer', 'basic', 'authheaders'] as const;

/**
 * The peer form. `primaries`: for a new peer, those it may be a fail-over alternate of; for an edit, the primary it
 * is an alternate of (none for a primary), which the read-only select shows.
 */
function peerFields(primaries: PeerChoice[], gateway?: Gateway): FieldSpec[] {
  const alternate: FieldSpec = gateway
    ? {
        name: 'alternateOf',
        label: 'Fail-over alternate of',
        kind: 'select',
        readonly: true,
        options: [{ value: '', label: 'None (a primary peer)' }, ...primaries.map((p) => ({ value: p.id, label: p.name }))],
        help: 'Cannot be changed; register the peer again.',
      }
    : {
        name: 'alternateOf',
        label: 'Fail-over alternate of',
        kind: 'select',
        options: [{ value: '', label: 'None (a primary peer)' }, ...primaries.map((p) => ({ value: p.id, label: p.name }))],
        help: 'An alternate serves the same tools as its primary: calls go to whichever is healthy. It syncs no catalog of its own.',
      };
  return [
    { name: 'name', label: 'Name', kind: 'text', required: true },
    { name: 'url', label: 'URL', kind: 'url', required: true, placeholder: 'https://mcp.example.com/mcp', help: 'Streamable HTTP endpoint, or an SSE endpoint ending in /sse.' },
    { name: 'transport', label: 'Transport', kind: 'select', options: [{ value: '', label: 'Detect from URL' }, ...GATEWAY_TRANSPORTS.map((t) => ({ value: t, label: t }))] },
    { name: 'description', label: 'Description', kind: 'textarea' },
    ...authFieldSpecs(PEER_AUTH_TYPES),
    alternate,
    { name: 'namespaced', label: "Prefix the peer's tool and prompt names with its name", kind: 'checkbox', help: 'Off: its names are exposed verbatim (they must not clash with other tools).' },
    {
      name: 'caCertificate',
      label: 'CA certificate (PEM)',
      kind: 'textarea',
      rows: 5,
      mono: true,
      placeholder: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----',
      help: "The certificate authority that signed the peer's TLS certificate (private PKI); empty: the system's trusted CAs.",
    },
    { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
    { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
  ];
}

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
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
  ) {
    super(gateways);
  }

  protected async fields(gateway?: Gateway): Promise<FieldSpec[]> {
    if (!gateway) return peerFields(await primaryPeers(this.gateways));
    const primary = gateway.alternateOf ? (await this.gateways.findByIds([gateway.alternateOf])).filter((g) => !g.alternateOf) : [];
    return peerFields(primary, gateway);
  }

  protected override newValues(): Record<string, unknown> {
    return { enabled: true, namespaced: true };
  }

  protected override values(gateway: Gateway): Record<string, unknown> {
    return { ...gateway, ...maskCredentials(this.gateways.credentials(gateway)) };
  }

  protected override toDto(data: Record<string, unknown>, gateway?: Gateway): Record<string, unknown> {
    const { transport, alternateOf, ...rest } = authFromForm(data, gateway ? { authType: gateway.authType } : null);
    return { ...rest, ...(transport ? { transport } : {}), ...(alternateOf ? { alternateOf } : {}) };
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
    // An alternate syncs no catalog: it serves its primary's.
    const catalogOf = gateway.alternateOf ?? gateway.id;
    const page = { gatewayId: catalogOf, includeInactive: true, offset: 0, limit: PEER_ITEMS };
    const [tools, resources, prompts, alternates, primary] = await Promise.all([
      this.tools.listPage({ ...page, sort: 'name' }),
      this.resources.listPage({ ...page, sort: 'uri' }),
      this.prompts.listPage({ ...page, sort: 'name' }),
      gateway.alternateOf ? Promise.resolve([]) : this.gateways.findAlternates(gateway.id),
      gateway.alternateOf ? this.gateways.get(gateway.alternateOf) : Promise.resolve(null),
    ]);
    const section = <I>(items: I[], total: number, list: string) => ({ items, total, more: total > items.length, allHref: `${list}?gateway=${catalogOf}` });
    render(
      res,
      'gateway',
      pageModel(req, 'gateways', gateway.name, {
        gateway,
        primary,
        alternates,
        certificates: summarizeCertificates(gateway.caCertificate),
        tools: section(tools.items, tools.total, '/admin/tools'),
        resources: section(resources.items, resources.total, '/admin/resources'),
        prompts: section(prompts.items, prompts.total, '/admin/prompts'),
        serverInfo: gateway.serverInfo ? JSON.stringify(gateway.serverInfo) : '',
        basePath: this.spec.basePath,
      }),
    );
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
