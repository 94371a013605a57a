import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GENESIS_PREV,
  GovgateError,
  blockEntries,
  digestBlock,
  digestEntries,
  verifyLedger,
  type EntryDigesterPort,
  type LedgerHead,
  type LedgerPort,
  type RawBlock,
  type RawBlockOptions,
  type RawEntry,
  type StoredEntry,
  type VerifyReport,
} from '@govgate/core';
import { syncDirectory, type FileOps } from './file-ops.js';
import { blockMemory as memory, rawBlocks, spanOf, type FileBlock } from './raw-blocks.js';
import {
  HEAD_FILE,
  HEAD_RECORD_BYTES,
  encodeHead,
  parseHead,
  segmentFileName,
  segmentNumbers,
  withoutEmptyTail,
  zerosOnly,
} from './layout.js';

/** A sparse index point is kept every this many entries, so a read seeks close to its seq. */
export const MARK_EVERY = 64;

/** Longer than any entry the ledger writes (256 KiB of data plus a few short fields). */
const MAX_LINE_BYTES = 1024 * 1024;

/** One segment file of a tenant, as the writer knows it. */
export interface Segment {
  readonly no: number;
  /** Path relative to the ledger directory: `acme/00000001.jsonl`. */
  readonly file: string;
  readonly firstSeq: number;
  count: number;
  /** Bytes of complete lines (the file's durable length). */
  size: number;
}

/** Entry `seq` starts at byte `offset`, line `line`, of `segments[segment]`. */
export interface Mark {
  readonly seq: number;
  readonly segment: number;
  readonly offset: number;
  readonly line: number;
}

/** What the writer holds in memory for one tenant. */
export interface TenantState {
  readonly tenant: string;
  /** The durable head: what head() answers and what the HEAD file records. */
  head: LedgerHead;
  hasHeadFile: boolean;
  readonly segments: Segment[];
  readonly marks: Mark[];
  /**
   * Descriptor of the last segment, opened for synchronous writes, once the tenant is
   * written to.
   */
  fd: number | undefined;
  /**
   * More descriptors of the last segment, opened with `fd`: one for each other slot of
   * the batches in flight (see `FsLedger.writeGroup`).
   */
  slotFds: number[];
  /** Descriptor of the HEAD file, rewritten in place after each batch. */
  headFd: number | undefined;
}

export function newTenantState(tenant: string): TenantState {
  return {
    tenant,
    head: { size: 0, hash: GENESIS_PREV },
    hasHeadFile: false,
    segments: [],
    marks: [],
    fd: undefined,
    slotFds: [],
    headFd: undefined,
  };
}

export function corrupt(location: string, message: string): GovgateError {
  return new GovgateError(
    'LEDGER_CORRUPT',
    `ledger is corrupt at ${location}: ${message}; nothing was changed (open the ledger with readOnly: true to inspect it)`,
  );
}

/** Writes a tenant's HEAD file whole: under another name, synced, then renamed over it. */
export async function writeHeadFile(
  ops: FileOps,
  tenantDir: string,
  head: LedgerHead,
): Promise<void> {
  const draft = join(tenantDir, `${HEAD_FILE}.tmp`);
  const fd = await ops.open(draft, 'w');
  try {
    await ops.write(fd, encodeHead(head), 0);
    await ops.fsync(fd);
  } finally {
    await ops.close(fd);
  }
  await rename(draft, join(tenantDir, HEAD_FILE));
  await syncDirectory(ops, tenantDir);
}

/** Whether a line is JSON (a line longer than any entry is not taken for one). */
function isJson(text: string): boolean {
  if (text.length > MAX_LINE_BYTES) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function readHeadFile(path: string): Promise<{ text: string; bytes: number } | undefined> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { text: buffer.toString('utf8'), bytes: buffer.length };
}

/**
 * Cuts a segment file back to its entries, durably; says what was cut, if anything.
 * Only zeros: space the writer reserved past its entries (see FsLedger), or blocks of
 * a write that never reached the disk. Anything else is a write torn by a crash.
 */
async function cutTail(path: string, segment: Segment, ops: FileOps): Promise<string | undefined> {
  const { size } = await stat(path);
  if (size <= segment.size) return undefined;
  const reserved = await zerosOnly(path, segment.size, size);
  const fd = await ops.open(path, 'r+');
  try {
    await ops.ftruncate(fd, segment.size);
    await ops.fsync(fd);
  } finally {
    await ops.close(fd);
  }
  const cut = size - segment.size;
  return reserved
    ? `released ${cut} bytes of space reserved for appends after the entries of ${segment.file}`
    : `cut ${cut} bytes of a write torn by a crash from ${segment.file}`;
}

async function* nothing(): AsyncGenerator<StoredEntry> {}

/** Where the last entry of a block's bytes starts. */
function lastEntryStart(bytes: Uint8Array): number {
  return bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
}

