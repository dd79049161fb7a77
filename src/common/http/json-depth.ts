import type { NextFunction, Request, Response } from 'express';
import { DomainError, ErrorCode } from '../errors/domain-error';

/**
 * Checks a parsed JSON value in one iterative walk (deep input cannot overflow the stack): nesting at most
 * `maxDepth`, and no NUL character in any string or key (PostgreSQL cannot store one, and no protocol field needs
 * it). Returns the problem, or null.
 */
export function jsonProblem(value: unknown, maxDepth: number): string | null {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return `${path || '(body)'}: strings must not contain NUL characters`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return `JSON body nests deeper than ${maxDepth} levels (MAX_JSON_DEPTH)`;
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((c, i) => [String(i), c]) : Object.entries(v);
    for (const [k, child] of entries) {
      if (k.includes('\u0000')) return `${path || '(body)'}: keys must not contain NUL characters`;
      stack.push([child, depth + 1, path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/** Refuses, with a 400, NUL characters in the URL and JSON bodies that are too deep or carry NUL characters. */
export function inputLimits(maxDepth: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (/%00/.test(req.originalUrl)) return next(new DomainError(ErrorCode.BadRequest, 'The URL must not contain NUL characters'));
    if (req.body !== undefined && typeof req.body === 'object') {
      const problem = jsonProblem(req.body, maxDepth);
      if (problem) return next(new DomainError(ErrorCode.BadRequest, problem));
    }
    next();
  };
}
