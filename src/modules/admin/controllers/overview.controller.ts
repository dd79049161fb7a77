import { Get, Query, Req, Res } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { ENTITY_KINDS } from '../../../common/catalog/list-query.dto';
import type { EntityKind } from '../../../common/catalog/catalog.model';
import { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import { RecentActivity } from '../../../observability/metrics/recent-activity.service';
import { VersionService } from '../../../observability/version/version.service';
import { AuditService } from '../../audit/audit.service';
import { GatewaysService } from '../../federation/gateways.service';
import { PromptsService } from '../../prompts/prompts.service';
import { ResourcesService } from '../../resources/resources.service';
import { ServersService } from '../../servers/servers.service';
import { ToolsService } from '../../tools/tools.service';
import { AdminController, pageModel, render, wantsFragment, fragment } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';

class AuditQuery {
  @IsOptional() @IsIn([...ENTITY_KINDS, '']) type?: EntityKind | '';
  @IsOptional() @IsString() @MaxLength(2048) cursor?: string;
  @IsOptional() @Type(() => String) @IsString() @MaxLength(255) actor?: string;
}

/** Executions per minute as rows with a bar (a <meter>: no inline styles under the CSP). */
function activityRows(activity: RecentActivity, minutes: number) {
  const rows = activity.perMinute(minutes);
  const max = Math.max(1, ...rows.map((r) => r.calls));
  return { max, rows: rows.map((r) => ({ ...r, time: r.minute.slice(11, 16) })).reverse() };
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
    const [tools, resources, prompts, servers, peers] = await Promise.all([
      this.tools.count({ includeInactive: true }),
      this.resources.count({ includeInactive: true }),
      this.prompts.count({ includeInactive: true }),
      this.servers.count({ includeInactive: true }),
      this.gateways.findAll(),
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
        activity: activityRows(this.activity, 15),
        errors: this.activity.recentErrors(10),
      }),
    );
  }

  @Get('metrics')
  async metricsPage(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    const summary = await this.metrics.summary(10);
    const top = await this.tools.findByIds(summary.topTools.map((t) => t.id));
    const names = new Map(top.map((t) => [t.id, t.name]));
    const kinds = (['tools', 'resources', 'prompts', 'servers'] as const).map((k) => ({ kind: k, ...summary[k] }));
    render(
      res,
      'metrics',
      pageModel(req, 'metrics', 'Metrics', {
        kinds,
        topTools: summary.topTools.map((t) => ({ id: t.id, name: names.get(t.id) ?? t.id, ...t.metrics })),
        activity: activityRows(this.activity, 60),
      }),
    );
  }

  @Get('audit')
  async auditLog(@Req() req: AdminRequest, @Res() res: Response, @Query() q: AuditQuery): Promise<void> {
    const page = await this.audit.list({ entityType: q.type || undefined, actor: q.actor || undefined }, 50, q.cursor);
    const next = page.nextCursor ? `/admin/audit?${new URLSearchParams({ ...(q.type ? { type: q.type } : {}), ...(q.actor ? { actor: q.actor } : {}), cursor: page.nextCursor })}` : undefined;
    const model = { entries: page.items, next, kinds: ENTITY_KINDS.map((k) => ({ value: k, selected: k === q.type })), actor: q.actor ?? '' };
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
