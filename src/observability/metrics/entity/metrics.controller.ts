import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { EntityMetricsService, type MetricsSummary } from './entity-metrics.service';
import { assertEntityWithId, ResetMetricsQueryDto } from './metrics-query.dto';

/** The reference gateway's JSON metrics: aggregates per entity kind, and their reset. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: EntityMetricsService) {}

  @Get('summary')
  summary(): Promise<MetricsSummary> {
    return this.metrics.summary();
  }

  @Post('reset')
  @HttpCode(200)
  async reset(@Query() q: ResetMetricsQueryDto): Promise<{ status: string; message: string; removed: number }> {
    assertEntityWithId(q);
    const removed = await this.metrics.reset(q.entity, q.entity_id);
    const what = q.entity_id ? `${q.entity} ${q.entity_id}` : q.entity ? `every ${q.entity}` : 'every entity';
    return { status: 'success', message: `Metrics reset for ${what}`, removed };
  }
}
