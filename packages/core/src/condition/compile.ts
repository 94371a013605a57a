import { GovgateError, pointerToken, type ErrorDetail } from '../errors.js';
import {
  LEAF_OPERATORS,
  MAX_CONDITION_DEPTH,
  MAX_PATH_SEGMENTS,
  type Condition,
  type LeafOperator,
  type Scalar,
} from './condition.js';
import { UNSAFE_KEYS } from '../schema/patterns.js';
import { vetPattern } from './regex-safety.js';

/**
 * Where a path's first segment points. `object` roots hold fields (`metadata.x`),
 * `scalar` roots are one value (`model`). `source` says which argument of the
 * compiled function holds it: the input (the request) or the derived facts.
 */
export interface PathRoot {
  readonly kind: 'object' | 'scalar';
  readonly source: 'input' | 'facts';
}
export type PathRoots = Readonly<Record<string, PathRoot>>;

function leafOperator(cond: object): LeafOperator | undefined {
  for (const op of LEAF_OPERATORS) if (Object.hasOwn(cond, op)) return op;
  return undefined;
}

function describeRoots(roots: PathRoots): string {
  return Object.keys(roots).join(', ');
}

/** Checks one dotted path against the roots; undefined when it is fine. */
export function checkPath(path: string, roots: PathRoots): string | undefined {
  const segments = path.split('.');
  if (segments.some((s) => s.length === 0)) return `path '${path}' has an empty segment`;
  if (segments.length > MAX_PATH_SEGMENTS)
    return `path '${path}' has more than ${MAX_PATH_SEGMENTS} segments`;
  const unsafe = segments.find((s) => UNSAFE_KEYS.has(s));
  if (unsafe !== undefined) return `path '${path}' uses the reserved segment '${unsafe}'`;
  const root = roots[segments[0] as string];
  if (root === undefined || !Object.hasOwn(roots, segments[0] as string))
    return `path '${path}' must start with one of: ${describeRoots(roots)}`;
  if (root.kind === 'scalar' && segments.length > 1)
    return `path '${path}': '${segments[0]}' is a single value and has no fields`;
  return undefined;
}

/**
 * The checks JSON Schema cannot express: path roots, regex safety, nesting depth.
 * Works on schema-valid conditions; `pointer` locates `cond` in its document.
 */
export function checkCondition(cond: Condition, pointer: string, roots: PathRoots): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  // Defensive: also runs on documents that failed schema validation, so that every
  // problem is reported at once; shapes the schema rejects are skipped here.
  const visit = (c: Condition, at: string, depth: number): void => {
    if (c === null || typeof c !== 'object') return;
    if (depth > MAX_CONDITION_DEPTH) {
      errors.push({ pointer: at, message: `conditions nest deeper than ${MAX_CONDITION_DEPTH}` });
      return;
    }
    if ('all' in c || 'any' in c) {
      const key = 'all' in c ? 'all' : 'any';
      const list: unknown = 'all' in c ? c.all : c.any;
      if (Array.isArray(list))
        list.forEach((child: Condition, i) => visit(child, `${at}/${key}/${i}`, depth + 1));
    } else if ('not' in c) visit(c.not, `${at}/not`, depth + 1);
    else {
      if (typeof c.path === 'string') {
        const problem = checkPath(c.path, roots);
        if (problem !== undefined) errors.push({ pointer: `${at}/path`, message: problem });
      }
      if ('matches' in c && typeof c.matches === 'string') {
        const vetting = vetPattern(c.matches);
        if (!vetting.ok) errors.push({ pointer: `${at}/matches`, message: vetting.message });
      }
    }
  };
  visit(cond, pointer, 0);
  return errors;
}

/** Helpers the generated code calls; small enough for the JIT to inline. */
function own(o: unknown, k: string): unknown {
  return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k)
    ? (o as Record<string, unknown>)[k]
    : undefined;
}
const num = (v: unknown): v is number => typeof v === 'number';
/** The longest string a `matches` condition tests (REQUEST_LIMITS.maxStringLength). */
export const MAX_MATCHED_LENGTH = 4096;

const helpers = {
  own,
  gt: (v: unknown, n: number) => num(v) && v > n,
  gte: (v: unknown, n: number) => num(v) && v >= n,
  lt: (v: unknown, n: number) => num(v) && v < n,
  lte: (v: unknown, n: number) => num(v) && v <= n,
  test: (v: unknown, re: RegExp, path: string) => {
    if (typeof v !== 'string') return false;
    // Vetted patterns are linear or close to it only on bounded input; `check()` bounds
    // every string already (REQUEST_LIMITS), this holds for direct `evaluate()` calls.
    if (v.length > MAX_MATCHED_LENGTH)
      throw new GovgateError(
        'REQUEST_INVALID',
        `'${path}' is longer than ${MAX_MATCHED_LENGTH} characters, the most a pattern tests`,
        {
          details: [
            {
              pointer: `/${path.split('.').map(pointerToken).join('/')}`,
              message: `string longer than ${MAX_MATCHED_LENGTH} characters`,
            },
          ],
        },
      );
    return re.test(v);
  },
};
export type ConditionHelpers = typeof helpers;

/** A JavaScript literal for a value from a document: JSON text is a JS expression. */
export function jsLiteral(value: Scalar): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Turns conditions into JavaScript expressions over `i` (input) and `f` (facts).
 * Values from documents appear only as JSON literals or as references into
 * `refs` (regexes, sets), never as code.
 */
