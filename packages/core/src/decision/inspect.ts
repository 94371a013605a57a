import { GovgateError, pointerToken, type ErrorDetail } from '../errors.js';
import { jsonString } from '../ledger/canonical-json.js';
import { UNSAFE_KEYS, utf8Length } from '../schema/patterns.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compileSchema, describeErrors } from '../schema/validator.js';
import type { DecisionFacts, DecisionRequest, JsonObject, PiiFacts } from './decision.js';
import {
  PII_KINDS,
  TEXT_CASED,
  TEXT_ESCAPES,
  TEXT_SURROGATES,
  detectPii,
  detectPiiScanned,
  scanText,
  type PiiKind,
} from './pii.js';

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

let compiledShape: ValidateFunction | undefined;
/** The schema's validator, compiled when a request first needs it (most never do). */
const validateShape = (): ValidateFunction =>
  (compiledShape ??= compileSchema(decisionRequestSchema));

const REQUEST_KEYS: ReadonlySet<string> = new Set(Object.keys(decisionRequestSchema.properties));
const isIdentifier = (v: unknown): boolean =>
  typeof v === 'string' && v.length >= identifier.minLength && v.length <= identifier.maxLength;
const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * True only for a request `decisionRequestSchema` certainly accepts: a plain object of
 * known keys, identifiers of at most 256 UTF-16 code units (so at most 256 code points,
 * which the schema counts) and object sections. Anything else goes to the validator,
 * which also words the errors; this spares it the usual, valid request.
 *
 * @example
 * isPlainlyValidRequest({ model: 'm', operation: 'o', metadata: {} }); // true
 */
export function isPlainlyValidRequest(value: unknown): boolean {
  if (!isObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const request = value as Record<string, unknown>;
  for (const key in request) if (!REQUEST_KEYS.has(key)) return false;
  return (
    isIdentifier(request.model) &&
    isIdentifier(request.operation) &&
    (request.subject === undefined || isIdentifier(request.subject)) &&
    isObject(request.metadata) &&
    (request.context === undefined || isObject(request.context))
  );
}

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
  /**
   * Set by `walk`: the value walked last with PII redacted (the same reference when
   * nothing changed, so the common case allocates nothing).
   */
  stored: unknown;
  /** Cleared when a redacted string is not well-formed: only the ledger's check can tell then. */
  canonical: boolean;
  /** Whether objects with keys out of order are stored as sorted copies. */
  readonly sortCopies: boolean;
}

// Most keys are shorter or longer than every unsafe key: those skip the set lookup.
const UNSAFE_MIN = Math.min(...[...UNSAFE_KEYS].map((k) => k.length));
const UNSAFE_MAX = Math.max(...[...UNSAFE_KEYS].map((k) => k.length));

const isPlainObject = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** JSON pointer of `key` under `at`; built only for problems and containers. */
const pointerOf = (at: string, key: string | number): string =>
  `${at}/${typeof key === 'number' ? key : pointerToken(key)}`;

/**
 * Checks the value at `key` of metadata or context, sets `w.stored` to it with PII
 * redacted, and returns the RFC 8785 canonical JSON of `w.stored`. The JSON is written
 * from the values read here, once each, so what is stored is what was checked even if
 * the input changes under its getters.
 */
function walk(value: unknown, at: string, key: string | number, depth: number, w: Walk): string {
  w.stored = value;
  switch (typeof value) {
    case 'string': {
      w.sizeBound += 6 * value.length + 2;
      if (value.length > REQUEST_LIMITS.maxStringLength) {
        w.invalid.push({
          pointer: pointerOf(at, key),
          message: `string longer than ${REQUEST_LIMITS.maxStringLength} characters`,
        });
        return '';
      }
      const bits = scanText(value);
      if ((bits & TEXT_SURROGATES) !== 0 && !value.isWellFormed()) {
        w.invalid.push({
          pointer: pointerOf(at, key),
          message: 'string holds a lone surrogate (not valid Unicode)',
        });
        return '';
      }
      const finding = detectPiiScanned(value, bits);
      if (finding === undefined)
        return (bits & TEXT_ESCAPES) === 0 ? `"${value}"` : JSON.stringify(value);
      for (const kind of finding.kinds) w.piiMask |= KIND_BIT[kind];
      w.stored = finding.redacted;
      if (!finding.redacted.isWellFormed()) w.canonical = false;
      return jsonString(finding.redacted);
    }
    case 'number':
      w.sizeBound += 25;
      if (!Number.isFinite(value)) {
        w.invalid.push({ pointer: pointerOf(at, key), message: `${value} is not a JSON number` });
        return '';
      }
      return String(value); // ECMAScript's number to string, as RFC 8785 §3.2.2.3 specifies
    case 'boolean':
      w.sizeBound += 5;
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) {
        w.sizeBound += 4;
        return 'null';
      }
      const pointer = pointerOf(at, key);
      if (depth > REQUEST_LIMITS.maxDepth) {
        w.invalid.push({
          pointer,
          message: `nested deeper than ${REQUEST_LIMITS.maxDepth} levels`,
        });
        return '';
      }
      w.sizeBound += 2;
      return Array.isArray(value)
        ? walkArray(value as unknown[], pointer, depth, w)
        : walkObject(value, pointer, depth, w);
    }
    default:
      w.invalid.push({ pointer: pointerOf(at, key), message: `${typeof value} is not JSON data` });
      return '';
  }
}

