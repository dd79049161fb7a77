import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ListQueryDto, paginated } from '../../common/catalog/list-query.dto';
import { StateQueryDto } from '../../common/catalog/state-query.dto';
import { CatalogBody } from '../../common/decorators/catalog-body.decorator';
import { deleted, stateChanged } from '../../common/http/responses';
import { CreateGatewayDto } from './dto/create-gateway.dto';
import { UpdateGatewayDto } from './dto/update-gateway.dto';
import { FederationService, type PeerTestResult, type RefreshResult } from './federation.service';
import { GatewayPresenter, type GatewayResponse } from './gateway.presenter';
import { GatewaysService } from './gateways.service';

const BODY = { wrapper: 'gateway', nested: ['auth'] };

/** Peer MCP servers and gateways ("MCP Servers" in the reference UI). */
@Controller('gateways')
export class GatewaysController {
  constructor(
    private readonly gateways: GatewaysService,
    private readonly federation: FederationService,
    private readonly presenter: GatewayPresenter,
  ) {}

  @Get()
  async list(@Query() q: ListQueryDto) {
    const page = await this.gateways.list(q.toOptions());
    return paginated('gateways', { ...page, items: page.items.map((g) => this.presenter.present(g)) }, q.include_pagination);
  }

  /** Connects to the peer, lists its catalog and stores both (502 if unreachable, 409 on a conflict). */
  @Post()
  @HttpCode(200)
  async register(@CatalogBody(BODY) dto: CreateGatewayDto): Promise<GatewayResponse> {
    return this.presenter.present(await this.federation.register(dto));
  }

  /** By id, exact name or slug. */
  @Get(':id')
  async get(@Param('id') id: string): Promise<GatewayResponse> {
    return this.presenter.present(await this.gateways.resolve(id));
  }

  @Put(':id')
  async update(@Param('id') id: string, @CatalogBody(BODY) dto: UpdateGatewayDto): Promise<GatewayResponse> {
    return this.presenter.present(await this.federation.update(id, dto));
  }

  /** Removes the peer, its fail-over alternates and every tool, resource and prompt synced from it. */
  @Delete(':id')
  async remove(@Param('id') id: string) {
    await this.federation.remove(id);
    return deleted('Gateway', id);
  }

  @Post([':id/state', ':id/toggle'])
  @HttpCode(200)
  async setState(@Param('id') id: string, @Query() q: StateQueryDto) {
    return stateChanged('Gateway', 'gateway', this.presenter.present(await this.federation.setEnabled(id, q.activate ?? true)));
  }

  /** Re-syncs the peer's tools, resources and prompts now. */
  @Post([':id/tools/refresh', ':id/refresh'])
  @HttpCode(200)
  refresh(@Param('id') id: string): Promise<RefreshResult> {
    return this.federation.refresh(id);
  }

  /** Connects to the peer and reports what it offers, without changing anything. */
  @Post(':id/test')
  @HttpCode(200)
  test(@Param('id') id: string): Promise<PeerTestResult> {
    return this.federation.test(id);
  }
}
