import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ListQueryDto, paginated } from '../../common/catalog/list-query.dto';
import { StateQueryDto } from '../../common/catalog/state-query.dto';
import { CatalogBody } from '../../common/decorators/catalog-body.decorator';
import { deleted, stateChanged } from '../../common/http/responses';
import { presentResource } from '../resources/resource.presenter';
import { ToolPresenter } from '../tools/tool.presenter';
import { CreateServerDto } from './dto/create-server.dto';
import { MembersQueryDto } from './dto/members-query.dto';
import { UpdateServerDto } from './dto/update-server.dto';
import { ServerPresenter, type ServerResponse } from './server.presenter';
import { ServersService } from './servers.service';
import { MeteredAs, WithEntityMetrics } from '../../observability/metrics/entity/entity-metrics.interceptor';

const BODY = { wrapper: 'server' };

@Controller('servers')
@WithEntityMetrics('server')
export class ServersController {
  constructor(
    private readonly servers: ServersService,
    private readonly presenter: ServerPresenter,
    private readonly toolPresenter: ToolPresenter,
  ) {}

  @Get()
  async list(@Query() q: ListQueryDto) {
    const page = await this.servers.list(q.toOptions());
    return paginated('servers', { items: await this.presenter.presentAll(page.items), nextCursor: page.nextCursor }, q.include_pagination);
  }

  @Post()
  @HttpCode(201)
  async create(@CatalogBody(BODY) dto: CreateServerDto): Promise<ServerResponse> {
    return this.presenter.present(await this.servers.create(dto));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ServerResponse> {
    return this.presenter.present(await this.servers.get(id));
  }

  @Put(':id')
  async update(@Param('id') id: string, @CatalogBody(BODY) dto: UpdateServerDto): Promise<ServerResponse> {
    return this.presenter.present(await this.servers.update(id, dto));
  }

  @Delete(':id')
  async remove(@Param('id') id: string) {
    await this.servers.remove(id);
    return deleted('Server', id);
  }

  @Post([':id/state', ':id/toggle'])
  @HttpCode(200)
  async setState(@Param('id') id: string, @Query() q: StateQueryDto) {
    return stateChanged('Server', 'server', await this.presenter.present(await this.servers.setEnabled(id, q.activate ?? true)));
  }

  @Get(':id/tools')
  @MeteredAs('tool')
  async tools(@Param('id') id: string, @Query() q: MembersQueryDto) {
    return (await this.servers.members(id, 'tools', q.include_inactive)).map((t) => this.toolPresenter.present(t));
  }

  @Get(':id/resources')
  @MeteredAs('resource')
  async resources(@Param('id') id: string, @Query() q: MembersQueryDto) {
    return (await this.servers.members(id, 'resources', q.include_inactive)).map(presentResource);
  }

  @Get(':id/prompts')
  @MeteredAs('prompt')
  prompts(@Param('id') id: string, @Query() q: MembersQueryDto) {
    return this.servers.members(id, 'prompts', q.include_inactive);
  }
}
