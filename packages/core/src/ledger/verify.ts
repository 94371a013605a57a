import type {
  ChunkDigest,
  ConsistencyProof,
  EntryDigesterPort,
  InclusionProof,
  LedgerPort,
  RawBlock,
  RawEntry,
} from '../ports.js';
import { canonicalJsonData } from './canonical-json.js';
import { blockEntries, readTail } from './digest.js';
import { type SignedCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { GovgateError } from '../errors.js';
import { GENESIS_PREV, parseStoredEntry } from './entry.js';
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
  /**
   * Digests full runs of entries, e.g. on worker threads (`WorkerDigester` in
   * @govgate/adapter-fs-ledger); the report is the same as without. Not used with `deep`.
   */
  readonly digester?: EntryDigesterPort;
}

/** Full check of one entry for `deep` verification: it parses and its bytes are canonical. */
function isCanonicalEntry(bytes: string): boolean {
  const entry = parseStoredEntry(bytes);
  return entry !== undefined && canonicalJsonData(entry) === bytes;
}

/** A run of raw entries read together, with its digest when a digester has it. */
interface Run {
  readonly size: number;
  /** Every entry, for a run checked here; its first two, for a run sent to a digester. */
  readonly raws: readonly RawEntry[];
  /** Where entry `n` of the run is stored (for a run sent to a digester). */
  readonly location: (n: number) => string;
  readonly digest: Promise<ChunkDigest> | undefined;
}

/**
 * Reads raw entries in runs that end at multiples of `entries` (counted from the first
 * entry), or sooner where the next entry would take a run past `bytes` UTF-16 code
 * units (unless it would be alone): memory stays flat however large entries are, and
 * after a run cut short the next one ends on the next multiple, so runs stay aligned
 * with the Merkle tree's perfect subtrees.
 */
