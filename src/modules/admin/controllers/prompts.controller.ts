import { Body, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { CreatePromptDto } from '../../prompts/dto/create-prompt.dto';
import { UpdatePromptDto } from '../../prompts/dto/update-prompt.dto';
import type { Prompt } from '../../prompts/prompt.model';
import { PromptsService } from '../../prompts/prompts.service';
import { primaryPeers } from '../presenters/catalog-pages';
import { loadEntityMetrics } from '../presenters/metrics';
import { type ListSpec, type PeerChoice, tagsCell } from '../presenters/list.presenter';
import { GatewaysService } from '../../federation/gateways.service';
import { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import { AdminController, fragment, pageModel, redirect, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import type { FieldSpec, FormBody } from '../web/forms';
import { CatalogPagesController } from './catalog-pages.controller';

export const PROMPT_LIST: ListSpec<Prompt> = {
  title: 'Prompts',
  basePath: '/admin/prompts',
  createLabel: 'New prompt',
  defaultSort: 'name',
  columns: [{ label: 'Name', sort: 'name' }, { label: 'Arguments' }, { label: 'Version' }, { label: 'Tags' }, { label: 'Modified', sort: 'modifiedAt' }],
  row: (p) => ({
    id: p.id,
    label: p.name,
    enabled: p.enabled,
    editHref: `/admin/prompts/${p.id}/edit`,
    cells: [
      { text: p.name, href: `/admin/prompts/${p.id}` },
      { text: p.arguments.map((a) => a.name).join(', ') },
      { text: p.gatewayId ? `peer ${p.federationSource ?? ''}` : String(p.version) },
      tagsCell(p.tags),
      { text: p.modifiedAt.toISOString().slice(0, 16).replace('T', ' ') },
    ],
  }),
};

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'description', label: 'Description', kind: 'textarea' },
  { name: 'template', label: 'Template', kind: 'textarea', help: 'Handlebars; start messages with "# User:" / "# Assistant:" lines. Arguments default to the variables it reads.', keepWhenEmpty: true },
  { name: 'arguments', label: 'Arguments (JSON list)', kind: 'json', placeholder: '[{"name": "topic", "required": true}]', help: 'Leave empty to take them from the variables the template reads.' },
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];

/** Prompts: CRUD, preview (render with arguments) and version history with rollback. */
@AdminController('admin/prompts')
export class AdminPromptsController extends CatalogPagesController<Prompt> {
  protected readonly nav = 'prompts' as const;
  protected readonly spec = PROMPT_LIST;
  protected readonly singular = 'prompt';
  protected readonly createDto = CreatePromptDto;
  protected readonly updateDto = UpdatePromptDto;

  constructor(
    private readonly prompts: PromptsService,
    private readonly gateways: GatewaysService,
    private readonly metrics: EntityMetricsService,
  ) {
    super(prompts);
  }

  protected override peerChoices(): Promise<PeerChoice[]> {
    return primaryPeers(this.gateways);
  }

  protected fields(prompt?: Prompt): FieldSpec[] {
    return prompt?.gatewayId ? FIELDS.map((f) => (['name', 'template', 'arguments'].includes(f.name) ? { ...f, readonly: true } : f)) : FIELDS;
  }

  protected create(dto: object): Promise<Prompt> {
    return this.prompts.create(dto as CreatePromptDto);
  }

  protected update(id: string, dto: object): Promise<Prompt> {
    return this.prompts.update(id, dto as UpdatePromptDto);
  }

  protected override showHref(prompt: Prompt): string {
    return `/admin/prompts/${prompt.id}`;
  }

  protected override async showDetail(req: AdminRequest, res: Response, id: string): Promise<void> {
    const prompt = await this.prompts.get(id);
    const versions = prompt.gatewayId ? [] : (await this.prompts.listVersions(id, { limit: 50 })).items;
    render(
      res,
      'prompt',
      pageModel(req, 'prompts', prompt.name, {
        prompt,
        versions: versions.map((v) => ({ ...v, current: v.version === prompt.version })),
        args: prompt.arguments.map((a) => ({ ...a, id: `parg-${a.name}` })),
        entityMetrics: await loadEntityMetrics(this.metrics, 'prompt', prompt.id, prompt.name),
        basePath: this.spec.basePath,
      }),
    );
  }

  /** Renders the prompt with the posted arguments (the MCP `prompts/get` result). */
  @Post(':id/preview')
  async preview(@Res() res: Response, @Param('id') id: string, @Body() body: FormBody): Promise<void> {
    const args = Object.fromEntries(
      Object.entries(body)
        .filter(([k, v]) => k.startsWith('arg.') && typeof v === 'string' && v !== '')
        .map(([k, v]) => [k.slice(4), v]),
    );
    try {
      const rendered = await this.prompts.render(id, args);
      fragment(res, 'prompt-preview', { messages: rendered.messages.map((m) => ({ role: m.role, text: m.content.type === 'text' ? m.content.text : JSON.stringify(m.content, null, 2) })) });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      fragment(res, 'prompt-preview', { error: err.message });
    }
  }

  /** Restores a stored version's content as a new version, then shows the prompt again. */
  @Post(':id/rollback/:version')
  async rollback(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string, @Param('version') version: string): Promise<void> {
    await this.prompts.rollback(id, Number(version));
    if (req.headers['hx-request'] === 'true') {
      res.setHeader('HX-Redirect', `/admin/prompts/${id}`);
      res.status(200).send('');
    } else redirect(res, `/admin/prompts/${id}`);
  }
}
