import type { JsonObject } from '../decision/decision.js';
import { GovgateError, type ErrorDetail } from '../errors.js';
import { isTenantId, utf8Length } from '../schema/patterns.js';
import { canonicalJson, canonicalJsonData, jsonString, sha256Hex } from './canonical-json.js';
import { jsonDataProblems } from './json-data.js';

/** `prev` of a chain's first entry. */
export const GENESIS_PREV = '0'.repeat(64);
export const ENTRY_VERSION = 1;
/** Largest canonical `data` of one entry, in UTF-8 bytes. */
export const MAX_ENTRY_DATA_BYTES = 256 * 1024;

/** Entry types govgate writes; applications may add their own (`app.*`). */
export type LedgerEntryType =
  | 'decision'
  | 'decision.rejected'
  | 'evidence'
  | 'policy.version'
  | 'policy.activated'
  | 'key.created'
  | 'key.revoked'
  | 'key.rotated'
  | 'checkpoint'
  | 'workflow.transition'
  | 'audit.correction'
  | (string & {});

const TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
const HASH_HEX = /^[0-9a-f]{64}$/;
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** What a caller asks the ledger to append; the ledger assigns seq, ts, prev and hash. */
export interface AppendRequest {
  readonly type: LedgerEntryType;
  /** Who caused the entry: a key id, a user, `system`. */
  readonly actor: string;
  readonly subject?: string;
  readonly data: JsonObject;
}

/**
 * One entry of a tenant's chain. `hash` is the SHA-256 of the RFC 8785 canonical JSON
 * of the entry without `hash`; `prev` is the previous entry's hash.
 */
export interface LedgerEntry {
  readonly v: 1;
  readonly tenant: string;
  readonly seq: number;
  /** RFC 3339 UTC time with milliseconds. */
  readonly ts: string;
  readonly type: LedgerEntryType;
  readonly actor: string;
  readonly subject?: string;
  readonly data: JsonObject;
  readonly prev: string;
  readonly hash: string;
}

/** An entry together with the exact canonical bytes that were written. */
export interface StoredEntry {
  readonly entry: LedgerEntry;
  /** Canonical JSON of the whole entry (with `hash`): what backends store and return. */
  readonly bytes: string;
}

const shortText = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= 256 && v.isWellFormed();

/**
 * Canonical JSON that core wrote itself, while checking them, for data objects it
 * built. Keyed by object identity and never exported from the package, so data a
 * caller built can never be found here: it always gets the full check.
 */
const writtenByCore = new WeakMap<object, string>();

/**
 * Records the RFC 8785 canonical JSON of `data`, written by core from values it has
 * already checked, so that `checkAppend` takes it (once) instead of checking and
 * serializing the data again. Internal to core: `json` must be exactly
 * `canonicalJsonData(data)`, which the callers' tests assert.
 *
 * @example
 * const data = withCanonicalJson({ a: 1 }, '{"a":1}');
 * checkAppend('acme', { type: 'decision', actor: 'library', data }); // '{"a":1}'
 */
export function withCanonicalJson<T extends JsonObject>(data: T, json: string): T {
  writtenByCore.set(data, json);
  return data;
}

/**
 * Checks an append request and returns the canonical JSON of its data. Throws
 * `LEDGER_ENTRY_INVALID` naming every problem, before anything is written.
 */
export function checkAppend(tenant: string, request: AppendRequest): string {
  const problems: ErrorDetail[] = [];
  if (!isTenantId(tenant))
    problems.push({ pointer: '/tenant', message: `'${String(tenant)}' is not a valid tenant id` });
  if (
    typeof request.type !== 'string' ||
    request.type.length > 64 ||
    !TYPE_PATTERN.test(request.type)
  )
    problems.push({
      pointer: '/type',
      message: 'must be dotted lowercase words, at most 64 characters',
    });
  if (!shortText(request.actor))
    problems.push({
      pointer: '/actor',
      message: 'must be a non-empty string of at most 256 characters',
    });
  if (request.subject !== undefined && !shortText(request.subject))
    problems.push({
      pointer: '/subject',
      message: 'must be a non-empty string of at most 256 characters',
    });
  const data: unknown = request.data;
  let text: string | undefined;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ pointer: '/data', message: 'must be an object' });
  } else {
    text = writtenByCore.get(data);
    if (text === undefined) {
      text = canonicalJsonData(data);
      if (text === undefined) problems.push(...jsonDataProblems(data, '/data'));
    } else {
      writtenByCore.delete(data); // one append per registration: a reused object is checked in full
    }
  }
  if (problems.length > 0 || text === undefined) {
    throw new GovgateError(
      'LEDGER_ENTRY_INVALID',
      `ledger entry is invalid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`,
      { details: problems },
    );
  }
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: only long texts need measuring.
  const size = text.length * 3 <= MAX_ENTRY_DATA_BYTES ? 0 : utf8Length(text);
  if (size > MAX_ENTRY_DATA_BYTES) {
    throw new GovgateError(
      'LEDGER_ENTRY_INVALID',
      `ledger entry data is ${size} bytes; the limit is ${MAX_ENTRY_DATA_BYTES}`,
      {
        details: [{ pointer: '/data', message: `larger than ${MAX_ENTRY_DATA_BYTES} bytes` }],
      },
    );
  }
  return text;
}

