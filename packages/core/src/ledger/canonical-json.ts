import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { UNSAFE_KEYS } from '../schema/patterns.js';

/**
 * RFC 8785 (JCS) canonical JSON of a value. Throws on values JSON cannot hold
 * (NaN, Infinity, lone surrogates, cycles); callers validate first.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, 'x'] }) // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

/** Lowercase hex SHA-256 of a string's UTF-8 bytes or of raw bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex'); // one-shot: about half the cost of createHash here
}

/** SHA-256 of the canonical JSON of a value, hex: the digest of documents and profiles. */
export function canonicalDigest(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * The JSON (and RFC 8785) form of a well-formed string: what JSON.stringify writes,
 * without calling it for the usual string that needs no escaping.
 *
 * @example
 * jsonString('eu-west-1') // '"eu-west-1"'
 * jsonString('a"b')       // '"a\\"b"'
 */
export function jsonString(text: string): string {
  for (let n = 0; n < text.length; n++) {
    const c = text.charCodeAt(n);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff))
      return JSON.stringify(text);
  }
  return `"${text}"`;
}

class NotJsonData extends Error {}
const NOT_JSON = new NotJsonData('not JSON data');

function writeCanonical(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw NOT_JSON;
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth >= 64) throw NOT_JSON;
      if (Array.isArray(value)) {
        let out = '[';
        for (let n = 0; n < value.length; n++) {
          const item: unknown = value[n];
          if (item === undefined) throw NOT_JSON;
          out += (n === 0 ? '' : ',') + writeCanonical(item, depth + 1);
        }
        return out + ']';
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw NOT_JSON;
      // RFC 8785 §3.2.3: sort by UTF-16 code units, which is what the default sort compares.
      const keys = Object.keys(value).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (UNSAFE_KEYS.has(key) || !key.isWellFormed()) throw NOT_JSON;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${writeCanonical(item, depth + 1)}`;
        first = false;
      }
      return out + '}';
    }
    default:
      throw NOT_JSON;
  }
}

const INVALID = 0;
const SORTED = 1;
const UNSORTED = 2;

/** What `inspect` learns beyond validity: which containers need their keys sorted. */
interface Inspection {
  /** Objects with keys out of order, and containers holding such objects. */
  readonly dirty: Set<object>;
  /** A key starting with a digit was seen: engines enumerate integer-like keys first. */
  digitKeys: boolean;
}

/**
 * Checks that `value` is JSON data govgate stores, and whether every object's keys
 * already come in RFC 8785 order (then JSON.stringify's output is canonical as is).
 */
function inspect(value: unknown, depth: number, seen: Inspection): number {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? SORTED : INVALID;
    case 'number':
      return Number.isFinite(value) ? SORTED : INVALID;
    case 'boolean':
      return SORTED;
    case 'object': {
      if (value === null) return SORTED;
      if (depth >= 64) return INVALID;
      let state = SORTED;
      if (Array.isArray(value)) {
        for (let n = 0; n < value.length; n++) {
          const item: unknown = value[n];
          const s = item === undefined ? INVALID : inspect(item, depth + 1, seen);
          if (s === INVALID) return INVALID;
          if (s === UNSORTED) state = UNSORTED;
        }
        if (state === UNSORTED) seen.dirty.add(value);
        return state;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return INVALID;
      let previous: string | undefined;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (UNSAFE_KEYS.has(key) || !key.isWellFormed()) return INVALID;
        const c = key.charCodeAt(0);
        if (c >= 48 && c <= 57) seen.digitKeys = true;
        if (item === undefined) {
          state = UNSORTED; // dropped from the output: rebuild this object without it
          continue;
        }
        if (previous !== undefined && previous >= key) state = UNSORTED;
        previous = key;
        const s = inspect(item, depth + 1, seen);
        if (s === INVALID) return INVALID;
        if (s === UNSORTED) state = UNSORTED;
      }
      if (state === UNSORTED) seen.dirty.add(value);
      return state;
    }
    default:
      return INVALID;
  }
}

/** A copy in which the dirty containers are rebuilt with their keys sorted; clean subtrees are shared. */
function sortedCopy(value: unknown, dirty: Set<object>): unknown {
  if (value === null || typeof value !== 'object' || !dirty.has(value)) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => sortedCopy(item, dirty));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = sortedCopy(item, dirty);
  }
  return out;
}

/**
 * Canonical JSON (RFC 8785) of JSON data, checking that it is JSON data govgate
 * stores: plain objects and arrays, finite numbers, well-formed strings, no
 * prototype-reaching keys, at most 64 levels. Returns undefined otherwise (callers then
 * ask `jsonDataProblems` what is wrong). The engine's JSON.stringify writes the
 * canonical text once every object's keys come in canonical order (ECMAScript number
 * and string serialization is what RFC 8785 specifies), so objects out of order are
 * copied sorted first; only objects with integer-like keys, which engines always
 * enumerate first, go through a sorting writer. This is the ledger's hot path; its
 * output is checked against the `canonicalize` package in the tests.
 */
export function canonicalJsonData(value: unknown): string | undefined {
  const seen: Inspection = { dirty: new Set(), digitKeys: false };
  const state = inspect(value, 0, seen);
  if (state === INVALID) return undefined;
  if (state === SORTED) return JSON.stringify(value);
  if (!seen.digitKeys) return JSON.stringify(sortedCopy(value, seen.dirty));
  try {
    return writeCanonical(value, 0);
  } catch (error) {
    if (error === NOT_JSON) return undefined;
    throw error;
  }
}
