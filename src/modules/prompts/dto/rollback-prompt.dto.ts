import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { ValidationError } from '../../../common/errors/domain-error';
import { IsOmittable } from '../../../common/validators';

/** Body of `POST /prompts/{id}/rollback`: the version to restore (or give it as `?version=`). */
export class RollbackPromptDto {
  @IsOmittable()
  @IsInt()
  @Min(1)
  version?: number;

  /** Optimistic lock: when given, the rollback fails with 409 unless the prompt is still at this version. */
  @IsOmittable()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

/** `?version=` of the rollback route. */
export class RollbackQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/** The version to restore, from the query or the body (both: they must agree). */
export function rollbackTarget(query: RollbackQueryDto, body: RollbackPromptDto): number {
  if (query.version !== undefined && body.version !== undefined && query.version !== body.version) {
    throw new ValidationError('version', `given twice with different values (?version=${query.version}, body ${body.version})`);
  }
  const version = query.version ?? body.version;
  if (version === undefined) throw new ValidationError('version', 'give the version to restore, as {"version": n} or ?version=n');
  return version;
}
