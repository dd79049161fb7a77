import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ValidationError } from '../../../common/errors/domain-error';
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

/** One entity's reset names its kind: `entity_id` without `entity` is a validation error (on `entity`). */
export function assertEntityWithId(q: Pick<ResetMetricsQueryDto, 'entity' | 'entity_id'>): void {
  if (q.entity_id && !q.entity) throw new ValidationError('entity', 'required together with entity_id');
}