async function* runsOf(
  iterator: AsyncIterator<RawEntry>,
  entries: number,
  bytes: number,
): AsyncGenerator<RawEntry[], void, undefined> {
  let run: RawEntry[] = [];
  let size = 0;
  let position = 0;
  for (
    let current = await iterator.next();
    current.done !== true;
    current = await iterator.next()
  ) {
    if (run.length > 0 && size + current.value.bytes.length > bytes) {
      yield run;
      run = [];
      size = 0;
    }
    run.push(current.value);
    size += current.value.bytes.length;
    position += 1;
    if (position % entries === 0) {
      yield run;
      run = [];
      size = 0;
    }
  }
  if (run.length > 0) yield run;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * Verifies a tenant's chain by streaming it once with flat memory: every entry must
 * parse, be canonical, carry its own hash, link to the previous one and follow it in
 * seq; the chain must reach the head recorded apart from the entries (read first, so
 * entries appended meanwhile do not look like a truncation); `checkpoint` entries in
 * the chain must match the tree they name; and a trusted checkpoint, if given, must be
 * a prefix of the chain. Returns the first failure, never throws for bad data.
 *
 * With a `digester`, full runs of entries are digested by it (possibly on other
 * threads, several runs in flight) and only what links the runs is checked here; an
 * entry a digester did not pass is checked here one by one, so the report is the same
 * either way. With a digester, a ledger with `readRawBlocks` is read in blocks of
 * bytes that the digester takes whole: no entry is decoded on this thread unless it
 * fails.
 *
 * @example
 * const report = await verifyLedger(ledger, 'acme');
 * if (!report.ok) console.error(`seq ${report.failure.seq}: ${report.failure.kind}`);
 */
export async function verifyLedger(
  ledger: Pick<LedgerPort, 'readRaw' | 'head'> & Partial<Pick<LedgerPort, 'readRawBlocks'>>,
  tenant: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const frontier = new MerkleFrontier();
  let checked = 0;
  let prevHash = GENESIS_PREV;
  const every = options.progressEvery ?? 10_000;
  if (!Number.isSafeInteger(every) || every < 1)
    throw new GovgateError('REQUEST_INVALID', 'progressEvery must be a positive integer', {
      details: [{ pointer: '/progressEvery', message: 'must be a positive integer' }],
    });
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

  /** A `checkpoint` entry must name the tree of the entries before it, if that size. */
  const checkCheckpoint = (raw: RawEntry, seq: number): VerifyFailure | undefined => {
    const claimed = (parseStoredEntry(raw.bytes)?.data ?? {}) as { size?: unknown; root?: unknown };
    return claimed.size === frontier.size && claimed.root !== frontier.rootHex()
      ? {
          seq,
          kind: 'checkpoint_mismatch',
          message: `checkpoint entry ${seq} names another tree than the chain holds`,
          location: raw.location,
        }
      : undefined;
  };

  /** Adds a checked entry to the chain: its leaf, hash and seq. */
  const accept = (leaf: string, hash: string): VerifyFailure | undefined => {
    frontier.appendHex(leaf);
    prevHash = hash;
    checked += 1;
    if (checked === head.size) hashAtHead = hash;
    const mismatch = compareTrusted();
    if (mismatch !== undefined) return mismatch;
    if (options.onProgress !== undefined && checked % every === 0) options.onProgress(checked);
    return undefined;
  };

  /** Checks the next entry of the chain; `next` is the one stored after it, if any. */
  const step = (raw: RawEntry, next: RawEntry | undefined): VerifyFailure | undefined => {
    const expected = checked + 1;
    const at = { location: raw.location };
    const entry = readTail(raw.bytes);
    if (entry === undefined) {
      return parseStoredEntry(raw.bytes) === undefined
        ? {
            seq: expected,
            kind: 'unparseable',
            message: 'the stored entry is not a ledger entry in JSON',
            ...at,
          }
        : {
            seq: expected,
            kind: 'hash_mismatch',
            message: `entry ${expected} is not in the form it was sealed in`,
            ...at,
          };
    }
    if (entry.seq !== expected) {
      if (entry.seq === expected - 1)
        return {
          seq: entry.seq,
          kind: 'duplicate',
          message: `entry ${entry.seq} appears twice`,
          ...at,
        };
      if (entry.seq > expected) {
        const following =
          next === undefined ? undefined : (readTail(next.bytes) ?? parseStoredEntry(next.bytes));
        return following?.seq === expected
          ? {
              seq: expected,
              kind: 'reorder',
              message: `entry ${entry.seq} is stored before entry ${expected}`,
              ...at,
            }
          : {
              seq: expected,
              kind: 'gap',
              message: `entry ${expected} is missing (found ${entry.seq})`,
              ...at,
            };
      }
      return {
        seq: expected,
        kind: 'reorder',
        message: `entry ${entry.seq} is stored where entry ${expected} belongs`,
        ...at,
      };
    }
    if (entry.tenant !== tenant)
      return {
        seq: expected,
        kind: 'tenant_mismatch',
        message: `entry ${expected} belongs to tenant '${entry.tenant}'`,
        ...at,
      };
    if (entry.computed !== entry.hash || (deep && !isCanonicalEntry(raw.bytes)))
      return {
        seq: expected,
        kind: 'hash_mismatch',
        message: `entry ${expected} does not match its hash`,
        ...at,
      };
    if (entry.prev !== prevHash)
      return {
        seq: expected,
        kind: 'broken_link',
        message: `entry ${expected} does not link to entry ${expected - 1}`,
        ...at,
      };
    if (entry.type === 'checkpoint') {
      const mismatch = checkCheckpoint(raw, expected);
      if (mismatch !== undefined) return mismatch;
    }
    return accept(leafHashHex(raw.bytes), entry.hash);
  };

  /**
   * Takes the entries a digester passed at the start of a run when the run fits the
   * chain so far; returns how many were taken (0: check them one by one).
   */
  const take = (run: Run, digest: ChunkDigest): number | VerifyFailure => {
    const { good } = digest;
    if (good === 0 || digest.firstSeq !== checked + 1 || digest.firstPrev !== prevHash) return 0;
    const from = checked;
    const to = from + good;
    const trustedInside = trusted !== undefined && trusted.size > from && trusted.size <= to;
    if (
      digest.checkpoints.length === 0 &&
      !trustedInside &&
      isPowerOfTwo(good) &&
      from % good === 0
    ) {
      // The run is one of the perfect subtrees of the tree: its root is all it adds.
      frontier.appendTreeHex(digest.root, good);
      if (head.size > from && head.size <= to)
        hashAtHead = digest.hashes.slice((head.size - from - 1) * 64, (head.size - from) * 64);
      prevHash = digest.hashes.slice(-64);
      checked = to;
      if (options.onProgress !== undefined)
        for (let at = Math.ceil((from + 1) / every) * every; at <= to; at += every)
          options.onProgress(at);
      return good;
    }
    let checkpoint = 0;
    for (let n = 0; n < good; n++) {
      if (digest.checkpoints[checkpoint] === n) {
        checkpoint += 1;
        const raw = {
          bytes: digest.checkpointBytes[checkpoint - 1] as string,
          location: run.location(n),
        };
        const mismatch = checkCheckpoint(raw, checked + 1);
        if (mismatch !== undefined) return mismatch;
      }
      const failure = accept(
        digest.leaves.slice(n * 64, n * 64 + 64),
        digest.hashes.slice(n * 64, n * 64 + 64),
      );
      if (failure !== undefined) return failure;
    }
    return good;
  };

  const digester =
    deep || head.size < (options.digester?.minEntries ?? 0) ? undefined : options.digester;
  // With a digester, blocks of bytes when the backend has them: decoded only where
  // they are digested. Otherwise entries, in runs.
  const blocks =
    digester === undefined || ledger.readRawBlocks === undefined
      ? undefined
      : ledger.readRawBlocks(tenant, { entries: digester.chunkSize, bytes: 4 << 20 });
  const iterator = (blocks ?? ledger.readRaw(tenant))[Symbol.asyncIterator]();
  try {
    const runs: AsyncIterator<RawEntry[] | RawBlock> =
      blocks !== undefined
        ? (iterator as AsyncIterator<RawBlock>)
        : runsOf(
            iterator as AsyncIterator<RawEntry>,
            digester?.chunkSize ?? 64,
            digester === undefined ? 1 << 20 : 4 << 20,
          );
    const window: Run[] = [];
    let ended = false;
    /** A read that failed ahead of the entry being checked: thrown once all before it are. */
    let readFailure: { error: unknown } | undefined;
    /** A run sent to the digester: only what checking its joins and failures takes is kept. */
    const sent = (piece: RawEntry[] | RawBlock, using: EntryDigesterPort): Run => {
      if (Array.isArray(piece)) {
        const digest = using.digest(
          piece.map((raw) => raw.bytes),
          tenant,
        );
        const locations = piece.map((raw) => raw.location);
        return {
          size: piece.length,
          raws: piece.slice(0, 2),
          location: (n) => locations[n] as string,
          digest,
        };
      }
      // its first two entries are decoded before the digester may take the bytes
      const raws = blockEntries(piece.bytes, 2).map((bytes, n) => ({
        bytes,
        location: piece.location(n),
      }));
      const digest =
        using.digestBlock?.(piece.bytes, tenant) ?? using.digest(blockEntries(piece.bytes), tenant);
      return { size: piece.count, raws, location: (n) => piece.location(n), digest };
    };
    // Keeps the digester's runs in flight, and always the run after the one checked
    // (its first entry tells a reorder from a gap at the end of a run).
    const fill = async (): Promise<void> => {
      while (!ended && window.length < Math.max(2, (digester?.concurrency ?? 0) + 1)) {
        let next: IteratorResult<RawEntry[] | RawBlock>;
        try {
          next = await runs.next();
        } catch (error) {
          readFailure = { error };
          ended = true;
          break;
        }
        if (next.done === true) {
          ended = true;
          break;
        }
        const piece = next.value;
        if (digester === undefined) {
          const raws = piece as RawEntry[];
          window.push({ size: raws.length, raws, location: () => '', digest: undefined });
          continue;
        }
        const run = sent(piece, digester);
        run.digest?.catch(() => undefined); // awaited in order below; not unhandled if never reached
        window.push(run);
      }
    };
    for (;;) {
      await fill();
      const run = window.shift();
      if (run === undefined) {
        if (readFailure !== undefined) throw readFailure.error;
        break;
      }
      const after = window[0]?.raws[0];
      if (run.digest === undefined) {
        const { raws } = run;
        for (let n = 0; n < raws.length; n++) {
          const failure = step(raws[n] as RawEntry, raws[n + 1] ?? after);
          if (failure !== undefined) return report(failure);
        }
        continue;
      }
      const digest = await run.digest;
      const taken = take(run, digest);
      if (typeof taken !== 'number') return report(taken);
      if (taken === run.size) continue;
      // The entry at `taken` does not hold: the run's first (it does not join the chain,
      // or fails on its own) or the first the digester did not pass. Checked here.
      const [entry, next] =
        taken === 0 && digest.good > 0
          ? [run.raws[0], run.raws[1]]
          : [digest.unpassed[0], digest.unpassed[1]].map((bytes, n) =>
              bytes === undefined ? undefined : { bytes, location: run.location(taken + n) },
            );
      const seq = checked + 1;
      const failure = entry === undefined ? undefined : step(entry, next ?? after);
      if (failure === undefined)
        throw new GovgateError(
          'LEDGER_UNAVAILABLE',
          `the digester stopped at entry ${seq}, which holds: its answer is not digestEntries'`,
        );
      return report(failure);
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
