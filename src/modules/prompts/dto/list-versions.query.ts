import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ToBoolean } from '../../../common/transforms';

/** Query of `GET /prompts/{id}/versions`: the paging parameters of every list. */
export class ListVersionsQueryDto {
  /** `true`: `{versions: [...], nextCursor}` instead of a plain array. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_pagination?: boolean;

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
}

/** Path of `GET /prompts/{id}/versions/{version}`. */
export class VersionParamsDto {
  @IsString()
  @MaxLength(255)
  idOrName!: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  version!: number;
}
