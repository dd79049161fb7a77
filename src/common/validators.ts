import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { HEADER_NAME, HEADER_VALUE } from './credentials';

/** A `{name: value}` map of HTTP headers: valid names, string values without line breaks, at most 64 entries. */
export function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isHeaderMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (a: ValidationArguments) => `${a.property} must map header names to single-line string values`, ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return entries.length <= 64 && entries.every(([k, v]) => HEADER_NAME.test(k) && typeof v === 'string' && HEADER_VALUE.test(v));
        },
      },
    });
}
