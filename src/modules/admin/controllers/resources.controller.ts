import { Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { CreateResourceDto } from '../../resources/dto/create-resource.dto';
import { UpdateResourceDto } from '../../resources/dto/update-resource.dto';
import type { Resource } from '../../resources/resource.model';
import { base64Size, ResourcesService } from '../../resources/resources.service';
import { primaryPeers } from '../presenters/catalog-pages';
import { loadEntityMetrics } from '../presenters/metrics';
import { type ListSpec, type PeerChoice, tagsCell } from '../presenters/list.presenter';
import { GatewaysService } from '../../federation/gateways.service';
import { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import { AdminController, fragment, pageModel, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import type { FieldSpec } from '../web/forms';
import { CatalogPagesController } from './catalog-pages.controller';

export const RESOURCE_LIST: ListSpec<Resource> = {
  title: 'Resources',
  basePath: '/admin/resources',
  createLabel: 'New resource',
  defaultSort: 'uri',
  searchPlaceholder: 'URI contains…',
  columns: [{ label: 'URI', sort: 'uri' }, { label: 'Name', sort: 'name' }, { label: 'MIME type' }, { label: 'Tags' }, { label: 'Modified', sort: 'modifiedAt' }],
  row: (r) => ({
    id: r.id,
    label: r.name,
    enabled: r.enabled,
    editHref: `/admin/resources/${r.id}/edit`,
    cells: [
      { text: r.uri, href: `/admin/resources/${r.id}`, mono: true },
      { text: r.name },
      { text: r.mimeType ?? '' },
      tagsCell(r.tags),
      { text: r.modifiedAt.toISOString().slice(0, 16).replace('T', ' ') },
    ],
  }),
};

const SOURCES = [
  { value: 'text', label: 'Text' },
  { value: 'file', label: 'Binary file (upload)' },
  { value: 'url', label: 'Fetched from a URL (HTTP-backed)' },
];

const FIELDS: FieldSpec[] = [
  { name: 'uri', label: 'URI', kind: 'text', required: true, placeholder: 'file:///docs/readme.md' },
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'description', label: 'Description', kind: 'textarea' },
  { name: 'source', label: 'Content source', kind: 'select', options: SOURCES },
  { name: 'content', label: 'Text content', kind: 'textarea', showIf: { field: 'source', values: ['text'] }, keepWhenEmpty: true },
  { name: 'blob', label: 'File', kind: 'file', help: 'Read in the browser and stored base64-encoded (MAX_RESOURCE_SIZE); leave empty to keep the current content.', showIf: { field: 'source', values: ['file'] } },
  { name: 'contentUrl', label: 'Content URL', kind: 'url', placeholder: 'https://example.com/data.json', help: 'Fetched on read (SSRF-checked); in a template resource it may use the template\'s {variables}.', showIf: { field: 'source', values: ['url'] }, keepWhenEmpty: true },
  { name: 'cacheTtl', label: 'Cache TTL (seconds)', kind: 'number', placeholder: 'default (RESOURCE_CACHE_TTL); 0 = never cached', showIf: { field: 'source', values: ['url'] } },
  { name: 'mimeType', label: 'MIME type', kind: 'text', placeholder: 'text/plain' },
  { name: 'uriTemplate', label: 'URI template (template resources)', kind: 'text', placeholder: 'file:///logs/{date}' },
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];

const PREVIEW_CHARS = 4000;

/** Where a resource's content comes from, as the form's "Content source". */
function sourceOf(r: Resource): string {
  return r.contentUrl ? 'url' : r.binaryContent !== null ? 'file' : 'text';
}

/** Resources: CRUD with text, uploaded binary or HTTP-backed content; detail page with a preview and "Refresh". */
@AdminController('admin/resources')
export class AdminResourcesController extends CatalogPagesController<Resource> {
  protected readonly nav = 'resources' as const;
  protected readonly spec = RESOURCE_LIST;
  protected readonly singular = 'resource';
  protected readonly createDto = CreateResourceDto;
  protected readonly updateDto = UpdateResourceDto;

  constructor(
    private readonly resources: ResourcesService,
    private readonly gateways: GatewaysService,
    private readonly metrics: EntityMetricsService,
  ) {
    super(resources);
  }

  protected override peerChoices(): Promise<PeerChoice[]> {
    return primaryPeers(this.gateways);
  }

  protected fields(resource?: Resource): FieldSpec[] {
    return resource?.gatewayId
      ? FIELDS.filter((f) => !['source', 'blob', 'contentUrl', 'cacheTtl'].includes(f.name)).map((f) => (['uri', 'uriTemplate', 'content'].includes(f.name) ? { ...f, readonly: true, showIf: undefined } : f))
      : FIELDS;
  }

  protected override values(resource: Resource): Record<string, unknown> {
    return { ...resource, source: sourceOf(resource), content: resource.textContent ?? '' };
  }

  protected override newValues(): Record<string, unknown> {
    return { enabled: true, source: 'text' };
  }

  protected override toDto(data: Record<string, unknown>): Record<string, unknown> {
    const { source: _source, ...rest } = data;
    return rest;
  }

  protected override showHref(resource: Resource): string {
    return `/admin/resources/${resource.id}`;
  }

  protected override async showDetail(req: AdminRequest, res: Response, id: string): Promise<void> {
    const resource = await this.resources.get(id);
    let preview: Record<string, unknown>;
    try {
      const content = await this.resources.read(id);
      preview =
        content.blob !== undefined
          ? { binary: true, size: base64Size(content.blob), mimeType: content.mimeType ?? 'application/octet-stream' }
          : { text: content.text!.slice(0, PREVIEW_CHARS), truncated: content.text!.length > PREVIEW_CHARS, size: Buffer.byteLength(content.text!, 'utf8'), mimeType: content.mimeType ?? '' };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      preview = { error: err.message };
    }
    const refreshable = !!resource.contentUrl && !resource.uriTemplate && !resource.gatewayId;
    const entityMetrics = await loadEntityMetrics(this.metrics, 'resource', resource.id, resource.name);
    render(res, 'resource', pageModel(req, 'resources', resource.name, { resource, source: sourceOf(resource), preview, refreshable, entityMetrics, basePath: this.spec.basePath }));
  }

  /** Fetches an HTTP-backed resource now and says whether its content changed. */
  @Post(':id/refresh')
  async refresh(@Res() res: Response, @Param('id') id: string): Promise<void> {
    try {
      fragment(res, 'resource-refresh', { result: await this.resources.refresh(id) });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      fragment(res, 'resource-refresh', { error: err.message });
    }
  }

  protected create(dto: object): Promise<Resource> {
    return this.resources.create(dto as CreateResourceDto);
  }

  protected update(id: string, dto: object): Promise<Resource> {
    return this.resources.update(id, dto as UpdateResourceDto);
  }
}