function walkArray(value: readonly unknown[], at: string, depth: number, w: Walk): string {
  let copy: unknown[] | undefined;
  let json = '[';
  for (let n = 0; n < value.length; n++) {
    const item: unknown = value[n];
    w.sizeBound += 1;
    if (item === undefined) {
      w.invalid.push({ pointer: `${at}/${n}`, message: 'undefined is not JSON data' });
      continue;
    }
    const itemJson = walk(item, at, n, depth + 1, w);
    if (w.stored !== item) (copy ??= value.slice())[n] = w.stored;
    json += n === 0 ? itemJson : `,${itemJson}`;
  }
  w.stored = copy ?? value;
  return `${json}]`;
}

function walkObject(value: object, at: string, depth: number, w: Walk): string {
  if (!isPlainObject(value)) {
    w.invalid.push({
      pointer: at,
      message: 'must be JSON data (plain objects, arrays, strings, numbers, booleans, null)',
    });
    return '';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(value);
  let sorted = true;
  for (let k = 1; k < keys.length && sorted; k++)
    if ((keys[k - 1] as string) >= (keys[k] as string)) sorted = false;
  // In order (the usual case) members are written as they come; otherwise each is kept
  // by position and written in canonical order at the end.
  let json = '{';
  let members: (string | undefined)[] | undefined;
  let values: unknown[] | undefined;
  if (!sorted) {
    members = new Array<string | undefined>(keys.length);
    if (w.sortCopies) values = new Array<unknown>(keys.length);
  }
  let copy: Record<string, unknown> | undefined;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    const item = record[key];
    w.sizeBound += 6 * key.length + 4;
    if (key.length >= UNSAFE_MIN && key.length <= UNSAFE_MAX && UNSAFE_KEYS.has(key)) {
      w.invalid.push({ pointer: pointerOf(at, key), message: `key '${key}' is not allowed` });
      continue;
    }
    const bits = scanText(key);
    if (
      key.length > REQUEST_LIMITS.maxKeyLength ||
      ((bits & TEXT_SURROGATES) !== 0 && !key.isWellFormed())
    ) {
      w.invalid.push({
        pointer: pointerOf(at, key),
        message: `key must be well-formed Unicode of at most ${REQUEST_LIMITS.maxKeyLength} characters`,
      });
      continue;
    }
    if (w.forbidden.has(key) || ((bits & TEXT_CASED) !== 0 && w.forbidden.has(key.toLowerCase()))) {
      w.forbiddenAt.push({
        pointer: pointerOf(at, key),
        message: `'${key}' is a content field; govgate takes metadata, never content`,
      });
      continue;
    }
    if (item === undefined) continue; // absent, as in JSON
    if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') {
      w.invalid.push({ pointer: pointerOf(at, key), message: `${typeof item} is not JSON data` });
      continue;
    }
    const name = (bits & TEXT_ESCAPES) === 0 ? `"${key}":` : `${JSON.stringify(key)}:`;
    const member = name + walk(item, at, key, depth + 1, w);
    if (w.stored !== item && values === undefined) (copy ??= { ...record })[key] = w.stored;
    if (members === undefined) json += json.length === 1 ? member : `,${member}`;
    else {
      members[k] = member;
      if (values !== undefined) values[k] = w.stored;
    }
  }
  if (members === undefined) {
    w.stored = copy ?? value;
    return `${json}}`;
  }
  let out: Record<string, unknown> | undefined;
  for (const k of sortedPositions(keys)) {
    const member = members[k];
    if (member === undefined) continue;
    json += json.length === 1 ? member : `,${member}`;
    if (values !== undefined) (out ??= {})[keys[k] as string] = values[k];
  }
  // A sorted copy reads in the order it is written in (inspectRequest's callers see it).
  w.stored = values === undefined ? (copy ?? value) : (out ?? {});
  return `${json}}`;
}

/** The positions of `keys` in RFC 8785 order (UTF-16 code units); insertion sort, as objects have few keys. */
function sortedPositions(keys: readonly string[]): number[] {
  const order: number[] = [];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    let n = k;
    while (n > 0 && (keys[order[n - 1] as number] as string) > key) {
      order[n] = order[n - 1] as number;
      n--;
    }
    order[n] = k;
  }
  return order;
}

