import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ListQueryDto, paginated } from '../../common/catalog/list-query.dto';
import { StateQueryDto } from '../../common/catalog/state-query.dto';
import { CatalogBody } from '../../common/decorators/catalog-body.decorator';
import { deleted, stateChanged } from '../../common/http/responses';
import { CreateResourceDto } from './dto/create-resource.dto';
import { UpdateResourceDto } from './dto/update-resource.dto';
import type { ResourceContent } from './resource.model';
import { presentResource } from './resource.presenter';
import { ResourcesService } from './resources.service';
import { MeteredAs, WithEntityMetrics } from '../../observability/metrics/entity/entity-metrics.interceptor';

const BODY = { wrapper: 'resource' };

@Controller('resources')
@WithEntityMetrics('resource')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get()
  async list(@Query() q: ListQueryDto) {
    const page = await this.resources.list(q.toOptions());
    return paginated('resources', { ...page, items: page.items.map(presentResource) }, q.include_pagination);
  }

  @Post()
  @HttpCode(200)
  async create(@CatalogBody(BODY) dto: CreateResourceDto) {
    return presentResource(await this.resources.create(dto));
  }

  /** The enabled template resources, as MCP `resources/templates/list` answers (the reference gateway's route). */
  @Get('templates/list')
  @MeteredAs(null)
  async templates() {
    const templates = await this.resources.findTemplates();
    return {
      resourceTemplates: templates.map((t) => ({
        uriTemplate: t.uriTemplate!,
        name: t.name,
        description: t.description || t.name,
        ...(t.mimeType ? { mimeType: t.mimeType } : {}),
      })),
    };
  }

  /** The content, like the reference gateway; metadata is at `/resources/{id}/info`. */
  @Get(':id')
  @MeteredAs(null)
  read(@Param('id') id: string): Promise<ResourceContent> {
    return this.resources.read(id);
  }

  @Get(':id/info')
  async info(@Param('id') id: string) {
    return presentResource(await this.resources.get(id));
  }

  @Put(':id')
  async update(@Param('id') id: string, @CatalogBody(BODY) dto: UpdateResourceDto) {
    return presentResource(await this.resources.update(id, dto));
  }

  @Delete(':id')
  async remove(@Param('id') id: string) {
    await this.resources.remove(id);
    return deleted('Resource', id);
  }

  /** Re-fetches an HTTP-backed resource; a change of its content notifies subscribed MCP sessions. */
  @Post(':id/refresh')
  @HttpCode(200)
  refresh(@Param('id') id: string) {
    return this.resources.refresh(id);
  }

  @Post([':id/state', ':id/toggle'])
  @HttpCode(200)
  async setState(@Param('id') id: string, @Query() q: StateQueryDto) {
    return stateChanged('Resource', 'resource', presentResource(await this.resources.setEnabled(id, q.activate ?? true)));
  }
}
