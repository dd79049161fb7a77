import { Body, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { OffsetListOptions, OffsetPage } from '../../../common/catalog/catalog.model';
import { NotFoundError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import type { Prompt } from '../../prompts/prompt.model';
import type { Resource } from '../../resources/resource.model';
import { ASSOCIATION_PROPERTY, type AssociationKind, SERVER_ID_PATTERN, type Server } from '../../servers/server.model';
import type { Tool } from '../../tools/tool.model';
import { PromptsService } from '../../prompts/prompts.service';
import { ResourcesService } from '../../resources/resources.service';
import { CreateServerDto } from '../../servers/dto/create-server.dto';
import { UpdateServerDto } from '../../servers/dto/update-server.dto';
import { ServersService } from '../../servers/servers.service';
import { ToolsService } from '../../tools/tools.service';
import { type ListSpec, tagsCell } from '../presenters/list.presenter';
import { loadEntityMetrics } from '../presenters/metrics';
import { connectionSnippets, snippetBaseUrl } from '../presenters/snippets';
import { AdminController, fragment, pageModel, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import { type FieldSpec, type FormBody, formText, type PickerOption, type PickerState } from '../web/forms';
import { CatalogPagesController } from './catalog-pages.controller';

export const SERVER_LIST: ListSpec<Server> = {
  title: 'Virtual servers',
  basePath: '/admin/servers',
  createLabel: 'New virtual server',
  defaultSort: 'name',
  intro: 'A virtual server exposes a chosen set of tools, resources and prompts as its own MCP endpoint.',
  columns: [{ label: 'Name', sort: 'name' }, { label: 'Tools' }, { label: 'Resources' }, { label: 'Prompts' }, { label: 'Tags' }, { label: 'Created', sort: 'createdAt' }],
  row: (s) => ({
    id: s.id,
    label: s.name,
    enabled: s.enabled,
    editHref: `/admin/servers/${s.id}/edit`,
    cells: [
      { text: s.name, href: `/admin/servers/${s.id}` },
      { text: String(s.associatedTools.length) },
      { text: String(s.associatedResources.length) },
      { text: String(s.associatedPrompts.length) },
      tagsCell(s.tags),
      { text: s.createdAt.toISOString().slice(0, 16).replace('T', ' ') },
    ],
  }),
};

/** How many matches a picker shows at a time (a search narrows them down). */
export const PICKER_MATCHES = 20;

const PICKERS = {
  tools: { label: 'Tools', sort: 'name' },
  resources: { label: 'Resources', sort: 'uri' },
  prompts: { label: 'Prompts', sort: 'name' },
} as const satisfies Record<AssociationKind, { label: string; sort: string }>;

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'description', label: 'Description', kind: 'textarea' },
  { name: 'icon', label: 'Icon URL', kind: 'url' },
  ...(Object.entries(PICKERS) as Array<[AssociationKind, (typeof PICKERS)[AssociationKind]]>).map(([kind, p]): FieldSpec => ({
    name: ASSOCIATION_PROPERTY[kind],
    label: p.label,
    kind: 'picker',
    help: `Search ${kind} by ${kind === 'resources' ? 'URI' : 'name'}, tick the ones to expose, and save; untick a chosen one to remove it.`,
  })),
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];

/** Ids as posted (or stored): valid ids only, in order, without repeats. */
function idList(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : [];
  return [...new Set(raw.filter((v): v is string => typeof v === 'string' && SERVER_ID_PATTERN.test(v)))].slice(0, 5000);
}

function option(kind: AssociationKind, item: Tool | Resource | Prompt): PickerOption {
  const detail =
    kind === 'tools' ? ((item as Tool).gatewayId ? `MCP · ${item.federationSource ?? 'peer'}` : (item as Tool).integrationType) : kind === 'resources' ? (item as Resource).uri : undefined;
  return { value: item.id, label: item.name, detail: [detail, item.enabled ? '' : 'disabled'].filter(Boolean).join(' · ') || undefined };
}

/** Virtual servers: CRUD with the items they expose (searchable pickers), and copy-paste connection snippets for MCP clients. */
@AdminController('admin/servers')
export class AdminServersController extends CatalogPagesController<Server> {
  protected readonly nav = 'servers' as const;
  protected readonly spec = SERVER_LIST;
  protected readonly singular = 'virtual server';
  protected readonly createDto = CreateServerDto;
  protected readonly updateDto = UpdateServerDto;

  constructor(
    private readonly servers: ServersService,
    private readonly tools: ToolsService,
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
    private readonly config: AppConfig,
    private readonly metrics: EntityMetricsService,
  ) {
    super(servers);
  }

  protected fields(): FieldSpec[] {
    return FIELDS;
  }

  protected override async withState(specs: FieldSpec[], values: Record<string, unknown>): Promise<FieldSpec[]> {
    return Promise.all(
      specs.map(async (spec) => {
        const kind = (Object.keys(PICKERS) as AssociationKind[]).find((k) => ASSOCIATION_PROPERTY[k] === spec.name);
        return kind ? { ...spec, picker: await this.pickerState(kind, idList(values[spec.name]), '') } : spec;
      }),
    );
  }

  /** The chosen items of one association and the first matches of `search` (htmx: re-rendered as the user types). */
  @Post('picker/:kind')
  async picker(@Res() res: Response, @Param('kind') kind: string, @Body() body: FormBody): Promise<void> {
    if (!Object.hasOwn(PICKERS, kind)) throw new NotFoundError('Picker', kind);
    const k = kind as AssociationKind;
    const field = ASSOCIATION_PROPERTY[k];
    // The whole form is posted (htmx includes it): this picker's search box is `_search_<field>`.
    const state = await this.pickerState(k, idList(body[field]), formText(body[`_search_${field}`]).trim().slice(0, 255));
    fragment(res, 'picker-fragment', { picker: state, id: `f-${state.field}` });
  }

  private async pickerState(kind: AssociationKind, ids: string[], search: string): Promise<PickerState> {
    const service: { findByIds(ids: string[]): Promise<Array<Tool | Resource | Prompt>>; listPage(o: OffsetListOptions): Promise<OffsetPage<Tool | Resource | Prompt>> } =
      kind === 'tools' ? this.tools : kind === 'resources' ? this.resources : this.prompts;
    const [found, page] = await Promise.all([
      ids.length ? service.findByIds(ids) : Promise.resolve([]),
      service.listPage({ includeInactive: true, search: search || undefined, sort: PICKERS[kind].sort, order: 'asc', offset: 0, limit: PICKER_MATCHES }),
    ]);
    const byId = new Map(found.map((i) => [i.id, i]));
    const chosen = ids.filter((id) => byId.has(id)).map((id) => option(kind, byId.get(id)!));
    const chosenIds = new Set(chosen.map((c) => c.value));
    return {
      field: ASSOCIATION_PROPERTY[kind],
      endpoint: `/admin/servers/picker/${kind}`,
      noun: kind,
      search,
      chosen,
      results: page.items.map((i) => ({ ...option(kind, i), chosen: chosenIds.has(i.id) })),
      more: Math.max(0, page.total - page.items.length),
    };
  }

  protected create(dto: object): Promise<Server> {
    return this.servers.create(dto as CreateServerDto);
  }

  protected update(id: string, dto: object): Promise<Server> {
    return this.servers.update(id, dto as UpdateServerDto);
  }

  protected override showHref(server: Server): string {
    return `/admin/servers/${server.id}`;
  }

  protected override async showDetail(req: AdminRequest, res: Response, id: string): Promise<void> {
    const server = await this.servers.get(id);
    const [tools, resources, prompts] = await Promise.all([
      this.servers.members(id, 'tools', true),
      this.servers.members(id, 'resources', true),
      this.servers.members(id, 'prompts', true),
    ]);
    const base = snippetBaseUrl(this.config.server.publicUrl, req);
    const entityMetrics = await loadEntityMetrics(this.metrics, 'server', server.id, server.name);
    render(res, 'server', pageModel(req, 'servers', server.name, { server, tools, resources, prompts, snippets: connectionSnippets(base, server), entityMetrics, basePath: this.spec.basePath }));
  }
}
