import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { ENTITY_KINDS } from '../../../common/catalog/list-query.dto';
import type { EntityKind } from '../../../common/catalog/catalog.model';
import { ValidationError } from '../../../common/errors/domain-error';
import { type ExecutionMetrics, METERED_KINDS, type MeteredKind } from '../../../observability/metrics/entity/entity-metrics.model';
import { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import { assertEntityWithId, ResetMetricsQueryDto } from '../../../observability/metrics/entity/metrics-query.dto';
import { RecentActivity } from '../../../observability/metrics/recent-activity.service';
import { VersionService } from '../../../observability/version/version.service';
import { AUDIT_ACTIONS, type AuditAction } from '../../audit/audit.model';
import { AuditService } from '../../audit/audit.service';
import { GatewaysService } from '../../federation/gateways.service';
import { PromptsService } from '../../prompts/prompts.service';
import { ResourcesService } from '../../resources/resources.service';
import { ServersService } from '../../servers/servers.service';
import { ToolsService } from '../../tools/tools.service';
import { loadEntityMetrics, metricsFigures } from '../presenters/metrics';
import { AdminController, pageModel, render, wantsFragment, fragment } from '../web/admin-page';
import { type FormBody, formText, validateDto } from '../web/forms';
import type { AdminRequest } from '../web/admin.guard';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Filters of the audit page: the API's (`GET /audit`), with whole UTC days for the date range. */
class AuditQuery {
  @IsOptional() @IsIn([...ENTITY_KINDS, '']) entity_type?: EntityKind | '';
  @IsOptional() @IsString() @MaxLength(36) entity_id?: string;
  @IsOptional() @IsIn([...AUDIT_ACTIONS, '']) action?: AuditAction | '';
  @IsOptional() @IsString() @MaxLength(255) actor?: string;
  @IsOptional() @Matches(/^(\d{4}-\d{2}-\d{2})?$/, { message: 'since must be a date (YYYY-MM-DD)' }) since?: string;
  @IsOptional() @Matches(/^(\d{4}-\d{2}-\d{2})?$/, { message: 'until must be a date (YYYY-MM-DD)' }) until?: string;
  @IsOptional() @IsString() @MaxLength(2048) cursor?: string;
}

/** A YYYY-MM-DD day as the start of that UTC day (`offsetDays` later); a day that does not exist is a 400. */
function dayStart(day: string, field: string, offsetDays = 0): Date {
  const date = new Date(`${day}T00:00:00.000Z`);
  if (!DAY.test(day) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) throw new ValidationError(field, 'must be a date (YYYY-MM-DD)');
  return new Date(date.getTime() + offsetDays * 86_400_000);
}

/** Executions per minute as rows with a bar (a <meter>: no inline styles under the CSP). */
async function activityRows(activity: RecentActivity, minutes: number) {
  const rows = await activity.perMinute(minutes);
  const max = Math.max(1, ...rows.map((r) => r.calls));
  return { max, scope: activity.shared ? 'all replicas' : 'this replica', rows: rows.map((r) => ({ ...r, time: r.minute.slice(11, 16) })).reverse() };
}

/** The overview dashboard, metrics, audit log and version/configuration pages. */
@AdminController('admin')
export class AdminOverviewController {
  constructor(
    private readonly tools: ToolsService,
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
    private readonly servers: ServersService,
    private readonly gateways: GatewaysService,
    private readonly activity: RecentActivity,
    private readonly metrics: EntityMetricsService,
    private readonly audit: AuditService,
    private readonly version: VersionService,
  ) {}

  @Get()
  async overview(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    const [tools, resources, prompts, servers, peers, activity, errors] = await Promise.all([
      this.tools.count({ includeInactive: true }),
      this.resources.count({ includeInactive: true }),
      this.prompts.count({ includeInactive: true }),
      this.servers.count({ includeInactive: true }),
      this.gateways.findAll(),
      activityRows(this.activity, 15),
      this.activity.recentErrors(10),
    ]);
    render(
      res,
      'overview',
      pageModel(req, 'overview', 'Overview', {
        counts: [
          { label: 'Virtual servers', value: servers, href: '/admin/servers' },
          { label: 'Tools', value: tools, href: '/admin/tools' },
          { label: 'Resources', value: resources, href: '/admin/resources' },
          { label: 'Prompts', value: prompts, href: '/admin/prompts' },
          { label: 'Peers', value: peers.length, href: '/admin/gateways' },
        ],
        peers: peers.map((p) => ({ id: p.id, name: p.name, url: p.url, enabled: p.enabled, healthy: p.enabled && p.reachable, lastSeen: p.lastSeen, lastError: p.lastError })),
        activity,
        errors,
      }),
    );
  }

  @Get('metrics')
  async metricsPage(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    const [summary, activity] = await Promise.all([this.metricsSummary(), activityRows(this.activity, 60)]);
    render(res, 'metrics', pageModel(req, 'metrics', 'Metrics', { ...summary, activity }));
  }

  /**
   * `POST /metrics/reset` of the UI (after a confirmation): everything, one kind, or one entity. Answers the
   * re-rendered card: the summary of the metrics page, or the entity's metrics card of its detail page.
   */
  @Post('metrics/reset')
  async resetMetrics(@Res() res: Response, @Body() body: FormBody): Promise<void> {
    const { value, errors } = await validateDto(ResetMetricsQueryDto, { entity: formText(body.entity) || undefined, entity_id: formText(body.entity_id) || undefined });
    const [field, message] = Object.entries(errors)[0] ?? [];
    if (field) throw new ValidationError(field, message);
    assertEntityWithId(value);
    if (value.entity && value.entity_id) {
      const label = (await this.entityService(value.entity).get(value.entity_id)).name;
      await this.metrics.reset(value.entity, value.entity_id);
      return fragment(res, 'entity-metrics-fragment', { entityMetrics: await loadEntityMetrics(this.metrics, value.entity, value.entity_id, label, 'Metrics reset.') });
    }
    const removed = await this.metrics.reset(value.entity);
    const what = value.entity ? `every ${value.entity}` : 'everything';
    fragment(res, 'metrics-summary-fragment', { ...(await this.metricsSummary()), message: `Metrics reset for ${what} (${removed} ${removed === 1 ? 'entity' : 'entities'}).` });
  }

  private entityService(kind: MeteredKind): { get(id: string): Promise<{ name: string }> } {
    return kind === 'tool' ? this.tools : kind === 'resource' ? this.resources : kind === 'prompt' ? this.prompts : this.servers;
  }

  private async metricsSummary() {
    const summary = await this.metrics.summary(10);
    const top = await this.tools.findByIds(summary.topTools.map((t) => t.id));
    const names = new Map(top.map((t) => [t.id, t.name]));
    const row = (m: ExecutionMetrics) => ({ ...m, ...metricsFigures(m) });
    return {
      kinds: METERED_KINDS.map((k) => ({ kind: k, label: `${k}s`, ...row(summary[`${k}s`]) })),
      topTools: summary.topTools.map((t) => ({ id: t.id, name: names.get(t.id) ?? t.id, ...row(t.metrics) })),
    };
  }

  @Get('audit')
  async auditLog(@Req() req: AdminRequest, @Res() res: Response, @Query() q: AuditQuery): Promise<void> {
    const filter = {
      entityType: q.entity_type || undefined,
      entityId: q.entity_id?.trim() || undefined,
      actions: q.action ? [q.action] : undefined,
      actor: q.actor?.trim() || undefined,
      since: q.since ? dayStart(q.since, 'since') : undefined,
      // The "to" day is included: entries before the start of the next day.
      until: q.until ? dayStart(q.until, 'until', 1) : undefined,
    };
    const page = await this.audit.list(filter, 50, q.cursor);
    const params = Object.fromEntries(Object.entries({ entity_type: q.entity_type, entity_id: q.entity_id, action: q.action, actor: q.actor, since: q.since, until: q.until }).filter(([, v]) => v)) as Record<string, string>;
    const next = page.nextCursor ? `/admin/audit?${new URLSearchParams({ ...params, cursor: page.nextCursor })}` : undefined;
    const model = {
      entries: page.items,
      next,
      kinds: ENTITY_KINDS.map((k) => ({ value: k, selected: k === q.entity_type })),
      actions: AUDIT_ACTIONS.map((a) => ({ value: a, selected: a === q.action })),
      filters: { actor: q.actor ?? '', entityId: q.entity_id ?? '', since: q.since ?? '', until: q.until ?? '' },
      entityName: filter.entityId ? (page.items[0]?.entityName ?? filter.entityId) : undefined,
    };
    if (wantsFragment(req, 'audit-list')) return fragment(res, 'audit-fragment', model);
    render(res, 'audit', pageModel(req, 'audit', 'Audit log', model));
  }

  @Get('version')
  async versionPage(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    const info = await this.version.info();
    const settings = Object.entries(info.settings).map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }));
    render(res, 'version', pageModel(req, 'version', 'Version and configuration', { info, configEntries: settings }));
  }
}
