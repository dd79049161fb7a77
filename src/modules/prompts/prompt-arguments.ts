import { DomainError, ErrorCode, ValidationError } from '../../common/errors/domain-error';
import type { TemplateAnalysis } from './prompt-renderer';
import { ARGUMENT_NAME_PATTERN, MAX_ARGUMENTS, type PromptArgument } from './prompt.model';

export interface ResolvedArguments {
  arguments: PromptArgument[];
  /** Remarks for the author: the declared list and the template disagree, or the template reads an object property. */
  warnings: string[];
}

/**
 * A prompt's arguments from what its template reads (`analysis`) and what the author declared.
 *
 * - Declared arguments win: they are the list, as given. A variable the template reads but that is not declared,
 *   and a declared argument the template never reads, each give a warning (the prompt is still saved: a caller may
 *   pass any argument, and an argument may exist for a client's benefit only).
 * - Without declarations the variables become the arguments, required unless the template only tests them
 *   (`{{#if x}}`). An argument of the same name in `previous` (the prompt before an update) keeps its description
 *   and required flag.
 */
export function resolveArguments(analysis: TemplateAnalysis, declared?: PromptArgument[], previous: PromptArgument[] = []): ResolvedArguments {
  const warnings = analysis.ignored.map(
    (name) => `the template reads \`${name}\`, a property every JavaScript object has: it is never an argument and renders empty unless a caller passes it`,
  );
  if (declared) {
    const names = new Set<string>();
    for (const a of declared) {
      if (names.has(a.name)) throw new ValidationError('arguments', `argument '${a.name}' is declared twice`);
      names.add(a.name);
    }
    const used = new Set(analysis.variables.map((v) => v.name));
    for (const v of analysis.variables) {
      if (!names.has(v.name)) warnings.push(`the template reads \`${v.name}\`, which is not a declared argument: it renders empty unless a caller passes it`);
    }
    for (const a of declared) {
      if (!used.has(a.name)) warnings.push(`argument \`${a.name}\` is declared but the template never reads it`);
    }
    return {
      arguments: declared.map((a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), required: a.required ?? false })),
      warnings,
    };
  }
  const before = new Map(previous.map((a) => [a.name, a]));
  const args = analysis.variables.map((v): PromptArgument => {
    if (!ARGUMENT_NAME_PATTERN.test(v.name)) {
      throw new ValidationError('template', `reads \`${v.name}\`, which cannot be an argument name (letters, digits, _ and -, at most 64, not starting with a digit or -)`);
    }
    const old = before.get(v.name);
    return { name: v.name, ...(old?.description ? { description: old.description } : {}), required: old?.required ?? v.required };
  });
  if (args.length > MAX_ARGUMENTS) {
    throw new DomainError(ErrorCode.Validation, `template: reads ${args.length} variables; a prompt has at most ${MAX_ARGUMENTS} arguments`, { field: 'template' });
  }
  return { arguments: args, warnings };
}

/** Checks that every required argument is given (present and not null or empty); the error names each missing one. */
export function assertRequiredArguments(declared: PromptArgument[], args: Record<string, unknown>): void {
  const missing = declared
    .filter((a) => a.required)
    .filter((a) => !Object.prototype.hasOwnProperty.call(args, a.name) || args[a.name] === undefined || args[a.name] === null || args[a.name] === '')
    .map((a) => `arguments.${a.name}`);
  if (missing.length) {
    throw new DomainError(ErrorCode.Validation, missing.map((f) => `${f}: is required`).join('; '), { field: missing[0], fields: missing });
  }
}