/** A request that passed inspection: the original, the copy to store, and the facts. */
export interface InspectedRequest {
  readonly request: DecisionRequest;
  /** The request with personal data in metadata and context replaced by `[REDACTED:<kind>]`. */
  readonly redacted: DecisionRequest;
  readonly facts: DecisionFacts;
}

/**
 * What `inspectForRecord` adds for the ledger: the request as a decision entry stores
 * it, and its canonical JSON, both from the values that were checked (read once).
 */
export interface RecordedRequest extends InspectedRequest {
  /**
   * `context` (when present), `metadata`, `model` and `operation`, redacted: the entry's
   * data view (objects keep their key order; `storedJson` is what is written).
   */
  readonly stored: JsonObject;
  /** RFC 8785 canonical JSON of `stored`; undefined when only the ledger's full check can tell. */
  readonly storedJson: string | undefined;
  readonly subject: string | undefined;
}

interface Section {
  readonly value: JsonObject | undefined;
  readonly json: string;
}

const NO_SECTION: Section = Object.freeze({ value: undefined, json: '' });

function checkSection(section: unknown, name: 'metadata' | 'context', w: Walk): Section {
  if (section === undefined) return NO_SECTION;
  const before = w.invalid.length;
  w.sizeBound = 0;
  const json = walk(section, '', name, 1, w);
  const value = w.stored as JsonObject;
  if (w.invalid.length === before && w.sizeBound > REQUEST_LIMITS.maxMetadataBytes) {
    // The cheap bound says it may be too big: measure exactly.
    const bytes = utf8Length(JSON.stringify(section));
    if (bytes > REQUEST_LIMITS.maxMetadataBytes)
      w.invalid.push({
        pointer: `/${name}`,
        message: `is ${bytes} bytes serialized; the limit is ${REQUEST_LIMITS.maxMetadataBytes}`,
      });
  }
  return { value, json };
}

/** A top-level text field, read once: what is checked here is what is stored. */
function checkText(
  request: Record<string, unknown>,
  field: 'model' | 'operation' | 'subject',
  w: Walk,
): string | undefined {
  const text = request[field];
  if (text === undefined && field === 'subject') return undefined;
  if (typeof text !== 'string') {
    // The schema passed it: only an input that changes under its getters gets here.
    w.invalid.push({ pointer: `/${field}`, message: 'must be a string' });
    return undefined;
  }
  if (!text.isWellFormed())
    w.invalid.push({
      pointer: `/${field}`,
      message: 'string holds a lone surrogate (not valid Unicode)',
    });
  return text;
}

function inspectAll(
  value: unknown,
  forbiddenFields: ReadonlySet<string>,
  sortCopies: boolean,
): RecordedRequest {
  if (!isPlainlyValidRequest(value) && !validateShape()(value)) {
    const details = describeErrors(validateShape().errors);
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
    stored: undefined,
    canonical: true,
    sortCopies,
  };
  const model = checkText(request, 'model', w);
  const operation = checkText(request, 'operation', w);
  const subject = checkText(request, 'subject', w);
  const metadataIn = request.metadata;
  const contextIn = request.context;
  const metadata = checkSection(metadataIn, 'metadata', w);
  const context = checkSection(contextIn, 'context', w);
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
    metadata.value === metadataIn && context.value === contextIn
      ? original
      : {
          ...original,
          metadata: metadata.value as JsonObject,
          ...(context.value === undefined ? {} : { context: context.value }),
        };
  // Keys in RFC 8785 order, as in the JSON below.
  const tail = `"metadata":${metadata.json},"model":${jsonString(model as string)},"operation":${jsonString(operation as string)}}`;
  return {
    request: original,
    redacted,
    facts: factsOf(w.piiMask),
    stored:
      context.value === undefined
        ? {
            metadata: metadata.value as JsonObject,
            model: model as string,
            operation: operation as string,
          }
        : {
            context: context.value,
            metadata: metadata.value as JsonObject,
            model: model as string,
            operation: operation as string,
          },
    storedJson: !w.canonical
      ? undefined
      : context.value === undefined
        ? `{${tail}`
        : `{"context":${context.json},${tail}`,
    subject,
  };
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
  const { request, redacted, facts } = inspectAll(value, forbiddenFields, true);
  return { request, redacted, facts };
}

/**
 * `inspectRequest`, plus what a `decision` entry stores of the request and its
 * canonical JSON, written while checking (internal to core: the facade records it).
 *
 * @example
 * const { facts, stored, storedJson } = inspectForRecord(body, policy.forbiddenFields);
 */
export function inspectForRecord(
  value: unknown,
  forbiddenFields: ReadonlySet<string>,
): RecordedRequest {
  return inspectAll(value, forbiddenFields, false);
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
