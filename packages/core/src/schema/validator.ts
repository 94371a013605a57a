import type * as AjvModule from 'ajv/dist/2020.js';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { pointerToken, type ErrorDetail } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import { PATTERN_MESSAGES, UNSAFE_KEYS } from './patterns.js';

const ajvModule = lazyModule<typeof AjvModule>('ajv/dist/2020.js');
let instance: Ajv2020 | undefined;

/**
 * One ajv instance for every schema of core, made (and ajv loaded) when the first
 * document is validated: all errors at once, strict schemas, `verbose` so that an
 * unknown key can be matched against the keys the schema allows.
 */
function ajv(): Ajv2020 {
  instance ??= new (ajvModule().Ajv2020)({
    allErrors: true,
    strict: true,
    // `then: { required: [weight] }` names a property defined beside the `if`, not in `then`
    strictRequired: false,
    verbose: true,
    allowUnionTypes: true,
  });
  return instance;
}

export type Validation<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly ErrorDetail[] };

/** How deep documents may nest (objects and arrays) before anything else is checked. */
export const MAX_DOCUMENT_DEPTH = 128;

/**
 * What no document govgate reads may hold, as JSON pointers: keys naming a prototype
 * slot, strings or keys with a lone surrogate (RFC 8785 cannot write them), numbers
 * that are not finite (YAML's `.inf`, `.nan`), and nesting deeper than
 * MAX_DOCUMENT_DEPTH (reported once per container, not entered). Walks with its own
 * stack, so no document can overflow the call stack.
 */
export function findUnsafeKeys(value: unknown): ErrorDetail[] {
  const found: ErrorDetail[] = [];
  const stack: [unknown, string, number][] = [[value, '', 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, at, depth] = top;
    if (typeof node === 'string') {
      if (!node.isWellFormed())
        found.push({
          pointer: at,
          message: 'must not contain a lone surrogate (unpaired UTF-16 half)',
        });
      continue;
    }
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) found.push({ pointer: at, message: 'must be a finite number' });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_DOCUMENT_DEPTH) {
      found.push({ pointer: at, message: `nested deeper than ${MAX_DOCUMENT_DEPTH} levels` });
      continue;
    }
    const children: [unknown, string, number][] = [];
    if (Array.isArray(node)) {
      node.forEach((v, i) => children.push([v, `${at}/${i}`, depth + 1]));
    } else {
      for (const key of Object.keys(node)) {
        const pointer = `${at}/${pointerToken(key)}`;
        if (UNSAFE_KEYS.has(key)) found.push({ pointer, message: `key '${key}' is not allowed` });
        else if (!key.isWellFormed())
          found.push({ pointer, message: 'key must not contain a lone surrogate' });
        else children.push([(node as Record<string, unknown>)[key], pointer, depth + 1]);
      }
    }
    // pushed in reverse, so problems come out in document order
    for (let i = children.length - 1; i >= 0; i--)
      stack.push(children[i] as [unknown, string, number]);
  }
  return found;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The allowed key closest to a misspelt one, when it is close enough to be a typo. */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function describeError(e: ErrorObject): ErrorDetail | undefined {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      return undefined; // the failing branch reports the actual problem
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)
        ?.properties;
      const hint = props === undefined ? undefined : suggestKey(key, Object.keys(props));
      return {
        pointer: `${at}/${pointerToken(key)}`,
        message: `unknown key '${key}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`,
      };
    }
    case 'required':
      return {
        pointer: `${at}/${pointerToken(String(p.missingProperty))}`,
        message: `'${String(p.missingProperty)}' is required`,
      };
    case 'type': {
      const types = String(p.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t);
      return { pointer: at, message: `must be ${types.join(' or ')}` };
    }
    case 'enum':
      return {
        pointer: at,
        message: `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { pointer: at, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern': {
      const pattern = String(p.pattern);
      return { pointer: at, message: PATTERN_MESSAGES[pattern] ?? `must match ${pattern}` };
    }
    case 'minProperties':
    case 'maxProperties': {
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)
        ?.properties;
      if (props !== undefined && 'path' in props) {
        const ops = Object.keys(props).filter((k) => k !== 'path');
        return {
          pointer: at,
          message: `a condition needs a 'path' and exactly one operator (${ops.join(', ')}), or one of 'all', 'any', 'not'`,
        };
      }
      return {
        pointer: at,
        message: `must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(p.limit)} keys`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer: at, message: `must be ${String(p.comparison)} ${String(p.limit)}` };
    case 'minLength':
      return Number(p.limit) === 1
        ? { pointer: at, message: 'must not be empty' }
        : { pointer: at, message: `must be at least ${String(p.limit)} characters` };
    case 'maxLength':
      return { pointer: at, message: `must be at most ${String(p.limit)} characters` };
    case 'minItems':
      return { pointer: at, message: `must have at least ${String(p.limit)} item(s)` };
    case 'maxItems':
      return { pointer: at, message: `must have at most ${String(p.limit)} items` };
    case 'uniqueItems':
      return {
        pointer: at,
        message: `items ${String(p.j)} and ${String(p.i)} are the same; list each once`,
      };
    case 'propertyNames':
      return undefined; // reported through the pattern error of the name itself
    default:
      return { pointer: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Plain, deduplicated problems from ajv's errors, in document order. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let detail = describeError(e);
    if (detail === undefined) continue;
    if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      detail = {
        pointer: `${e.instancePath}/${pointerToken(e.propertyName)}`,
        message: `key ${detail.message}`,
      };
    }
    const k = `${detail.pointer}\u0000${detail.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(detail);
    }
  }
  return out;
}

/**
 * A validator for one JSON Schema: returns every problem with its JSON pointer, and
 * refuses prototype-reaching keys anywhere.
 *
 * @example
 * const validate = createValidator<{ n: number }>({ type: 'object', properties: { n: { type: 'number' } } });
 * validate({ n: 'x' }) // { ok: false, errors: [{ pointer: '/n', message: 'must be a number' }] }
 */
export function createValidator<T>(schema: object): (value: unknown) => Validation<T> {
  let compiled: ValidateFunction | undefined;
  return (value) => {
    compiled ??= ajv().compile(schema);
    const unsafe = findUnsafeKeys(value);
    // Too deep for the schema's own (recursive) checks: the depth is the problem to fix.
    if (unsafe.some((u) => u.message.startsWith('nested deeper')))
      return { ok: false, errors: unsafe };
    if (compiled(value) && unsafe.length === 0) return { ok: true, value: value as T };
    const errors = [...unsafe, ...describeErrors(compiled.errors)];
    const unsafePointers = new Set(unsafe.map((u) => u.pointer));
    return {
      ok: false,
      errors: errors.filter((e, i) => i < unsafe.length || !unsafePointers.has(e.pointer)),
    };
  };
}

/** Compiles a schema once for a hot path; returns ajv's own function. */
export function compileSchema(schema: object): ValidateFunction {
  return ajv().compile(schema);
}
