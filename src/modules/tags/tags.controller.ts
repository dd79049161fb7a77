import { Controller, Get, Param, Query } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { normalizeTag } from '../../common/catalog/tags';
import { ToBoolean } from '../../common/transforms';
import { TAGGED_TYPES, type TagEntity, type TagInfo, type TaggedType, TagsService } from './tags.service';

class TagsQuery {
  /** Comma-separated subset of tools, resources, prompts, servers, gateways. */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value))
  @IsIn(TAGGED_TYPES, { each: true })
  entity_types?: TaggedType[];

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_entities?: boolean;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_inactive?: boolean;

  /** The reference gateway's JSONPath response modifier: accepted so its clients work, and ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  apijsonpath?: string;
}

@Controller('tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  list(@Query() q: TagsQuery): Promise<TagInfo[]> {
    return this.tags.list(q.entity_types, q.include_entities ?? false, q.include_inactive ?? false);
  }

  @Get(':tag/entities')
  entities(@Param('tag') tag: string, @Query() q: TagsQuery): Promise<TagEntity[]> {
    return this.tags.entities(normalizeTag(tag), q.entity_types, q.include_inactive ?? false);
  }
}