/** Values sealEntry validated or computed last; each starts as a valid value of its kind. */
const sealed = {
  hash: GENESIS_PREV,
  ts: '1970-01-01T00:00:00.000Z',
  tenant: 'a',
  type: 'decision',
};

/**
 * Builds the next entry of a chain and its canonical bytes. The canonical text is
 * assembled from the fixed top-level keys in RFC 8785 order around the already
 * canonical `data`, so data is serialized once.
 *
 * @example
 * const dataJson = checkAppend('acme', request);
 * const { entry, bytes } = sealEntry({ tenant: 'acme', seq: 1, prev: GENESIS_PREV, ts: new Date().toISOString() }, request, dataJson);
 */
export function sealEntry(
  position: { tenant: string; seq: number; prev: string; ts: string },
  request: AppendRequest,
  dataJson: string,
): StoredEntry {
  // Appends to one chain repeat the tenant, type and timestamp, and pass the hash sealed
  // last as prev: values equal to ones already validated are not tested again.
  if (
    (position.prev !== sealed.hash && !HASH_HEX.test(position.prev)) ||
    (position.ts !== sealed.ts && !ISO_TS.test(position.ts)) ||
    (position.tenant !== sealed.tenant && !isTenantId(position.tenant)) ||
    (request.type !== sealed.type && !TYPE_PATTERN.test(request.type))
  )
    throw new GovgateError(
      'LEDGER_ENTRY_INVALID',
      'sealEntry needs a hex prev hash, an ISO timestamp, a valid tenant and type',
    );
  sealed.ts = position.ts;
  sealed.tenant = position.tenant;
  sealed.type = request.type;
  const q = jsonString;
  // prev (hex), tenant and type (checked patterns) and ts (ISO 8601) never need escaping.
  const head = `{"actor":${q(request.actor)},"data":${dataJson},`;
  const tail =
    `"prev":"${position.prev}","seq":${position.seq},` +
    (request.subject === undefined ? '' : `"subject":${q(request.subject)},`) +
    `"tenant":"${position.tenant}","ts":"${position.ts}","type":"${request.type}","v":${ENTRY_VERSION}}`;
  const unhashed = head + tail;
  const hash = sha256Hex(unhashed);
  sealed.hash = hash;
  // Hashing made `unhashed` one flat string: slices of it are cheaper to write out than
  // `head` and `tail`, which may be ropes of many pieces.
  const bytes = `${unhashed.slice(0, head.length)}"hash":"${hash}",${unhashed.slice(head.length)}`;
  const entry: { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] } = {
    v: ENTRY_VERSION,
    tenant: position.tenant,
    seq: position.seq,
    ts: position.ts,
    type: request.type,
    actor: request.actor,
    // The request's own object: the bytes are the record, this is a convenience view.
    data: request.data,
    prev: position.prev,
    hash,
  };
  if (request.subject !== undefined) entry.subject = request.subject;
  return { entry, bytes };
}

/** The hash an entry must have: SHA-256 of its canonical JSON without `hash`. */
export function computeEntryHash(entry: Omit<LedgerEntry, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256Hex(canonicalJson(rest));
}

/**
 * An entry read back from storage, parsed defensively: undefined unless the bytes are
 * a JSON object with an integer `seq` and string `hash` and `prev` (callers report
 * where it is stored; `verifyLedger` checks the rest).
 */
export function parseStoredEntry(bytes: string): LedgerEntry | undefined {
  try {
    const value = JSON.parse(bytes) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const entry = value as Partial<LedgerEntry>;
    if (
      !Number.isSafeInteger(entry.seq) ||
      typeof entry.hash !== 'string' ||
      typeof entry.prev !== 'string'
    )
      return undefined;
    return value as LedgerEntry;
  } catch {
    return undefined;
  }
}
