import { ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { ValidationError as ClassValidationError } from 'class-validator';
import { DomainError, ErrorCode } from './errors/domain-error';

/** Flattens nested class-validator errors into `path: message` strings, e.g. `arguments.0.name: must be a string`. */
export function describeValidationErrors(errors: ClassValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((msg) => `${path}: ${msg.replace(new RegExp(`^${escape(e.property)} `), '')}`);
    return [...own, ...describeValidationErrors(e.children ?? [], path)];
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validateCustomDecorators: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => {
    const problems = describeValidationErrors(errors);
    return new DomainError(ErrorCode.Validation, problems.join('; '), {
      fields: [...new Set(problems.map((p) => p.slice(0, p.indexOf(':'))))],
      problems,
    });
  },
};

/** The global pipe: unknown properties are rejected, types are checked, the message names each bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe(VALIDATION_OPTIONS);
}
