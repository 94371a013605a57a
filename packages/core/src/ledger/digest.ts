import type { ChunkDigest, EntryDigesterPort } from '../ports.js';
import { sha256Hex } from './canonical-json.js';
import type { LedgerEntry } from './entry.js';
import { MerkleFrontier, groupRoots, leafHashHex, type LeafPiece } from './merkle.js';

export type { LeafPiece } from './merkle.js';

/** The fields verification needs, read from the end of an entry's canonical bytes. */
export interface EntryTail {
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
export function readTail(bytes: string): EntryTail | undefined {
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

const EMPTY_DIGEST: ChunkDigest = {
  good: 0,
  firstSeq: 0,
  firstPrev: '',
  hashes: '',
  leaves: '',
  root: new MerkleFrontier().rootHex(),
  checkpoints: [],
  checkpointBytes: [],
  unpassed: [],
};

/**
 * Checks a run of consecutive stored entries on their own, the part of verification
 * that needs no other entry: each has the sealed form and its own hash and belongs to
 * `tenant`, and each after the first has the next seq and links to the one before.
 * Stops at the first entry that fails (`good` counts those before it: verifyLedger
 * then checks that entry itself, to say exactly what is wrong) and returns the good
 * entries' hashes, their Merkle leaf hashes and the root over those leaves. Pure and
 * self-contained, so a worker thread can run it on its share of a ledger.
 *
 * @example
 * const digest = digestEntries(lines, 'acme');
 * if (digest.good === lines.length) console.log(`all ${digest.good} entries hold`);
 */
export function digestEntries(bytes: readonly string[], tenant: string): ChunkDigest {
  const frontier = new MerkleFrontier();
  const checkpoints: number[] = [];
  const checkpointBytes: string[] = [];
  let hashes = '';
  let leaves = '';
  let first: EntryTail | undefined;
  let previous: EntryTail | undefined;
  let good = 0;
  for (const line of bytes) {
    const entry = readTail(line);
    if (
      entry === undefined ||
      entry.computed !== entry.hash ||
      entry.tenant !== tenant ||
      (previous !== undefined && (entry.seq !== previous.seq + 1 || entry.prev !== previous.hash))
    )
      break;
    const leaf = leafHashHex(line);
    frontier.appendHex(leaf);
    hashes += entry.hash;
    leaves += leaf;
    if (entry.type === 'checkpoint') {
      checkpoints.push(good);
      checkpointBytes.push(line);
    }
    first ??= entry;
    previous = entry;
    good += 1;
  }
  const unpassed = bytes.slice(good, good + 2);
  if (first === undefined) return { ...EMPTY_DIGEST, unpassed };
  return {
    good,
    firstSeq: first.seq,
    firstPrev: first.prev,
    hashes,
    leaves,
    root: frontier.rootHex(),
    checkpoints,
    checkpointBytes,
    unpassed,
  };
}

const NEWLINE = 0x0a;

/**
 * The entries of a block (`RawBlock.bytes`: each entry's UTF-8 bytes followed by
 * '\n'), decoded, or only its first `limit`. Bytes after the last '\n' are no entry.
 */
export function blockEntries(bytes: Uint8Array, limit = Number.POSITIVE_INFINITY): string[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: string[] = [];
  let from = 0;
  while (entries.length < limit) {
    const end = view.indexOf(NEWLINE, from);
    if (end === -1) break;
    entries.push(view.toString('utf8', from, end));
    from = end + 1;
  }
  return entries;
}

/**
 * The RFC 9162 leaf hashes of a block's entries (see `blockEntries`), 32 bytes each,
 * in order, in memory of their own: what loading a Merkle tree takes from each entry.
 */
export function blockLeaves(bytes: Uint8Array): Buffer {
  const entries = blockEntries(bytes);
  const leaves = Buffer.allocUnsafeSlow(entries.length * 32);
  entries.forEach((entry, n) => leaves.write(leafHashHex(entry), n * 32, 'hex'));
  return leaves;
}

/** A block's leaf hashes (`blockLeaves`) and their group roots (`groupRoots`). */
export function blockLeafPiece(bytes: Uint8Array): LeafPiece {
  const leaves = blockLeaves(bytes);
  return { leaves, groupRoots: groupRoots(leaves) };
}

/** `digestEntries` over the entries of a block (see `blockEntries`). */
export function digestBlock(bytes: Uint8Array, tenant: string): ChunkDigest {
  return digestEntries(blockEntries(bytes), tenant);
}

/**
 * An EntryDigesterPort that digests on the calling thread: what `verifyLedger` does
 * without a digester, in runs (for tests of the run-wise path, and a baseline).
 */
export function inThreadDigester(chunkSize = 4096, concurrency = 2): EntryDigesterPort {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0)
    throw new RangeError('chunkSize must be a power of two');
  return {
    chunkSize,
    concurrency,
    minEntries: 0,
    digest: (bytes, tenant) => Promise.resolve(digestEntries(bytes, tenant)),
    digestBlock: (bytes, tenant) => Promise.resolve(digestBlock(bytes, tenant)),
  };
}
