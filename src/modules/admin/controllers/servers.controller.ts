import type { Response } from 'express';
import { PromptsService } from '../../prompts/prompts.service';
import { ResourcesService } from '../../resources/resources.service';
import { CreateServerDto } from '../../servers/dto/create-server.dto';
import { UpdateServerDto } from '../../servers/dto/update-server.dto';
import type { Server } from '../../servers/server.model';
import { ServersService } from '../../servers/servers.service';
import { ToolsService } from '../../tools/tools.service';
import { type ListSpec, tagsCell } from '../presenters/list.presenter';
import { connectionSnippets } from '../presenters/snippets';
import { AdminController, pageModel, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import type { FieldSpec } from '../web/forms';
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

/** How many catalog items each association list offers (the first page by name, plus those already chosen). */
const OPTION_LIMIT = 500;

/** Virtual servers: CRUD with the items they expose, and copy-paste connection snippets for MCP clients. */
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
  ) {
    super(servers);
  }

  protected async fields(server?: Server): Promise<FieldSpec[]> {
    const page = { includeInactive: true, offset: 0, limit: OPTION_LIMIT };
    const [tools, resources, prompts] = await Promise.all([this.tools.listPage(page), this.resources.listPage(page), this.prompts.listPage(page)]);
    const withChosen = async <I extends { id: string }>(items: I[], chosen: string[] | undefined, load: (ids: string[]) => Promise<I[]>) => {
      const missing = (chosen ?? []).filter((id) => !items.some((i) => i.id === id));
      return missing.length ? [...items, ...(await load(missing))] : items;
    };
    const toolOptions = await withChosen(tools.items, server?.associatedTools, (ids) => this.tools.findByIds(ids));
    const resourceOptions = await withChosen(resources.items, server?.associatedResources, (ids) => this.resources.findByIds(ids));
    const promptOptions = await withChosen(prompts.items, server?.associatedPrompts, (ids) => this.prompts.findByIds(ids));
    return [
      { name: 'name', label: 'Name', kind: 'text', required: true },
      { name: 'description', label: 'Description', kind: 'textarea' },
      { name: 'icon', label: 'Icon URL', kind: 'url' },
      { name: 'associatedTools', label: 'Tools', kind: 'multiselect', options: toolOptions.map((t) => ({ value: t.id, label: t.name })), help: 'Ctrl/Cmd-click to choose several.' },
      { name: 'associatedResources', label: 'Resources', kind: 'multiselect', options: resourceOptions.map((r) => ({ value: r.id, label: `${r.name} (${r.uri})` })) },
      { name: 'associatedPrompts', label: 'Prompts', kind: 'multiselect', options: promptOptions.map((p) => ({ value: p.id, label: p.name })) },
      { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
      { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
    ];
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
    const base = `${req.protocol}://${req.get('host')}`;
    render(res, 'server', pageModel(req, 'servers', server.name, { server, tools, resources, prompts, snippets: connectionSnippets(base, server) }));
  }
}
