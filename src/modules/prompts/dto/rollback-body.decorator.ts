import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { camelCase } from '../../../common/decorators/catalog-body.decorator';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';

/**
 * The optional body of `POST /prompts/{id}/rollback` (the version may come as `?version=` instead), with
 * snake_case keys renamed to camelCase. The global ValidationPipe then checks it against `RollbackPromptDto`.
 */
export const RollbackBody = createParamDecorator((_: unknown, ctx: ExecutionContext): Record<string, unknown> => {
  const body: unknown = ctx.switchToHttp().getRequest<Request>().body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError(ErrorCode.BadRequest, 'Request body must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = camelCase(key);
    if (name in out) throw new DomainError(ErrorCode.Validation, `${name}: given twice (as ${key} and ${name})`, { fields: [name] });
    out[name] = value;
  }
  return out;
});
