import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { MAX_TAGS, normalizeTags, TAG_PATTERN } from './tags';

/** An optional list of tags, normalised (trimmed, lower-case, de-duplicated) before validation. */
export function IsTagList(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Transform(({ value }) => normalizeTags(value)),
    ArrayMaxSize(MAX_TAGS),
    Matches(TAG_PATTERN, { each: true, message: 'each tag must be a lower-case label of letters, digits and _ . : / -' }),
  );
}

/** Mixed into every update DTO: the version the client last read, for optimistic locking. */
export class ExpectedVersionDto {
  /** When given, the update fails with 409 unless the stored version still equals it. */
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}
