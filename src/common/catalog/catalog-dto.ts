import { applyDecorators, type Type } from '@nestjs/common';
import { IntersectionType, PartialType } from '@nestjs/mapped-types';
import { Transform } from 'class-transformer';
import { IsInt, Min, registerDecorator, type ValidationArguments } from 'class-validator';
import { IsOmittable } from '../validators';
import { MAX_TAGS, normalizeTags, TAG_PATTERN } from './tags';

const TAG_MESSAGE = 'each tag must be a lower-case label of letters, digits and _ . : / -';

/** What is wrong with a (normalised) tag list, or undefined when it is valid. */
function tagListProblem(value: unknown, property: string): string | undefined {
  if (!Array.isArray(value)) return `${property} must be a list of tags (an array, or a comma-separated string)`;
  if (value.length > MAX_TAGS) return `${property} must contain at most ${MAX_TAGS} tags`;
  if (!value.every((t) => typeof t === 'string' && TAG_PATTERN.test(t))) return TAG_MESSAGE;
  return undefined;
}

/**
 * An optional list of tags, normalised (trimmed, lower-case, de-duplicated) before validation. It may be left out
 * but not `null` (the column is NOT NULL: `[]` clears the tags). One message says what is wrong.
 */
export function IsTagList(): PropertyDecorator {
  const check: PropertyDecorator = (target, propertyName) =>
    registerDecorator({
      name: 'isTagList',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (a: ValidationArguments) => tagListProblem(a.value, a.property) ?? TAG_MESSAGE },
      validator: { validate: (value: unknown, a: ValidationArguments) => tagListProblem(value, a.property) === undefined },
    });
  return applyDecorators(
    IsOmittable(),
    Transform(({ value }) => normalizeTags(value)),
    check,
  );
}

/** Mixed into every update DTO: the version the client last read, for optimistic locking. */
export class ExpectedVersionDto {
  /** When given, the update fails with 409 unless the stored version still equals it. */
  @IsOmittable()
  @IsInt()
  @Min(1)
  version?: number;
}

/**
 * Base of every update DTO: any subset of `create`'s fields, plus the version the client last read. `null` clears
 * the fields that may be empty and is a 422 for the others (`skipNullProperties: false`: PartialType's default would
 * let it through to the database).
 */
export function UpdateDtoOf<T>(create: Type<T>) {
  return IntersectionType(PartialType(create, { skipNullProperties: false }), ExpectedVersionDto);
}
