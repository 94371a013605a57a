import { GovgateError, pointerToken, type ErrorDetail } from '../errors.js';
import { UNSAFE_KEYS, utf8Length } from '../schema/patterns.js';
import { compileSchema, describeErrors } from '../schema/validator.js';
import type { DecisionFacts, DecisionRequest, JsonObject, PiiFacts } from './decision.js';
import { PII_KINDS, detectPii, type PiiKind } from './pii.js';

/** Limits on a request; larger inputs are refused before any work is done on them. */
export const REQUEST_LIMITS = Object.freeze({
  /** Serialized size of `metadata` (and of `context`), UTF-8 bytes. */
  maxMetadataBytes: 64 * 1024,
  /** Nesting of objects and arrays; `metadata` itself is level 1. */
  maxDepth: 16,
  /** Any string value, in UTF-16 code units (bounds regex and PII scanning cost). */
  maxStringLength: 4096,
  maxKeyLength: 256,
});

const identifier = { type: 'string', minLength: 1, maxLength: 256 } as const;

/** JSON Schema (2020-12) of a decision request; the HTTP service documents it as is. */
export const decisionRequestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/decision-request.json',
  title: 'govgate decision request',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'operation', 'metadata'],
  properties: {
    model: identifier,
    operation: identifier,
    subject: identifier,
    metadata: { type: 'object', description: 'Facts about the operation; never its content.' },
    context: { type: 'object' },
  },
} as const;

const validateShape = compileSchema(decisionRequestSchema);

const NO_PII: PiiFacts = Object.freeze({
  email: false,
  phone: false,
  creditCard: false,
  iban: false,
  ssn: false,
  ipAddress: false,
  any: false,
});
const NO_FACTS: DecisionFacts = Object.freeze({ pii: NO_PII });
const KIND_BIT: Readonly<Record<PiiKind, number>> = Object.fromEntries(
  PII_KINDS.map((k, n) => [k, 1 << n]),
) as Record<PiiKind, number>;

function factsOf(mask: number): DecisionFacts {
  if (mask === 0) return NO_FACTS;
  const pii: Record<string, boolean> = { any: true };
  for (const kind of PII_KINDS) pii[kind] = (mask & KIND_BIT[kind]) !== 0;
  return { pii: pii as PiiFacts };
}

/** The PII kinds of a fact set, in fixed order. */
const NO_KINDS: readonly PiiKind[] = Object.freeze([]);

export function piiKindsOf(facts: DecisionFacts): readonly PiiKind[] {
  return facts.pii.any ? PII_KINDS.filter((k) => facts.pii[k]) : NO_KINDS;
}

interface Walk {
  readonly forbidden: ReadonlySet<string>;
  readonly invalid: ErrorDetail[];
  readonly forbiddenAt: ErrorDetail[];
  piiMask: number;
  /** Upper bound of the serialized size, in bytes (6 per code unit covers every escape). */
  sizeBound: number;
}

const isPlainObject = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Checks one value of metadata or context and returns it with PII redacted (the same
 * reference when nothing changed, so the common case allocates nothing).
 */
function walk(value: unknown, at: string, depth: number, w: Walk): unknown {
  switch (typeof value) {
    case 'string': {
      w.sizeBound += 6 * value.length + 2;
      if (value.length > REQUEST_LIMITS.maxStringLength) {
        w.invalid.push({
          pointer: at,
          message: `string longer than ${REQUEST_LIMITS.maxStringLength} characters`,
        });
        return value;
      }
      if (!value.isWellFormed()) {
        w.invalid.push({
          pointer: at,
          message: 'string holds a lone surrogate (not valid Unicode)',
        });
        return value;
      }
      const finding = detectPii(value);
      if (finding === undefined) return value;
      for (const kind of finding.kinds) w.piiMask |= KIND_BIT[kind];
      return finding.redacted;
    }
    case 'number':
      w.sizeBound += 25;
      if (!Number.isFinite(value))
        w.invalid.push({ pointer: at, message: `${value} is not a JSON number` });
      return value;
    case 'boolean':
      w.sizeBound += 5;
      return value;
    case 'object': {
      if (value === null) {
        w.sizeBound += 4;
        return value;
      }
      if (depth > REQUEST_LIMITS.maxDepth) {
        w.invalid.push({
          pointer: at,
          message: `nested deeper than ${REQUEST_LIMITS.maxDepth} levels`,
        });
        return value;
      }
      w.sizeBound += 2;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let n = 0; n < value.length; n++) {
          const item: unknown = value[n];
          w.sizeBound += 1;
          if (item === undefined) {
            w.invalid.push({ pointer: `${at}/${n}`, message: 'undefined is not JSON data' });
            continue;
          }
          const out = walk(item, `${at}/${n}`, depth + 1, w);
          if (out !== item) (copy ??= value.slice())[n] = out;
        }
        return copy ?? value;
      }
      if (!isPlainObject(value)) {
        w.invalid.push({
          pointer: at,
          message: 'must be JSON data (plain objects, arrays, strings, numbers, booleans, null)',
        });
        return value;
      }
      let copy: Record<string, unknown> | undefined;
      const keys = Object.keys(value);
      let sorted = true;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k] as string;
        if (k > 0 && (keys[k - 1] as string) >= key) sorted = false;
        const item = (value as Record<string, unknown>)[key];
        const pointer = `${at}/${pointerToken(key)}`;
        w.sizeBound += 6 * key.length + 4;
        if (UNSAFE_KEYS.has(key)) {
          w.invalid.push({ pointer, message: `key '${key}' is not allowed` });
          continue;
        }
        if (key.length > REQUEST_LIMITS.maxKeyLength || !key.isWellFormed()) {
          w.invalid.push({
            pointer,
            message: `key must be well-formed Unicode of at most ${REQUEST_LIMITS.maxKeyLength} characters`,
          });
          continue;
        }
        if (w.forbidden.has(key) || w.forbidden.has(key.toLowerCase())) {
          w.forbiddenAt.push({
            pointer,
            message: `'${key}' is a content field; govgate takes metadata, never content`,
          });
          continue;
        }
        if (item === undefined) continue; // absent, as in JSON
        if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') {
          w.invalid.push({ pointer, message: `${typeof item} is not JSON data` });
          continue;
        }
        const out = walk(item, pointer, depth + 1, w);
        if (out !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = out;
      }
      // The stored copy has its keys in RFC 8785 order, so the ledger writes it as it is.
      if (!sorted) {
        const from = copy ?? (value as Record<string, unknown>);
        copy = {};
        for (const key of [...keys].sort()) if (from[key] !== undefined) copy[key] = from[key];
      }
      return copy ?? value;
    }
    default:
      w.invalid.push({ pointer: at, message: `${typeof value} is not JSON data` });
      return value;
  }
}

