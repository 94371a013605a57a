import { open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GENESIS_PREV,
  GovgateError,
  verifyLedger,
  type EntryDigesterPort,
  type LedgerHead,
  type LedgerPort,
  type RawEntry,
  type StoredEntry,
  type VerifyReport,
} from '@govgate/core';
import { syncDirectory, type FileOps } from './file-ops.js';
import {
  HEAD_FILE,
  HEAD_RECORD_BYTES,
  encodeHead,
  parseHead,
  segmentFileName,
  segmentNumbers,
  withoutEmptyTail,
} from './layout.js';
import { readLines, type Line } from './lines.js';

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

const ZEROS = Buffer.alloc(1 << 20);

/** Whether bytes `from` to `to` of a file are all zero (read a MiB at a time). */
async function zerosOnly(path: string, from: number, to: number): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(ZEROS.length);
    for (let at = from; at < to;) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) return true;
      if (!buffer.subarray(0, bytesRead).equals(ZEROS.subarray(0, bytesRead))) return false;
      at += bytesRead;
    }
    return true;
  } finally {
    await file.close();
  }
}

async function* nothing(): AsyncGenerator<StoredEntry> {}

/** Just enough of a LedgerPort for core's verifyLedger, which reads `readRaw` and `head`. */
function verificationView(readRaw: () => AsyncIterable<RawEntry>, head: LedgerHead): LedgerPort {
  const unused = (): Promise<never> =>
    Promise.reject(new Error('not available while a ledger is recovered'));
  return {
    append: unused,
    read: nothing,
    readRaw,
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
 * LEDGER_CORRUPT naming the file and line, and nothing is changed.
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
  const tornNo = (await withoutEmptyTail(tenantDir, numbers)).at(-1);
  let torn: Segment | undefined;
  const state = newTenantState(tenant);
  let namedLine: string | undefined;
  async function* scan(): AsyncGenerator<RawEntry> {
    let seq = 0;
    const take = (segment: Segment, line: Line): RawEntry => {
      seq += 1;
      if ((seq - 1) % MARK_EVERY === 0)
        state.marks.push({
          seq,
          segment: state.segments.length - 1,
          offset: line.offset,
          line: line.number,
        });
      segment.count += 1;
      segment.size = line.offset + line.length;
      if (seq === recorded?.size) namedLine = line.text;
      return { bytes: line.text, location: `${segment.file}:${line.number}` };
    };
    for (const no of numbers) {
      const file = `${tenant}/${segmentFileName(no)}`;
      const segment: Segment = { no, file, firstSeq: seq + 1, count: 0, size: 0 };
      state.segments.push(segment);
      if (no !== tornNo) {
        for await (const lines of readLines(join(dir, file)))
          for (const line of lines) yield take(segment, line);
        continue;
      }
      // Where a crash may have torn a write: the entries end at the first zero byte or
      // the last '\n', and before a last line that is not JSON, so each line is handed
      // on only once the next one is known.
      torn = segment;
      let held: Line | undefined;
      for await (const lines of readLines(join(dir, file), {}, { endAtZero: true }))
        for (const line of lines) {
          if (!line.terminated) continue;
          if (held !== undefined) yield take(segment, held);
          held = line;
        }
      if (held !== undefined && isJson(held.text)) yield take(segment, held);
    }
  }

  let report: VerifyReport;
  try {
    report = await verifyLedger(
      verificationView(scan, recorded ?? { size: 0, hash: GENESIS_PREV }),
      tenant,
      digester === undefined ? {} : { digester },
    );
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

  const repairs: string[] = [];
  if (torn !== undefined) {
    const path = join(dir, torn.file);
    const { size } = await stat(path);
    if (size > torn.size) {
      // Only zeros: space the writer reserved past its entries (see FsLedger), or blocks
      // of a write that never reached the disk. Anything else is a write torn by a crash.
      const reserved = await zerosOnly(path, torn.size, size);
      const fd = await ops.open(path, 'r+');
      try {
        await ops.ftruncate(fd, torn.size);
        await ops.fsync(fd);
      } finally {
        await ops.close(fd);
      }
      repairs.push(
        reserved
          ? `released ${size - torn.size} bytes of space reserved for appends after the entries of ${torn.file}`
          : `cut ${size - torn.size} bytes of a write torn by a crash from ${torn.file}`,
      );
    }
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
