import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ListQueryDto, paginated } from '../../common/catalog/list-query.dto';
import { StateQueryDto } from '../../common/catalog/state-query.dto';
import { CatalogBody } from '../../common/decorators/catalog-body.decorator';
import { deleted, stateChanged } from '../../common/http/responses';
import { CreateToolDto } from './dto/create-tool.dto';
import { UpdateToolDto } from './dto/update-tool.dto';
import { ImportOpenApiDto } from './openapi/openapi-import.dto';
import { OpenApiImportService } from './openapi/openapi-import.service';
import { ToolPresenter, type ToolResponse } from './tool.presenter';
import { ToolsService } from './tools.service';
import { WithEntityMetrics } from '../../observability/metrics/entity/entity-metrics.interceptor';

const BODY = { wrapper: 'tool', nested: ['auth', 'annotations'] };

@Controller('tools')
@WithEntityMetrics('tool')
export class ToolsController {
  constructor(
    private readonly tools: ToolsService,
    private readonly presenter: ToolPresenter,
    private readonly openApi: OpenApiImportService,
  ) {}

  @Get()
  async list(@Query() q: ListQueryDto) {
    const page = await this.tools.list(q.toOptions());
    return paginated('tools', { ...page, items: page.items.map((t) => this.presenter.present(t)) }, q.include_pagination);
  }

  @Post()
  @HttpCode(200)
  async create(@CatalogBody(BODY) dto: CreateToolDto): Promise<ToolResponse> {
    return this.presenter.present(await this.tools.create(dto));
  }

  /** One REST tool per operation of an OpenAPI 3.0/3.1 or Swagger 2.0 document; `dryRun` only lists them. */
  @Post('import/openapi')
  @HttpCode(200)
  importOpenApi(@CatalogBody({ wrapper: 'openapi', nested: ['auth'] }) dto: ImportOpenApiDto) {
    return this.openApi.import(dto);
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ToolResponse> {
    return this.presenter.present(await this.tools.get(id));
  }

  @Put(':id')
  async update(@Param('id') id: string, @CatalogBody(BODY) dto: UpdateToolDto): Promise<ToolResponse> {
    return this.presenter.present(await this.tools.update(id, dto));
  }

  @Delete(':id')
  async remove(@Param('id') id: string) {
    await this.tools.remove(id);
    return deleted('Tool', id);
  }

  @Post([':id/state', ':id/toggle'])
  @HttpCode(200)
  async setState(@Param('id') id: string, @Query() q: StateQueryDto) {
    return stateChanged('Tool', 'tool', this.presenter.present(await this.tools.setEnabled(id, q.activate ?? true)));
  }
}
