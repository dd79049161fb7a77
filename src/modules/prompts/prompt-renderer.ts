import Handlebars from 'handlebars';
import { Script, createContext } from 'node:vm';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import type { PromptMessage, PromptRole } from './prompt.model';

type Node = hbs.AST.Node;

const BUILTIN_HELPERS = { if: true, unless: true, each: true, with: true, lookup: true } as const;
/** Names Handlebars resolves to its built-in helpers even without parameters. */
const ALWAYS_HELPERS = new Set(['log', 'helperMissing', 'blockHelperMissing', 'lookup']);
/** Helpers whose body runs in a new context (the item, or the object): paths inside are relative to it. */
const CONTEXT_HELPERS = new Set(['each', 'with']);
/** Helpers whose first parameter is only tested, so a variable used that way alone is optional. */
const CONDITION_HELPERS = new Set(['if', 'unless']);
/** Own keys only: `'constructor' in BUILTIN_HELPERS` is true for any object literal. */
const isBuiltinHelper = (name: string): boolean => Object.hasOwn(BUILTIN_HELPERS, name);
const COMPILE_OPTIONS = { noEscape: true, knownHelpersOnly: true, knownHelpers: BUILTIN_HELPERS, strict: false };
/** Handlebars' prototype-access protection, stated explicitly: only own properties of the arguments resolve. */
const RUNTIME_OPTIONS = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
/** Properties every JavaScript object inherits: never arguments (Handlebars resolves them to nothing). */
const OBJECT_PROPERTIES = new Set(Object.getOwnPropertyNames(Object.prototype));
const CACHE_SIZE = 500;

export interface RenderLimits {
  /** Longest a render may run (it is synchronous: a runaway template would block the event loop). */
  timeoutMs: number;
  /** Most characters a render may produce. */
  maxOutputChars: number;
}

/** A variable a template reads from its top-level context: an implicit argument. */
export interface TemplateVariable {
  name: string;
  /** False when the template only tests it (`{{#if x}}` / `{{#unless x}}`). */
  required: boolean;
}

export interface TemplateAnalysis {
  variables: TemplateVariable[];
  /** Built-in object property names the template reads (`{{constructor}}`): never arguments. */
  ignored: string[];
}

/** A template problem, named after the field holding the template and, when known, the line. */
export class TemplateError extends DomainError {
  constructor(field: string, message: string, line?: number) {
    super(ErrorCode.Validation, `${field}: ${message}`, { field, ...(line !== undefined ? { line } : {}) });
  }
}

/**
 * Renders prompt templates with Handlebars in a sandbox:
 * - a private Handlebars environment with only the built-in if/unless/each/with/lookup helpers (no `log`, no
 *   custom helpers, no partials or decorators, so nothing can read files or write to the console);
 * - no HTML escaping (prompts are text);
 * - Handlebars' prototype-access protection on, so `{{constructor}}`, `{{__proto__}}` and friends resolve to nothing;
 * - each render runs under a time limit (in a `vm` call with a timeout) and an output size limit.
 */
export class PromptRenderer {
  private readonly hbs = PromptRenderer.sandbox();
  private readonly cache = new Map<string, HandlebarsTemplateDelegate>();
  private readonly vmContext = createContext(Object.create(null) as object);
  private readonly vmScript = new Script('job()');

  constructor(private readonly limits: RenderLimits) {}

  private static sandbox(): typeof Handlebars {
    const env = Handlebars.create();
    for (const name of ['log', 'helperMissing', 'blockHelperMissing']) env.unregisterHelper(name);
    return env;
  }

  /** Throws a 422 naming `field` when the template does not parse, uses a helper that is not allowed, or a partial. */
  assertValid(template: string, field = 'template'): void {
    const program = this.parse(template, field);
    const { helpers, partials, decorators } = this.constructsUsed(program);
    const forbidden = helpers.filter((h) => !isBuiltinHelper(h));
    if (forbidden.length) {
      throw new TemplateError(field, `uses helpers that are not allowed: ${forbidden.join(', ')} (allowed: ${Object.keys(BUILTIN_HELPERS).join(', ')})`);
    }
    if (partials) throw new TemplateError(field, 'uses a partial ({{> name}}): partials are not supported');
    if (decorators) throw new TemplateError(field, 'uses a decorator ({{* name}} or {{#*inline}}): decorators are not supported');
    try {
      this.hbs.precompile(template, COMPILE_OPTIONS);
    } catch (err) {
      throw this.templateError(field, 'cannot be compiled', err);
    }
  }