export class ConditionCodegen {
  readonly refs: unknown[] = [];
  private usesFacts = false;
  /** Roots read by the function being generated, each read once into a local. */
  private readonly rootLocals = new Map<string, string>();

  constructor(private readonly roots: PathRoots) {}

  /** True once a compiled expression reads a fact (so facts must be derived). */
  get readsFacts(): boolean {
    return this.usesFacts;
  }

  private ref(value: unknown): string {
    this.refs.push(value);
    return `refs[${this.refs.length - 1}]`;
  }

  /** Expression reading a path's value (undefined when absent). */
  pathExpression(path: string): string {
    const [rootName, ...rest] = path.split('.');
    const root = this.roots[rootName as string];
    if (root === undefined) throw new Error(`unchecked path ${path}`);
    if (root.source === 'facts') this.usesFacts = true;
    let expr = this.rootLocals.get(rootName as string);
    if (expr === undefined) {
      expr = `r${this.rootLocals.size}`;
      this.rootLocals.set(rootName as string, expr);
    }
    for (const segment of rest) expr = `h.own(${expr}, ${jsLiteral(segment)})`;
    return expr;
  }

  /**
   * Declarations of the roots the expressions generated since the last call read
   * (`const r0 = h.own(i, "metadata");`): put them first in the function's body.
   */
  takePrologue(): string {
    const lines = [...this.rootLocals].map(([name, local]) => {
      const source = this.roots[name]?.source === 'facts' ? 'f' : 'i';
      return `const ${local} = h.own(${source}, ${jsLiteral(name)});`;
    });
    this.rootLocals.clear();
    return lines.join(' ');
  }

  expression(cond: Condition): string {
    if ('all' in cond) return `(${cond.all.map((c) => this.expression(c)).join(' && ')})`;
    if ('any' in cond) return `(${cond.any.map((c) => this.expression(c)).join(' || ')})`;
    if ('not' in cond) return `!${this.expression(cond.not)}`;
    const value = this.pathExpression(cond.path);
    switch (leafOperator(cond)) {
      case 'equals':
        return `(${value} === ${jsLiteral((cond as { equals: Scalar }).equals)})`;
      case 'in':
        return `${this.ref(new Set((cond as { in: readonly Scalar[] }).in))}.has(${value})`;
      case 'exists':
        return `(${value} ${(cond as { exists: boolean }).exists ? '!==' : '==='} undefined)`;
      case 'gt':
        return `h.gt(${value}, ${jsLiteral((cond as { gt: number }).gt)})`;
      case 'gte':
        return `h.gte(${value}, ${jsLiteral((cond as { gte: number }).gte)})`;
      case 'lt':
        return `h.lt(${value}, ${jsLiteral((cond as { lt: number }).lt)})`;
      case 'lte':
        return `h.lte(${value}, ${jsLiteral((cond as { lte: number }).lte)})`;
      case 'matches': {
        const vetting = vetPattern((cond as { matches: string }).matches);
        if (!vetting.ok) throw new Error(`unchecked pattern: ${vetting.message}`);
        return `h.test(${value}, ${this.ref(vetting.regex)}, ${jsLiteral(cond.path)})`;
      }
      case undefined:
        throw new Error('condition without operator');
    }
  }

  /**
   * Builds a function from a body that may use `i`, `f`, `h` (helpers) and `refs`.
   * The body is produced only by this class from checked documents.
   */
  build<T>(body: string, extraRefs: Record<string, unknown> = {}): T {
    const names = Object.keys(extraRefs);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code generation, as ajv does
    const factory = new Function('h', 'refs', ...names, `"use strict";\n${body}`) as (
      ...args: unknown[]
    ) => T;
    return factory(helpers, this.refs, ...names.map((n) => extraRefs[n]));
  }
}

/** A compiled condition: `(input, facts) => boolean`. */
export type ConditionFn = (input: unknown, facts: unknown) => boolean;

/**
 * Compiles one checked condition to a function, for uses that evaluate conditions
 * one at a time (compliance requirements).
 *
 * @example
 * const fn = compileCondition({ path: 'data.value', gte: 0.9 }, { data: { kind: 'object', source: 'input' } });
 * fn({ data: { value: 0.93 } }, {}) // true
 */
export function compileCondition(cond: Condition, roots: PathRoots): ConditionFn {
  const problems = checkCondition(cond, '', roots);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
  const gen = new ConditionCodegen(roots);
  const expr = gen.expression(cond);
  return gen.build<ConditionFn>(
    `return function condition(i, f) { ${gen.takePrologue()} return ${expr}; };`,
  );
}

/**
 * The `root.key` a condition cannot be true without (own key `key` present in the
 * object root), if there is one: rules are indexed by it so that a request only
 * runs rules whose paths it has.
 */
export function gateOf(
  cond: Condition,
  roots: PathRoots,
): { root: string; key: string } | undefined {
  if ('all' in cond) {
    for (const c of cond.all) {
      const g = gateOf(c, roots);
      if (g !== undefined) return g;
    }
    return undefined;
  }
  if ('any' in cond) {
    const gates = cond.any.map((c) => gateOf(c, roots));
    const first = gates[0];
    if (first === undefined) return undefined;
    return gates.every((g) => g !== undefined && g.root === first.root && g.key === first.key)
      ? first
      : undefined;
  }
  if ('not' in cond) return undefined;
  if ('exists' in cond && !cond.exists) return undefined;
  const [root, key] = cond.path.split('.');
  if (root === undefined || key === undefined || roots[root]?.kind !== 'object') return undefined;
  return { root, key };
}

export function pointerOf(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${pointerToken(t)}`).join('');
}
