import { Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ENTITY_KINDS } from '../../../common/catalog/list-query.dto';
import type { EntityKind } from '../../../common/catalog/catalog.model';
import { AUDIT_ACTIONS, type AuditAction } from '../audit.model';

export class ListAuditQuery {
  @IsOptional()
  @IsIn(ENTITY_KINDS)
  entity_type?: EntityKind;

  @IsOptional()
  @IsString()
  @MaxLength(36)
  entity_id?: string;

  /** One action or a comma-separated list. */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value))
  @IsIn(AUDIT_ACTIONS, { each: true })
  action?: AuditAction[];

  @IsOptional()
  @IsString()
  @MaxLength(255)
  actor?: string;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  until?: Date;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
