import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { METERED_KINDS, type MeteredKind } from './entity-metrics.model';

/** `POST /metrics/reset?entity=tool&entity_id=...`: everything, one kind (singular or plural), or one entity. */
export class ResetMetricsQueryDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase().replace(/s$/, '') : value))
  @IsIn(METERED_KINDS, { message: `entity must be one of ${METERED_KINDS.join(', ')}` })
  entity?: MeteredKind;

  @IsOptional()
  @IsString()
  @MaxLength(36)
  entity_id?: string;
}