/** A request that passed inspection: the original, the copy to store, and the facts. */
export interface InspectedRequest {
  readonly request: DecisionRequest;
  /** The request with personal data in metadata and context replaced by `[REDACTED:<kind>]`. */
  readonly redacted: DecisionRequest;
  readonly facts: DecisionFacts;
}

function checkSection(
  request: Record<string, unknown>,
  name: 'metadata' | 'context',
  w: Walk,
): JsonObject | undefined {
  const section = request[name];
  if (section === undefined) return undefined;
  const before = w.invalid.length;
  w.sizeBound = 0;
  const out = walk(section, `/${name}`, 1, w) as JsonObject;
  if (w.invalid.length === before && w.sizeBound > REQUEST_LIMITS.maxMetadataBytes) {
    // The cheap bound says it may be too big: measure exactly.
    const bytes = utf8Length(JSON.stringify(section));
    if (bytes > REQUEST_LIMITS.maxMetadataBytes)
      w.invalid.push({
        pointer: `/${name}`,
        message: `is ${bytes} bytes serialized; the limit is ${REQUEST_LIMITS.maxMetadataBytes}`,
      });
  }
  return out;
}

/**
 * Validates a decision request and prepares it for evaluation and the ledger: checks
 * its shape and limits, refuses content fields (`forbiddenFields`, compared without
 * case), derives PII facts and redacts what will be stored.
 *
 * Throws `REQUEST_INVALID` (every problem, with JSON pointers) or
 * `FORBIDDEN_CONTENT_FIELD` (the pointer of every content field; never its value).
 *
 * @example
 * const { facts, redacted } = inspectRequest(body, policy.forbiddenFields);
 */
export function inspectRequest(
  value: unknown,
  forbiddenFields: ReadonlySet<string>,
): InspectedRequest {
  if (!validateShape(value)) {
    const details = describeErrors(validateShape.errors);
    throw new GovgateError(
      'REQUEST_INVALID',
      `request is invalid: ${details.map((d) => `${d.pointer || '/'} ${d.message}`).join('; ')}`,
      { details },
    );
  }
  const request = value as Record<string, unknown>;
  const w: Walk = {
    forbidden: forbiddenFields,
    invalid: [],
    forbiddenAt: [],
    piiMask: 0,
    sizeBound: 0,
  };
  for (const field of ['model', 'operation', 'subject'] as const) {
    const text = request[field];
    if (typeof text === 'string' && !text.isWellFormed())
      w.invalid.push({
        pointer: `/${field}`,
        message: 'string holds a lone surrogate (not valid Unicode)',
      });
  }
  const metadata = checkSection(request, 'metadata', w);
  const context = checkSection(request, 'context', w);
  if (w.invalid.length > 0) {
    throw new GovgateError(
      'REQUEST_INVALID',
      `request is invalid: ${w.invalid.map((d) => `${d.pointer} ${d.message}`).join('; ')}`,
      { details: w.invalid },
    );
  }
  if (w.forbiddenAt.length > 0) {
    throw new GovgateError(
      'FORBIDDEN_CONTENT_FIELD',
      `request carries content fields: ${w.forbiddenAt.map((d) => d.pointer).join(', ')}`,
      { details: w.forbiddenAt },
    );
  }
  const original = value as DecisionRequest;
  const redacted =
    metadata === original.metadata && context === original.context
      ? original
      : {
          ...original,
          metadata: metadata as JsonObject,
          ...(context === undefined ? {} : { context }),
        };
  return { request: original, redacted, facts: factsOf(w.piiMask) };
}

function scan(value: unknown, depth: number, mask: number): number {
  if (typeof value === 'string') {
    const finding = value.length <= REQUEST_LIMITS.maxStringLength ? detectPii(value) : undefined;
    if (finding !== undefined) for (const kind of finding.kinds) mask |= KIND_BIT[kind];
    return mask;
  }
  if (value === null || typeof value !== 'object' || depth > REQUEST_LIMITS.maxDepth) return mask;
  for (const item of Array.isArray(value) ? value : Object.values(value))
    mask = scan(item, depth + 1, mask);
  return mask;
}

/**
 * The facts rules can read under `pii.*`, derived from a request's metadata and
 * context (for evaluating a policy without inspectRequest, as policy tests do).
 */
export function deriveFacts(request: DecisionRequest): DecisionFacts {
  return factsOf(scan(request.context, 1, scan(request.metadata, 1, 0)));
}
