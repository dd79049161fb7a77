import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';

/**
 * The arguments of `POST /prompts/{id}`: the body itself (`{"topic": "x"}`, the reference gateway's form),
 * or `{"args": {...}}`. An empty body means no arguments.
 */
export const PromptArgs = createParamDecorator((_: unknown, ctx: ExecutionContext): Record<string, unknown> => {
  const body: unknown = ctx.switchToHttp().getRequest<Request>().body;
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError(ErrorCode.BadRequest, 'Request body must be a JSON object of prompt arguments');
  }
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b);
  if (keys.length === 1 && keys[0] === 'args' && b.args && typeof b.args === 'object' && !Array.isArray(b.args)) {
    return b.args as Record<string, unknown>;
  }
  return b;
});
