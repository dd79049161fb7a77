import { Module } from '@nestjs/common';
import { MetricsModule } from '../../observability/metrics/metrics.module';
import { VersionModule } from '../../observability/version/version.module';
import { AuditModule } from '../audit/audit.module';
import { FederationModule } from '../federation/federation.module';
import { PromptsModule } from '../prompts/prompts.module';
import { ResourcesModule } from '../resources/resources.module';
import { ServersModule } from '../servers/servers.module';
import { TagsModule } from '../tags/tags.module';
import { ToolsModule } from '../tools/tools.module';
import { LoginController } from './controllers/login.controller';
import { AdminGatewaysController } from './controllers/gateways.controller';
import { AdminOverviewController } from './controllers/overview.controller';
import { AdminPromptsController } from './controllers/prompts.controller';
import { AdminResourcesController } from './controllers/resources.controller';
import { AdminServersController } from './controllers/servers.controller';
import { AdminTagsController } from './controllers/tags.controller';
import { AdminTokensController } from './controllers/tokens.controller';
import { AdminToolsController } from './controllers/tools.controller';
import { AdminSession } from './web/admin-session.service';
import { AdminGuard } from './web/admin.guard';

/**
 * The admin UI at /admin: server-rendered Handlebars pages (views/), HTMX for partial updates, Alpine.js (CSP build)
 * for small client state, Tailwind CSS compiled at build time. Controllers are thin: they call the other modules'
 * services and render view-models; the view engine, static assets and admin headers are set up in configureApp.
 */
@Module({
  imports: [ToolsModule, ResourcesModule, PromptsModule, ServersModule, FederationModule, TagsModule, AuditModule, MetricsModule, VersionModule],
  controllers: [
    LoginController,
    AdminOverviewController,
    AdminToolsController,
    AdminServersController,
    AdminResourcesController,
    AdminPromptsController,
    AdminGatewaysController,
    AdminTokensController,
    AdminTagsController,
  ],
  providers: [AdminSession, AdminGuard],
})
export class AdminModule {}
