import type { ConsistencyProof, InclusionProof, LedgerPort, RawEntry } from '../ports.js';
import { canonicalJsonData, sha256Hex } from './canonical-json.js';
import { type SignedCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { GENESIS_PREV, parseStoredEntry, type LedgerEntry } from './entry.js';
import {
  MerkleFrontier,
  leafHash,
  leafHashHex,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

/** Why verification stopped. */
export type VerifyFailureKind =
  | 'unparseable'
  | 'hash_mismatch'
  | 'broken_link'
  | 'gap'
  | 'reorder'
  | 'duplicate'
  | 'tenant_mismatch'
  | 'truncated'
  | 'checkpoint_mismatch';

export interface VerifyFailure {
  /** The first seq that is wrong (for `truncated`: the first missing one). */
  readonly seq: number;
  readonly kind: VerifyFailureKind;
  readonly message: string;
  /** Where the offending data is stored, when the backend says. */
  readonly location?: string;
}

export interface VerifyReport {
  readonly tenant: string;
  readonly ok: boolean;
  /** Entries read and found good before any failure. */
  readonly checked: number;
  /** Hash of the last good entry (GENESIS_PREV for none). */
  readonly headHash: string;
  /** RFC 9162 root over the good entries, hex. */
  readonly root: string;
  readonly failure?: VerifyFailure;
}

export interface VerifyOptions {
  /** A checkpoint the caller trusts: the ledger must contain exactly the tree it signed. */
  readonly trusted?: SignedCheckpoint;
  /** Public key (SPKI PEM) to check the trusted checkpoint's signature with. */
  readonly publicKeyPem?: string;
  /**
   * Also re-serialize every entry and compare it with the stored bytes (canonical
   * form). The hash check already detects any change to stored bytes; this finds a
   * backend that stores something other than what it sealed.
   */
  readonly deep?: boolean;
  /** Called every `progressEvery` entries (default 10,000), e.g. to stream progress. */
  readonly onProgress?: (checked: number) => void;
  readonly progressEvery?: number;
}

/** The fields verification needs, read from the end of an entry's canonical bytes. */
interface EntryTail {
  readonly hash: string;
  readonly prev: string;
  readonly seq: number;
  readonly tenant: string;
  readonly type: string;
  /** SHA-256 of the bytes without their `hash` member: what `hash` must be. */
  readonly computed: string;
}

const HASH_MEMBER = '"hash":"';

/** JSON string content without escapes; and a JSON string's content with any escapes. */
const PLAIN = String.raw`[^"\\\u0000-\u001f]*`;
const ESCAPED = String.raw`(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*`;
/**
 * What follows the hash member of an entry as `sealEntry` writes it, to the end of the
 * line: prev, seq, subject if any, tenant, ts, type, v. Matching it takes a third of
 * the time of JSON.parse on this path. It accepts only valid JSON whose values parse
 * to the captured text (plain strings, integers without sign or leading zeros), so a
 * match reads what JSON.parse would; anything else goes through JSON.parse.
 */
const SEALED_TAIL = new RegExp(
  String.raw`"prev":"([0-9a-f]{64})","seq":(0|[1-9][0-9]{0,15}),(?:"subject":"${ESCAPED}",)?` +
    String.raw`"tenant":"(${PLAIN})","ts":"${PLAIN}","type":"(${PLAIN})","v":(?:0|[1-9][0-9]{0,8})\}$`,
  'y',
);

/**
 * Reads an entry's stored bytes the quick way. In canonical order the top-level `hash`
 * member follows `data` and nothing after it is named `hash`, so it is the last
 * `"hash":"` of the line (a quote inside a string is always escaped, so no string can
 * imitate it); what follows it (`prev`, `seq`, `subject`, `tenant`, `ts`, `type`, `v`)
 * parses on its own, and the bytes without that member are exactly what was hashed.
 * Any change to the bytes changes that hash. Undefined when the bytes are not shaped
 * like a sealed entry (verification then parses them whole to say why).
 */
function readTail(bytes: string): EntryTail | undefined {
  const at = bytes.lastIndexOf(HASH_MEMBER);
  const end = at + HASH_MEMBER.length + 64;
  if (at < 0 || bytes[end] !== '"' || bytes[end + 1] !== ',') return undefined;
  let tail: Partial<LedgerEntry>;
  SEALED_TAIL.lastIndex = end + 2;
  const sealed = SEALED_TAIL.exec(bytes);
  if (sealed !== null) {
    tail = {
      prev: sealed[1] as string,
      seq: Number(sealed[2]),
      tenant: sealed[3] as string,
      type: sealed[4] as string,
    };
  } else {
    try {
      tail = JSON.parse(`{${bytes.slice(end + 2)}`) as Partial<LedgerEntry>;
    } catch {
      return undefined;
    }
  }
  if (
    !Number.isSafeInteger(tail.seq) ||
    typeof tail.prev !== 'string' ||
    typeof tail.tenant !== 'string' ||
    typeof tail.type !== 'string'
  )
    return undefined;
  return {
    hash: bytes.slice(at + HASH_MEMBER.length, end),
    prev: tail.prev,
    seq: tail.seq as number,
    tenant: tail.tenant,
    type: tail.type,
    computed: sha256Hex(bytes.slice(0, at) + bytes.slice(end + 2)),
  };
}

/** Full check of one entry for `deep` verification: it parses and its bytes are canonical. */
function isCanonicalEntry(bytes: string): boolean {
  const entry = parseStoredEntry(bytes);
  return entry !== undefined && canonicalJsonData(entry) === bytes;
}

/**
 * Verifies a tenant's chain by streaming it once with flat memory: every entry must
 * parse, be canonical, carry its own hash, link to the previous one and follow it in
 * seq; the chain must reach the head recorded apart from the entries (read first, so
 * entries appended meanwhile do not look like a truncation); `checkpoint` entries in
 * the chain must match the tree they name; and a trusted checkpoint, if given, must be
 * a prefix of the chain. Returns the first failure, never throws for bad data.
 *
 * @example
 * const report = await verifyLedger(ledger, 'acme');
 * if (!report.ok) console.error(`seq ${report.failure.seq}: ${report.failure.kind}`);
 */
export async function verifyLedger(
  ledger: Pick<LedgerPort, 'readRaw' | 'head'>,
  tenant: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const frontier = new MerkleFrontier();
  let checked = 0;
  let prevHash = GENESIS_PREV;
  const every = options.progressEvery ?? 10_000;
  const trusted = options.trusted;
  const deep = options.deep === true;
  const report = (failure?: VerifyFailure): VerifyReport => ({
    tenant,
    ok: failure === undefined,
    checked,
    headHash: prevHash,
    root: frontier.rootHex(),
    ...(failure === undefined ? {} : { failure }),
  });
  if (trusted !== undefined) {
    if (trusted.tenant !== tenant)
      return report({
        seq: 0,
        kind: 'checkpoint_mismatch',
        message: `the trusted checkpoint is for tenant '${trusted.tenant}'`,
      });
    if (options.publicKeyPem !== undefined) {
      const check = verifyCheckpoint(trusted, options.publicKeyPem);
      if (!check.ok)
        return report({
          seq: 0,
          kind: 'checkpoint_mismatch',
          message: `the trusted checkpoint is not valid: ${check.reason}`,
        });
    }
  }
  const compareTrusted = (): VerifyFailure | undefined => {
    if (trusted === undefined || frontier.size !== trusted.size) return undefined;
    const root = frontier.rootHex();
    return root === trusted.root
      ? undefined
      : {
          seq: trusted.size,
          kind: 'checkpoint_mismatch',
          message: `the tree of ${trusted.size} entries has root ${root}, the trusted checkpoint says ${trusted.root}`,
        };
  };
  const early = compareTrusted();
  if (early !== undefined) return report(early);

  const head = await ledger.head(tenant);
  let hashAtHead = head.size === 0 ? GENESIS_PREV : undefined;
  const iterator = ledger.readRaw(tenant)[Symbol.asyncIterator]();
  try {
    let current = await iterator.next();
    while (current.done !== true) {
      const raw: RawEntry = current.value;
      const next = await iterator.next();
      const expected = checked + 1;
      const at = { location: raw.location };
      const entry = readTail(raw.bytes);
      if (entry === undefined) {
        return parseStoredEntry(raw.bytes) === undefined
          ? report({
              seq: expected,
              kind: 'unparseable',
              message: 'the stored entry is not a ledger entry in JSON',
              ...at,
            })
          : report({
              seq: expected,
              kind: 'hash_mismatch',
              message: `entry ${expected} is not in the form it was sealed in`,
              ...at,
            });
      }
      if (entry.seq !== expected) {
        if (entry.seq === expected - 1)
          return report({
            seq: entry.seq,
            kind: 'duplicate',
            message: `entry ${entry.seq} appears twice`,
            ...at,
          });
        if (entry.seq > expected) {
          const following =
            next.done === true
              ? undefined
              : (readTail(next.value.bytes) ?? parseStoredEntry(next.value.bytes));
          return following?.seq === expected
            ? report({
                seq: expected,
                kind: 'reorder',
                message: `entry ${entry.seq} is stored before entry ${expected}`,
                ...at,
              })
            : report({
                seq: expected,
                kind: 'gap',
                message: `entry ${expected} is missing (found ${entry.seq})`,
                ...at,
              });
        }
        return report({
          seq: expected,
          kind: 'reorder',
          message: `entry ${entry.seq} is stored where entry ${expected} belongs`,
          ...at,
        });
      }
      if (entry.tenant !== tenant)
        return report({
          seq: expected,
          kind: 'tenant_mismatch',
          message: `entry ${expected} belongs to tenant '${entry.tenant}'`,
          ...at,
        });
      if (entry.computed !== entry.hash || (deep && !isCanonicalEntry(raw.bytes)))
        return report({
          seq: expected,
          kind: 'hash_mismatch',
          message: `entry ${expected} does not match its hash`,
          ...at,
        });
      if (entry.prev !== prevHash)
        return report({
          seq: expected,
          kind: 'broken_link',
          message: `entry ${expected} does not link to entry ${expected - 1}`,
          ...at,
        });
      if (entry.type === 'checkpoint') {
        const claimed = (parseStoredEntry(raw.bytes)?.data ?? {}) as {
          size?: unknown;
          root?: unknown;
        };
        if (claimed.size === frontier.size && claimed.root !== frontier.rootHex())
          return report({
            seq: expected,
            kind: 'checkpoint_mismatch',
            message: `checkpoint entry ${expected} names another tree than the chain holds`,
            ...at,
          });
      }
      frontier.appendHex(leafHashHex(raw.bytes));
      prevHash = entry.hash;
      checked = expected;
      if (checked === head.size) hashAtHead = entry.hash;
      const mismatch = compareTrusted();
      if (mismatch !== undefined) return report(mismatch);
      if (options.onProgress !== undefined && checked % every === 0) options.onProgress(checked);
      current = next;
    }
  } finally {
    await iterator.return?.();
  }
  if (checked < head.size)
    return report({
      seq: checked + 1,
      kind: 'truncated',
      message: `the chain ends at ${checked}; the head says ${head.size}`,
    });
  if (hashAtHead !== head.hash)
    return report({
      seq: head.size,
      kind: 'hash_mismatch',
      message: `entry ${head.size} is not the entry the head names`,
    });
  if (trusted !== undefined && checked < trusted.size)
    return report({
      seq: checked + 1,
      kind: 'truncated',
      message: `the chain ends at ${checked}; the trusted checkpoint covers ${trusted.size}`,
    });
  return report();
}

const fromHex = (h: string): Buffer => Buffer.from(h, 'hex');
const isHash = (h: unknown): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h);

/**
 * Checks an inclusion proof offline; with `entryBytes`, also that the proof is about
 * those bytes. `root` defaults to the proof's own root (pass a checkpoint's root to
 * tie it to a signed head).
 */
export function verifyInclusionProof(
  proof: InclusionProof,
  options: { entryBytes?: string; root?: string } = {},
): boolean {
  const root = options.root ?? proof.root;
  if (
    !isHash(proof.leafHash) ||
    !isHash(root) ||
    !Array.isArray(proof.path) ||
    !proof.path.every(isHash)
  )
    return false;
  if (
    options.entryBytes !== undefined &&
    leafHash(options.entryBytes).toString('hex') !== proof.leafHash
  )
    return false;
  return verifyInclusion(
    fromHex(proof.leafHash),
    proof.seq - 1,
    proof.size,
    proof.path.map(fromHex),
    fromHex(root),
  );
}

/** Checks a consistency proof offline. */
export function verifyConsistencyProof(proof: ConsistencyProof): boolean {
  if (
    !isHash(proof.fromRoot) ||
    !isHash(proof.toRoot) ||
    !Array.isArray(proof.path) ||
    !proof.path.every(isHash)
  )
    return false;
  return verifyConsistency(
    proof.from,
    proof.to,
    fromHex(proof.fromRoot),
    fromHex(proof.toRoot),
    proof.path.map(fromHex),
  );
}