/** A block without its last entry. */
function withoutLast(block: FileBlock): FileBlock {
  const count = block.count - 1;
  return {
    bytes: block.bytes.subarray(0, lastEntryStart(block.bytes)),
    count,
    location: (n) => block.location(n),
    spans: block.spans.filter((span) => span.from < count),
    starts: block.starts.slice(0, count),
    ends: block.ends.slice(0, count),
  };
}

/**
 * Digests blocks on the opening thread, giving each block's memory back for the next
 * (what a WorkerDigester's workers do with theirs).
 */
const inThreadBlocks: EntryDigesterPort = {
  chunkSize: 256,
  concurrency: 1,
  minEntries: 0,
  digest: (bytes, tenant) => Promise.resolve(digestEntries(bytes, tenant)),
  digestBlock: (bytes, tenant) => {
    const digest = digestBlock(bytes, tenant);
    memory.release(bytes);
    return Promise.resolve(digest);
  },
};

/** Just enough of a LedgerPort for core's verifyLedger: raw entries, blocks and the head. */
function verificationView(
  readRaw: () => AsyncIterable<RawEntry>,
  readRawBlocks: (options: RawBlockOptions) => AsyncIterable<RawBlock>,
  head: LedgerHead,
): LedgerPort {
  const unused = (): Promise<never> =>
    Promise.reject(new Error('not available while a ledger is recovered'));
  return {
    append: unused,
    read: nothing,
    readRaw,
    readRawBlocks: (_tenant, options) => readRawBlocks(options),
    head: () => Promise.resolve(head),
    treeHead: unused,
    inclusionProof: unused,
    consistencyProof: unused,
    close: () => Promise.resolve(),
  };
}

/**
 * Opens one tenant's chain for writing: verifies its segments with core's
 * `verifyLedger` in one streaming pass (parse, canonical bytes, hashes, links, seqs,
 * checkpoints) up to where a write torn by a crash may begin, and checks the HEAD
 * record, which may lag the entries after a crash but never lead them. Only when all of
 * that holds is the torn write cut and a lagging HEAD rewritten; any other failure is
 * LEDGER_CORRUPT naming the file and line, and nothing is changed. The segments are
 * read in blocks of bytes (`rawBlocks`), digested by `digester` (worker threads) when
 * the chain is long enough for it and on this thread otherwise; the writer's index
 * (segment lengths, marks) is built from where the blocks' entries are in the files.
 *
 * A torn write: the writer writes the batches in flight side by side, each at its own
 * offset, so a crash can leave them written in part and in any order, with a hole
 * (zero bytes) where a batch, or blocks of one, did not reach the disk; a zero byte
 * never occurs in an entry. So the last segment's entries end before its first zero
 * byte; of what comes before it, bytes after the last '\n' are a line never finished,
 * and a last line that is not JSON lost blocks. An append is acknowledged only once it
 * and every batch before it are on disk, so a crash leaves nothing acknowledged to cut;
 * entries lost to a fault of the disk could be, but never below the HEAD record (written
 * only after acknowledging, synced at least once a second), which is checked against
 * what is kept.
 */