  /** Helpers called (with parameters, as blocks, or names Handlebars always treats as helpers), partials, decorators. */
  private constructsUsed(program: hbs.AST.Program): { helpers: string[]; partials: boolean; decorators: boolean } {
    const helpers = new Set<string>();
    let partials = false;
    let decorators = false;
    const visit = (node: Node | undefined | null): void => {
      if (!node) return;
      switch (node.type) {
        case 'Program':
          for (const s of (node as hbs.AST.Program).body) visit(s);
          return;
        case 'PartialStatement':
        case 'PartialBlockStatement':
          partials = true;
          return;
        case 'DecoratorStatement':
        case 'DecoratorBlock':
          decorators = true;
          return;
        case 'MustacheStatement':
        case 'SubExpression':
        case 'BlockStatement': {
          const m = node as hbs.AST.BlockStatement;
          const name = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : '';
          if (m.params.length > 0 || m.hash || node.type === 'BlockStatement' || ALWAYS_HELPERS.has(name)) helpers.add(name);
          visit(m.path);
          for (const p of m.params) visit(p);
          for (const pair of m.hash?.pairs ?? []) visit(pair.value);
          visit(m.program);
          visit(m.inverse);
          return;
        }
        default:
          return;
      }
    };
    visit(program);
    return { helpers: [...helpers], partials, decorators };
  }

  /**
   * The variables a template reads from its top-level context, in order of first use: plain paths (`{{a.b}}` → a),
   * helper parameters (`{{#each items}}`, `{{lookup map key}}`), parent paths that reach the top from inside
   * `#each`/`#with` (`{{../a}}`), and `{{@root.a}}`. Paths relative to an `#each` item or a `#with` object, data
   * variables (`@index`), `this` and helper names are not variables.
   */
  analyze(template: string, field = 'template'): TemplateAnalysis {
    const uses = new Map<string, { value: boolean }>();
    const ignored = new Set<string>();
    const use = (p: hbs.AST.PathExpression, depth: number, asCondition: boolean): void => {
      let name: string | undefined;
      if (p.data) name = p.parts[0] === 'root' ? p.parts[1] : undefined;
      else if (p.parts.length > 0 && p.depth === depth) name = p.parts[0];
      if (name === undefined) return;
      if (OBJECT_PROPERTIES.has(name)) {
        ignored.add(name);
        return;
      }
      const u = uses.get(name) ?? { value: false };
      if (!asCondition) u.value = true;
      uses.set(name, u);
    };
    const visitExpression = (node: Node, depth: number, asCondition = false): void => {
      if (node.type === 'PathExpression') use(node as hbs.AST.PathExpression, depth, asCondition);
      else visit(node, depth);
    };
    const visit = (node: Node | undefined | null, depth: number): void => {
      if (!node) return;
      switch (node.type) {
        case 'Program':
          for (const s of (node as hbs.AST.Program).body) visit(s, depth);
          return;
        case 'MustacheStatement':
        case 'SubExpression': {
          const m = node as hbs.AST.MustacheStatement;
          const name = (m.path as hbs.AST.PathExpression).original;
          const isHelper = m.params.length > 0 || !!m.hash || isBuiltinHelper(name) || ALWAYS_HELPERS.has(name);
          if (!isHelper) visitExpression(m.path, depth);
          for (const p of m.params) visitExpression(p, depth);
          for (const pair of m.hash?.pairs ?? []) visitExpression(pair.value, depth);
          return;
        }
        case 'BlockStatement': {
          const b = node as hbs.AST.BlockStatement;
          const name = (b.path as hbs.AST.PathExpression).original;
          b.params.forEach((p, i) => visitExpression(p, depth, i === 0 && CONDITION_HELPERS.has(name)));
          for (const pair of b.hash?.pairs ?? []) visitExpression(pair.value, depth);
          visit(b.program, CONTEXT_HELPERS.has(name) ? depth + 1 : depth);
          visit(b.inverse, depth);
          return;
        }
        default:
          return;
      }
    };
    visit(this.parse(template, field), 0);
    return { variables: [...uses].map(([name, u]) => ({ name, required: u.value })), ignored: [...ignored] };
  }

