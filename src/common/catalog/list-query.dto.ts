import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ToBoolean } from '../transforms';
import type { EntityKind, ListOptions } from './catalog.model';
import { normalizeTags, TAG_PATTERN } from './tags';

export const ENTITY_KINDS: EntityKind[] = ['tool', 'resource', 'prompt', 'server', 'gateway'];

/** Query string of every catalog listing, with the reference gateway's parameter names. */
export class ListQueryDto {
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_inactive?: boolean;

  /** `true`: `{<kind>s: [...], nextCursor}` instead of a plain array. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_pagination?: boolean;

  /** Comma-separated; items carrying any of them match. */
  @IsOptional()
  @Transform(({ value }) => normalizeTags(value))
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be a lower-case label of letters, digits and _ . : / -' })
  tags?: string[];

  /** Page size; 0 returns everything up to the configured maximum. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  cursor?: string;

  /** A peer gateway id, or `null` for local items only. */
  @IsOptional()
  @IsString()
  @MaxLength(36)
  gateway_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  search?: string;

  // Accepted for compatibility with reference-gateway clients; teams are not modelled here.
  @IsOptional()
  @IsString()
  @MaxLength(64)
  team_id?: string;

  @IsOptional()
  @IsIn(['public', 'team', 'private'])
  visibility?: string;

  /** The reference gateway's JSONPath response modifier: accepted so its clients work, and ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  apijsonpath?: string;

  toOptions(): ListOptions {
    return {
      includeInactive: this.include_inactive ?? false,
      tags: this.tags,
      limit: this.limit,
      cursor: this.cursor,
      gatewayId: this.gateway_id === undefined ? undefined : this.gateway_id === 'null' ? null : this.gateway_id,
      search: this.search,
    };
  }
}

/** Shapes a page the way the reference gateway does: a plain array, or `{<key>: [...], nextCursor}`. */
export function paginated<T>(key: string, page: { items: T[]; nextCursor: string | null }, includePagination?: boolean): T[] | Record<string, unknown> {
  return includePagination ? { [key]: page.items, nextCursor: page.nextCursor } : page.items;
}
