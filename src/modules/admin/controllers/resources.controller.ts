import { CreateResourceDto } from '../../resources/dto/create-resource.dto';
import { UpdateResourceDto } from '../../resources/dto/update-resource.dto';
import type { Resource } from '../../resources/resource.model';
import { ResourcesService } from '../../resources/resources.service';
import { type ListSpec, tagsCell } from '../presenters/list.presenter';
import { AdminController } from '../web/admin-page';
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
      { text: r.uri, href: `/admin/resources/${r.id}/edit`, mono: true },
      { text: r.name },
      { text: r.mimeType ?? '' },
      tagsCell(r.tags),
      { text: r.modifiedAt.toISOString().slice(0, 16).replace('T', ' ') },
    ],
  }),
};

const FIELDS: FieldSpec[] = [
  { name: 'uri', label: 'URI', kind: 'text', required: true, placeholder: 'file:///docs/readme.md' },
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'description', label: 'Description', kind: 'textarea' },
  { name: 'mimeType', label: 'MIME type', kind: 'text', placeholder: 'text/plain' },
  { name: 'uriTemplate', label: 'URI template (template resources)', kind: 'text', placeholder: 'file:///logs/{date}' },
  { name: 'content', label: 'Text content', kind: 'textarea' },
  { name: 'tags', label: 'Tags (comma-separated)', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
];

/** Resources: CRUD with text content (binary resources are managed through the API). */
@AdminController('admin/resources')
export class AdminResourcesController extends CatalogPagesController<Resource> {
  protected readonly nav = 'resources' as const;
  protected readonly spec = RESOURCE_LIST;
  protected readonly singular = 'resource';
  protected readonly createDto = CreateResourceDto;
  protected readonly updateDto = UpdateResourceDto;

  constructor(private readonly resources: ResourcesService) {
    super(resources);
  }

  protected fields(resource?: Resource): FieldSpec[] {
    return resource?.gatewayId ? FIELDS.map((f) => (['uri', 'uriTemplate', 'content'].includes(f.name) ? { ...f, readonly: true } : f)) : FIELDS;
  }

  protected override values(resource: Resource): Record<string, unknown> {
    return { ...resource, content: resource.textContent ?? '' };
  }

  protected create(dto: object): Promise<Resource> {
    return this.resources.create(dto as CreateResourceDto);
  }

  protected update(id: string, dto: object): Promise<Resource> {
    return this.resources.update(id, dto as UpdateResourceDto);
  }
}