  /** Names of the template's variables (see `analyze`). */
  discoverArguments(template: string): string[] {
    return this.analyze(template).variables.map((v) => v.name);
  }

  /**
   * Renders `template` with `args` in the sandbox, within the time limit and at most `maxChars` characters
   * (default: the whole output limit; less for the later parts of a multi-part prompt). Failures are 422s naming
   * `field`; output over the limit is a 413.
   */
  renderText(template: string, args: Record<string, unknown>, field = 'template', maxChars = this.limits.maxOutputChars): string {
    const fn = this.compiled(template, field);
    let text: string;
    try {
      text = this.withTimeout(() => fn(args, RUNTIME_OPTIONS));
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw new TemplateError(field, `rendering took longer than ${this.limits.timeoutMs} ms (PROMPT_RENDER_TIMEOUT)`);
      }
      if (e instanceof RangeError && /string length/i.test(e.message)) throw this.tooLarge(field);
      throw this.templateError(field, 'failed to render', err);
    }
    if (text.length > maxChars) throw this.tooLarge(field);
    return text;
  }

  private tooLarge(field: string): DomainError {
    const limit = this.limits.maxOutputChars;
    return new DomainError(ErrorCode.PayloadTooLarge, `${field}: the rendered prompt exceeds ${limit} characters (MAX_PROMPT_OUTPUT_SIZE)`, { field, limit });
  }

  /** Runs synchronous work in a `vm` call, whose timeout interrupts it (V8 terminates the running script). */
  private withTimeout<T>(work: () => T): T {
    const ctx = this.vmContext as { job?: () => T };
    ctx.job = work;
    try {
      return this.vmScript.runInContext(this.vmContext, { timeout: this.limits.timeoutMs }) as T;
    } finally {
      ctx.job = undefined;
    }
  }

  private compiled(template: string, field: string): HandlebarsTemplateDelegate {
    let fn = this.cache.get(template);
    if (fn) {
      // Most recently used last: the first key is the one to evict.
      this.cache.delete(template);
    } else {
      this.assertValid(template, field);
      fn = this.hbs.compile(template, COMPILE_OPTIONS);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(template, fn);
    return fn;
  }

  private parse(template: string, field: string): hbs.AST.Program {
    try {
      return this.hbs.parse(template);
    } catch (err) {
      throw this.templateError(field, 'is not a valid Handlebars template', err);
    }
  }

  /**
   * Handlebars messages span several lines ("Parse error on line 3:", the source line, a caret, "Expecting ...");
   * keep the first and the last, which name the line and the problem.
   */
  private templateError(field: string, what: string, err: unknown): TemplateError {
    const e = err as Error & { lineNumber?: number };
    const lines = String(e?.message ?? err)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const text = lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : (lines[0] ?? 'unknown error');
    const line = e?.lineNumber ?? Number(/line (\d+)/.exec(text)?.[1] ?? NaN);
    return new TemplateError(field, `${what}: ${text}`, Number.isFinite(line) ? line : undefined);
  }
}

const MARKER = /^#\s*(user|assistant)\s*:\s?(.*)$/i;

/** Splits rendered text into messages at lines `# User:` / `# Assistant:`; text before any marker is a user message. */
export function splitMessages(text: string): PromptMessage[] {
  const messages: PromptMessage[] = [];
  let role: PromptRole = 'user';
  let lines: string[] = [];
  const flush = () => {
    const body = lines.join('\n').trim();
    if (body) messages.push({ role, content: { type: 'text', text: body } });
  };
  for (const line of text.split(/\r?\n/)) {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      role = m[1].toLowerCase() as PromptRole;
      lines = m[2] ? [m[2]] : [];
    } else {
      lines.push(line);
    }
  }
  flush();
  return messages.length ? messages : [{ role: 'user', content: { type: 'text', text: '' } }];
}
