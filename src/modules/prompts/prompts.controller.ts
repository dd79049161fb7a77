import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ListQueryDto, paginated } from '../../common/catalog/list-query.dto';
import { StateQueryDto } from '../../common/catalog/state-query.dto';
import { CatalogBody } from '../../common/decorators/catalog-body.decorator';
import { deleted, stateChanged } from '../../common/http/responses';
import { CreatePromptDto } from './dto/create-prompt.dto';
import { ListVersionsQueryDto, VersionParamsDto } from './dto/list-versions.query';
import { PromptArgs } from './dto/prompt-args.decorator';
import { RollbackBody } from './dto/rollback-body.decorator';
import { rollbackTarget, RollbackPromptDto, RollbackQueryDto } from './dto/rollback-prompt.dto';
import { UpdatePromptDto } from './dto/update-prompt.dto';
import type { Prompt, PromptVersion, PromptWithWarnings, RenderedPrompt } from './prompt.model';
import { PromptsService } from './prompts.service';
import { MeteredAs, WithEntityMetrics } from '../../observability/metrics/entity/entity-metrics.interceptor';

const BODY = { wrapper: 'prompt' };

@Controller('prompts')
@WithEntityMetrics('prompt')
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  @Get()
  async list(@Query() q: ListQueryDto) {
    return paginated('prompts', await this.prompts.list(q.toOptions()), q.include_pagination);
  }

  @Post()
  @HttpCode(200)
  create(@CatalogBody(BODY) dto: CreatePromptDto): Promise<PromptWithWarnings> {
    return this.prompts.create(dto);
  }

  /** The prompt rendered without arguments (reference behaviour); the record is at `/prompts/{id}/info`. */
  @Get(':idOrName')
  @MeteredAs(null)
  renderDefault(@Param('idOrName') idOrName: string): Promise<RenderedPrompt> {
    return this.prompts.render(idOrName, {});
  }

  /** Renders the prompt with the arguments in the body (MCP `prompts/get`). */
  @Post(':idOrName')
  @HttpCode(200)
  render(@Param('idOrName') idOrName: string, @PromptArgs() args: Record<string, unknown>): Promise<RenderedPrompt> {
    return this.prompts.render(idOrName, args);
  }

  @Get(':idOrName/info')
  info(@Param('idOrName') idOrName: string): Promise<Prompt> {
    return this.prompts.getByIdOrName(idOrName);
  }

  /** Stored versions of the prompt's content, newest first (paged like every list). */
  @Get(':idOrName/versions')
  @MeteredAs(null)
  async versions(@Param('idOrName') idOrName: string, @Query() q: ListVersionsQueryDto) {
    return paginated('versions', await this.prompts.listVersions(idOrName, { limit: q.limit, cursor: q.cursor }), q.include_pagination);
  }

  @Get(':idOrName/versions/:version')
  @MeteredAs(null)
  version(@Param() p: VersionParamsDto): Promise<PromptVersion> {
    return this.prompts.getVersion(p.idOrName, p.version);
  }

  /** Restores a stored version's content as a new version: body `{"version": n}` or `?version=n`. */
  @Post(':idOrName/rollback')
  @HttpCode(200)
  rollback(@Param('idOrName') idOrName: string, @Query() q: RollbackQueryDto, @RollbackBody() body: RollbackPromptDto): Promise<Prompt> {
    return this.prompts.rollback(idOrName, rollbackTarget(q, body), body.expectedVersion);
  }

  @Put(':id')
  update(@Param('id') id: string, @CatalogBody(BODY) dto: UpdatePromptDto): Promise<PromptWithWarnings> {
    return this.prompts.update(id, dto);
  }

  @Delete(':id')
  async remove(@Param('id') id: string) {
    await this.prompts.remove(id);
    return deleted('Prompt', id);
  }

  @Post([':id/state', ':id/toggle'])
  @HttpCode(200)
  async setState(@Param('id') id: string, @Query() q: StateQueryDto) {
    return stateChanged('Prompt', 'prompt', await this.prompts.setEnabled(id, q.activate ?? true));
  }
}