export async function recoverTenant(
  dir: string,
  tenant: string,
  ops: FileOps,
  digester?: EntryDigesterPort,
): Promise<{ state: TenantState; repairs: string[] }> {
  const tenantDir = join(dir, tenant);
  const numbers = segmentNumbers(await readdir(tenantDir));
  const headFile = await readHeadFile(join(tenantDir, HEAD_FILE));
  const recorded = headFile === undefined ? undefined : parseHead(headFile.text);
  if (headFile !== undefined && recorded === undefined)
    throw corrupt(`${tenant}/${HEAD_FILE}`, 'the head record is not valid');

  // A crash can have torn a write only in the last segment that holds anything: a
  // rotation that failed can leave an empty one after it (the writer reuses it).
  const files = numbers.map((no) => `${tenant}/${segmentFileName(no)}`);
  const tornNo = (await withoutEmptyTail(tenantDir, numbers)).at(-1);
  const torn = tornNo === undefined ? -1 : numbers.indexOf(tornNo);
  const counts = numbers.map(() => 0);
  const sizes = numbers.map(() => 0);
  const state = newTenantState(tenant);
  let seq = 0;
  let namedLine: string | undefined;

  /** Takes a verified-to-be block's entries into the index: counts, sizes, marks. */
  const index = (block: FileBlock): void => {
    for (let n = 0; n < block.count; n++) {
      const span = spanOf(block.spans, n);
      seq += 1;
      if ((seq - 1) % MARK_EVERY === 0)
        state.marks.push({
          seq,
          segment: span.file,
          offset: block.starts[n] as number,
          line: span.line + n - span.from,
        });
      counts[span.file] = (counts[span.file] as number) + 1;
      sizes[span.file] = block.ends[n] as number;
      if (seq === recorded?.size) namedLine = blockEntries(block.bytes, n + 1).at(-1);
    }
  };
  /**
   * The segments up to the torn one in blocks, indexed as they are handed on, one
   * behind: the entries of the torn segment end at its first zero byte (see rawBlocks)
   * and its last '\n', and before a last line that is not JSON.
   */
  const blocks = async function* (options: RawBlockOptions): AsyncGenerator<RawBlock> {
    let held: FileBlock | undefined;
    const readable = files.slice(0, torn + 1);
    for await (const block of rawBlocks(dir, () => Promise.resolve(readable), options, memory)) {
      if (held !== undefined) {
        index(held);
        yield held;
      }
      held = block;
    }
    if (held === undefined) return;
    const last = held.count - 1;
    if (spanOf(held.spans, last).file === torn) {
      const bytes = Buffer.from(held.bytes.buffer, held.bytes.byteOffset, held.bytes.length);
      if (!isJson(bytes.toString('utf8', lastEntryStart(bytes), bytes.length - 1)))
        held = withoutLast(held);
    }
    if (held.count === 0) return;
    index(held);
    yield held;
  };
  /** The same entries one by one (what verifyLedger reads for `deep`; recovery is not). */
  const entries = async function* (): AsyncGenerator<RawEntry> {
    for await (const block of blocks({ entries: 256, bytes: 1 << 20 }))
      for (const [n, bytes] of blockEntries(block.bytes).entries())
        yield { bytes, location: block.location(n) };
  };

  // Blocks are digested on the worker threads when the chain is long enough for them,
  // else here, their memory reused either way.
  const recordedHead = recorded ?? { size: 0, hash: GENESIS_PREV };
  const using =
    digester !== undefined && recordedHead.size >= digester.minEntries ? digester : inThreadBlocks;
  let report: VerifyReport;
  try {
    report = await verifyLedger(verificationView(entries, blocks, recordedHead), tenant, {
      digester: using,
    });
  } catch (error) {
    // A digest worker that died takes its runs with it: the tenant is read again and
    // verified on this thread. Anything else (the files cannot be read) stands.
    if (digester === undefined || !GovgateError.is(error, 'LEDGER_UNAVAILABLE')) throw error;
    return recoverTenant(dir, tenant, ops);
  }
  if (!report.ok) {
    const failure = report.failure;
    throw corrupt(
      failure?.location ?? `${tenant}/${HEAD_FILE}`,
      `entry ${failure?.seq ?? '?'}: ${failure?.kind ?? 'invalid'} (${failure?.message ?? ''})`,
    );
  }
  if (recorded === undefined && report.checked > 0)
    throw corrupt(
      `${tenant}/${HEAD_FILE}`,
      `the head record is missing while the chain holds ${report.checked} entries`,
    );
  if (recorded !== undefined && recorded.size < report.checked) {
    const named =
      recorded.size === 0
        ? GENESIS_PREV
        : (JSON.parse(namedLine ?? '{}') as { hash?: unknown }).hash;
    if (named !== recorded.hash)
      throw corrupt(
        `${tenant}/${HEAD_FILE}`,
        `the head record names entry ${recorded.size} with hash ${recorded.hash}, which is not that entry's hash`,
      );
  }

  let firstSeq = 1;
  numbers.forEach((no, n) => {
    const count = counts[n] as number;
    state.segments.push({
      no,
      file: files[n] as string,
      firstSeq,
      count,
      size: sizes[n] as number,
    });
    firstSeq += count;
  });
  // A segment before the torn one ends with its last entry's '\n' (a line without one
  // verified as an entry, but no reader takes it): checked before anything is changed.
  for (const segment of state.segments.slice(0, Math.max(0, torn))) {
    const { size } = await stat(join(dir, segment.file));
    if (size !== segment.size)
      throw corrupt(
        `${segment.file}:${segment.count}`,
        `the segment is ${size} bytes, its entries end at ${segment.size}: its last line has no newline`,
      );
  }
  // The torn segment is cut to its entries; any after it holds nothing but zeros (its
  // length reserved by a rotation that failed) and is cut to nothing.
  const repairs: string[] = [];
  for (const segment of state.segments.slice(Math.max(0, torn))) {
    const repair = await cutTail(join(dir, segment.file), segment, ops);
    if (repair !== undefined) repairs.push(repair);
  }
  const head: LedgerHead = { size: report.checked, hash: report.headHash };
  if (
    recorded !== undefined &&
    (recorded.size !== head.size || headFile?.bytes !== HEAD_RECORD_BYTES)
  ) {
    await writeHeadFile(ops, tenantDir, head);
    repairs.push(
      `rewrote ${tenant}/${HEAD_FILE}: it named entry ${recorded.size}, the chain holds ${head.size}`,
    );
  }
  state.head = head;
  state.hasHeadFile = recorded !== undefined;
  return { state, repairs };
}
