import {
  access,
  constants,
  mkdir,
  open,
  readdir,
  readFile,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  GENESIS_PREV,
  GovgateError,
  LedgerTrees,
  checkAppend,
  isTenantId,
  parseStoredEntry,
  sealEntry,
  type AppendRequest,
  type ClockPort,
  type ConsistencyProof,
  type InclusionProof,
  type LeafPiece,
  type LedgerEntry,
  type LedgerHead,
  type LedgerPort,
  type LedgerReadOptions,
  type RawBlock,
  type RawBlockOptions,
  type RawEntry,
  type StoredEntry,
  type TreeHead,
} from '@govgate/core';
import { nodeFileOps, syncDirectory, type FileOps } from './file-ops.js';
import {
  HEAD_FILE,
  encodeHead,
  parseHead,
  segmentFileName,
  segmentNumbers,
  withoutEmptyTail,
  zerosOnly,
} from './layout.js';
import { readLineWindow, readLines } from './lines.js';
import { NOT_WRITABLE, acquireLock, notWritable, type DirLock } from './lock.js';
import { blockMemory, leavesHere, rawBlocks } from './raw-blocks.js';
import { RawEntries } from './raw-entries.js';
import {
  MARK_EVERY,
  corrupt,
  newTenantState,
  recoverTenant,
  writeHeadFile,
  type Segment,
  type TenantState,
} from './recovery.js';
import { WorkerDigester } from './worker-digester.js';

/** How `FsLedger.open` opens a ledger directory. */
export interface FsLedgerOptions {
  /** The ledger directory; created when missing (unless `readOnly`). */
  readonly dir: string;
  /** Most entries written and synced together in one batch (default 1024). */
  readonly maxBatchEntries?: number;
  /**
   * Longest an append waits for others to join its batch (default 0: the batch is
   * written on the next turn of the event loop; batches still form on their own from
   * the appends that arrive while writes are in flight).
   */
  readonly maxWaitMs?: number;
  /**
   * Most batches in flight, being written and not yet durable (default 2). Segments are
   * opened for synchronous writes, so a batch is durable once its write returns; while
   * one is being written the next is sealed and written beside it, at its own offset.
   * Batches are still acknowledged in order, each only once it and every batch before
   * it are durable. With nothing in flight, what is queued is shared out among the free
   * places. 1 writes one batch at a time.
   */
  readonly maxBatchesInFlight?: number;
  /** A segment file is closed and the next one started past this size (default 64 MiB). */
  readonly segmentMaxBytes?: number;
  /**
   * How a write is made durable (default 'fdatasync': segments are opened with O_DSYNC,
   * so a write returns once its data and the metadata needed to read it are on disk,
   * as with fdatasync; 'fsync': O_SYNC, all metadata too, as with fsync). On macOS and
   * Windows each write is followed by an fsync instead (see `durabilityOf`).
   */
  readonly sync?: 'fsync' | 'fdatasync';
  /**
   * Opens for inspection only: no lock, no recovery, no repair, no writes; appends
   * fail with LEDGER_UNAVAILABLE. Opens a ledger that a normal open refuses as corrupt,
   * so that `verifyLedger` and reads can show what is wrong.
   */
  readonly readOnly?: boolean;
  /** Source of entry timestamps (default: the system clock). */
  readonly clock?: ClockPort;
  /** Told after each commit with how many entries it made durable together (metrics). */
  readonly onCommit?: (entries: number) => void;
  /**
   * Worker threads that verify long chains when the ledger is opened, and hash the
   * leaves of a large Merkle tree when it is first loaded (default: the machine's
   * available parallelism, at most 4; 0 does both on the calling thread). Chains under
   * 4,096 entries are always verified on the calling thread.
   */
  readonly verifyThreads?: number;
}

/** Ranges shorter than this are read with a window past their mark (`readLineWindow`). */
const POINT_READ_MAX = 64;
/** Segment files kept open for point reads. */
const MAX_READ_HANDLES = 32;

/** The options with their defaults filled in. */
export interface Config {
  readonly dir: string;
  readonly maxBatchEntries: number;
  readonly maxWaitMs: number;
  readonly maxBatchesInFlight: number;
  readonly segmentMaxBytes: number;
  readonly sync: 'fsync' | 'fdatasync';
  readonly readOnly: boolean;
  readonly clock: ClockPort;
  readonly onCommit: ((entries: number) => void) | undefined;
  readonly verifyThreads: number | undefined;
  readonly durability: Durability;
}

/** What opening a ledger directory found and repaired, for the operator's log. */
export interface FsLedgerOpenReport {
  /** Tenants whose chains were verified. */
  readonly tenants: number;
  /** Entries verified, all tenants together. */
  readonly entries: number;
  /** Each repair made: a torn last line cut, a lagging HEAD record rewritten. */
  readonly repairs: readonly string[];
}

/** One append call waiting for its batch. */
interface Pending {
  readonly tenant: string;
  readonly requests: readonly AppendRequest[];
  readonly dataJson: readonly string[];
  readonly resolve: (entries: readonly LedgerEntry[]) => void;
  readonly reject: (error: Error) => void;
}

/** One tenant's part of a batch. */
interface Group {
  readonly state: TenantState;
  readonly calls: Pending[];
  results: LedgerEntry[][];
  buffer: Buffer;
  /** Byte offset in `buffer` of each entry whose seq gets an index mark. */
  marks: { seq: number; at: number; index: number }[];
  /** The tenant's head once this group is written: what the next group is sealed from. */
  head: LedgerHead;
  /** Where this group starts in the active segment (`endOf` is where it ends). */
  start: number;
  /** Set once its write is issued: the segment length to cut back to if it fails. */
  rollbackTo: number | undefined;
}

/** The end of a group in its segment: where the tenant's next group starts. */
const endOf = (group: Group): number => group.start + group.buffer.length;

/** A batch whose writes were issued and which is not yet settled. */
interface Flight {
  readonly calls: readonly Pending[];
  readonly groups: readonly Group[];
  /**
   * Resolves once the batch's segments are ready to take its writes (rotated where it
   * starts a new one), behind the batches before it: the error if that failed.
   */
  readonly ready: Promise<Error | undefined>;
  /**
   * Resolves once every (synchronous) write of the batch is done, so the batch is
   * durable, or with the error that stopped it.
   */
  readonly settled: Promise<Error | undefined>;
  /** Whether `settled` has resolved. */
  done: boolean;
}

const DEFAULTS = {
  maxBatchEntries: 1024,
  maxWaitMs: 0,
  maxBatchesInFlight: 2,
  segmentMaxBytes: 64 * 1024 * 1024,
  sync: 'fdatasync',
} as const;

/**
 * Least time between two rounds of HEAD record writes while appends go on: a HEAD
 * record is a check against entries cut off the end, allowed to lag, so it is not
 * rewritten for every batch.
 */
const HEAD_WRITE_EVERY_MS = 5;

/** Longest a HEAD record written while the ledger is open stays unsynced. */
const HEAD_SYNC_EVERY_MS = 1000;

const GENESIS: LedgerHead = { size: 0, hash: GENESIS_PREV };

const errnoOf = (error: unknown): string | undefined =>
  (error as NodeJS.ErrnoException | null)?.code;

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/** The reason of the first rejected result, if any. */
function firstError(results: readonly PromiseSettledResult<unknown>[]): Error | undefined {
  const failed = results.find((r) => r.status === 'rejected');
  return failed === undefined ? undefined : asError(failed.reason);
}

function configOf(options: FsLedgerOptions, platform: NodeJS.Platform): Config {
  const problems: string[] = [];
  const positiveInteger = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min))
      problems.push(`${name} must be an integer ≥ ${min}`);
  };
  if (typeof options.dir !== 'string' || options.dir.length === 0)
    problems.push('dir must be a directory path');
  positiveInteger('maxBatchEntries', options.maxBatchEntries, 1);
  positiveInteger('maxWaitMs', options.maxWaitMs, 0);
  positiveInteger('maxBatchesInFlight', options.maxBatchesInFlight, 1);
  positiveInteger('segmentMaxBytes', options.segmentMaxBytes, 1);
  positiveInteger('verifyThreads', options.verifyThreads, 0);
  if (options.sync !== undefined && options.sync !== 'fsync' && options.sync !== 'fdatasync')
    problems.push("sync must be 'fsync' or 'fdatasync'");
  if (problems.length > 0)
    throw new GovgateError(
      'LEDGER_UNAVAILABLE',
      `invalid FsLedger options: ${problems.join('; ')}`,
    );
  return {
    dir: resolve(options.dir),
    maxBatchEntries: options.maxBatchEntries ?? DEFAULTS.maxBatchEntries,
    maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
    maxBatchesInFlight: options.maxBatchesInFlight ?? DEFAULTS.maxBatchesInFlight,
    segmentMaxBytes: options.segmentMaxBytes ?? DEFAULTS.segmentMaxBytes,
    sync: options.sync ?? DEFAULTS.sync,
    readOnly: options.readOnly === true,
    clock: options.clock ?? { now: () => Date.now() },
    onCommit: options.onCommit,
    verifyThreads: options.verifyThreads,
    // A read-only ledger writes nothing: any platform can open one.
    durability:
      options.readOnly === true
        ? { flags: 0, syncEach: false }
        : durabilityOf(options.sync ?? DEFAULTS.sync, platform),
  };
}

/** How segment files are opened, and whether each write needs a sync of its own. */
export interface Durability {
  readonly flags: number;
  /** Each data write is followed by `fsync` (no flag that makes the write itself durable). */
  readonly syncEach: boolean;
}

/**
 * How segment writes are made durable on a platform: read-write at offsets, opened with
 * O_DSYNC (O_SYNC for `sync: 'fsync'`) so that each write is durable when it returns.
 * On macOS O_DSYNC does not flush the drive's cache and libuv's fsync does
 * (F_FULLFSYNC): there each write is followed by an fsync. A platform with neither
 * (Windows, which cannot sync a directory either) is refused: LEDGER_UNAVAILABLE.
 */
export function durabilityOf(
  sync: 'fsync' | 'fdatasync',
  platform: NodeJS.Platform = process.platform,
): Durability {
  const { O_RDWR, O_CREAT, O_DSYNC, O_SYNC } = fsConstants;
  const flag = sync === 'fsync' ? O_SYNC : O_DSYNC;
  if (platform === 'darwin') return { flags: O_RDWR | O_CREAT, syncEach: true };
  if (platform === 'win32' || typeof flag !== 'number' || flag === 0)
    throw new GovgateError(
      'LEDGER_UNAVAILABLE',
      `the file ledger needs O_DSYNC / O_SYNC, which this platform (${platform}) lacks: it could not make a write durable before acknowledging it`,
    );
  return { flags: O_RDWR | O_CREAT | flag, syncEach: false };
}

/** Where `read` starts: a file and the byte offset, line and seq of its first line read. */
interface ReadStart {
  readonly files: readonly string[];
  readonly offset: number;
  readonly line: number;
  readonly seq: number;
}

/** Everything `FsLedger`'s constructor takes; use `FsLedger.open`. */
export interface FsLedgerInit {
  readonly config: Config;
  readonly ops: FileOps;
  readonly lock: DirLock | undefined;
  readonly tenants: Map<string, TenantState>;
  readonly report: FsLedgerOpenReport;
}

/**
 * The file-system ledger: one directory per tenant holding its chain in append-only
 * segment files (`<dir>/<tenant>/00000001.jsonl`, one canonical entry per line) and a
 * head record (`HEAD`). One process writes a directory at a time (`<dir>/LOCK`).
 * Appends are group-committed: queued appends are written as a batch with one
 * synchronous write per file (segments are opened with O_DSYNC), and while one batch is
 * being written the next is written beside it, at its own offset
 * (`maxBatchesInFlight`); an append resolves only after its entries, and every entry
 * before them, are on disk. Opening verifies every chain, cuts a write torn by a crash,
 * and refuses anything else that does not verify with LEDGER_CORRUPT.
 *
 * @example
 * const ledger = await FsLedger.open({ dir: '/var/lib/govgate/ledger' });
 * const [entry] = await ledger.append('acme', [
 *   { type: 'decision', actor: 'key_1', data: { allowed: true, riskScore: 12 } },
 * ]);
 * await ledger.close();
 */
export class FsLedger implements LedgerPort {
  private readonly config: Config;
  private readonly ops: FileOps;
  private readonly lock: DirLock | undefined;
  private readonly tenants: Map<string, TenantState>;
  private readonly trees = new LedgerTrees(
    (tenant, fromSeq, limit) => this.scan(tenant, { fromSeq, limit }, false),
    { loadLeaves: (tenant) => this.treeLeaves(tenant) },
  );
  /** Worker threads hashing the leaves of trees being loaded, shared while any load runs. */
  private treeWorkers: WorkerDigester | undefined;
  /** Tree loads running, each settled when its reading has ended. */
  private readonly treeLoads = new Set<Promise<void>>();
  private queue: Pending[] = [];
  private queuedEntries = 0;
  /** Entries at the head of the queue already shared out among batches (see takeBatch). */
  private planned = 0;
  /** The batch size of that plan. */
  private share = 0;
  /** Batches written or being written and not yet settled, in seq order. */
  private flights: Flight[] = [];
  /** Batches started so far: numbers the slots of the batches in flight. */
  private started = 0;
  /** Per tenant, the last group in flight: where the next batch is sealed and written from. */
  private readonly tips = new Map<TenantState, Group>();
  /** The running flush loop, while there is one. */
  private flusher: Promise<void> | undefined;
  /** Ends the current `maxWaitMs` wait early (the queue reached a full batch). */
  private wake: (() => void) | undefined;
  /** Wakes a flush loop that waits on a batch in flight with room for another. */
  private arrival: (() => void) | undefined;
  /** Tenants acknowledged since their HEAD record was last written. */
  private readonly staleHeads = new Set<TenantState>();
  /** The round of HEAD record writes under way (waiting for its time or writing). */
  private headsWriting: Promise<void> | undefined;
  /** Wakes a round of HEAD record writes that waits, to look at what is due again. */
  private headsDue: (() => void) | undefined;
  private lastHeadsWrite = -Infinity;
  /** Tenants whose HEAD record was written since it was last synced. */
  private readonly unsyncedHeads = new Set<TenantState>();
  private lastHeadsSync = performance.now();
  /** Set while closing: HEAD records are written and synced without waiting. */
  private headsHurry = false;
  /** Whether the round under way waits only to sync (no HEAD record is due to be written). */
  private headsSyncWait = false;
  /** Set when a failed write could not be undone: every later append is refused. */
  private failure: GovgateError | undefined;
  private closing: Promise<void> | undefined;
  private readonly readHandles = new Map<string, Promise<FileHandle>>();

  /** What opening the directory verified and repaired. */
  readonly openReport: FsLedgerOpenReport;

  /**
   * Why the ledger takes no more appends, once a failure it could not undo (or a head
   * record it could not write) has stopped it; undefined while it is writable. Only
   * reopening clears it: readiness checks report it.
   */
  get failureReason(): string | undefined {
    return this.failure?.message;
  }

  /** Use `FsLedger.open`. */
  constructor(init: FsLedgerInit) {
    this.config = init.config;
    this.ops = init.ops;
    this.lock = init.lock;
    this.tenants = init.tenants;
    this.openReport = init.report;
  }

  /**
   * Opens (creating if needed) a ledger directory: checks that it is writable, takes
   * its lock (LEDGER_LOCKED naming the holder's pid when another live process has it;
   * a lock left by a dead process of this host is taken over), and recovers and
   * verifies every tenant's chain (LEDGER_CORRUPT naming file and line).
   *
   * @example
   * const ledger = await FsLedger.open({ dir: './data/ledger', maxWaitMs: 2 });
   * const inspect = await FsLedger.open({ dir: './data/ledger', readOnly: true });
   */
  static open(options: FsLedgerOptions): Promise<FsLedger> {
    return openFsLedger(options, nodeFileOps);
  }

  /** The ledger directory (absolute). */
  get dir(): string {
    return this.config.dir;
  }

  // ------------------------------------------------------------------ append

  /**
   * Appends entries to a tenant's chain under consecutive seqs, all in one batch.
   * Resolves once they are synced to disk. Bad input is LEDGER_ENTRY_INVALID before
   * anything is queued; a failed write rejects the whole batch, and every batch
   * in flight behind it, with LEDGER_UNAVAILABLE and leaves nothing of them in the files.
   */
  append(tenant: string, requests: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    let dataJson: string[];
    let copies: AppendRequest[];
    try {
      dataJson = requests.map((request) => checkAppend(tenant, request));
      this.assertWritable();
      // Frozen copies: a caller changing its request objects after this call cannot
      // change what is sealed.
      copies = requests.map((r) => ({
        type: r.type,
        actor: r.actor,
        ...(r.subject === undefined ? {} : { subject: r.subject }),
        data: r.data,
      }));
    } catch (error) {
      return Promise.reject(asError(error));
    }
    if (copies.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ tenant, requests: copies, dataJson, resolve, reject });
      this.queuedEntries += copies.length;
      this.schedule();
    });
  }

  private assertWritable(): void {
    if (this.config.readOnly)
      throw new GovgateError('LEDGER_UNAVAILABLE', 'the ledger was opened read-only');
    if (this.closing !== undefined) throw this.closed();
    if (this.failure !== undefined) throw this.failure;
  }

  private schedule(): void {
    if (this.flusher !== undefined) {
      if (this.queuedEntries >= this.config.maxBatchEntries) this.wake?.();
      this.arrival?.();
      return;
    }
    this.flusher = this.flush();
  }

  private waitForBatch(): Promise<void> {
    const wait = this.config.maxWaitMs;
    if (wait === 0 || this.queuedEntries >= this.config.maxBatchEntries)
      return new Promise<void>((resolve) => setImmediate(resolve));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  /**
   * Starts batches while there is room in flight, and settles them in order, until
   * the queue is empty and nothing is in flight; only one runs at a time. Never rejects.
   */
  private async flush(): Promise<void> {
    try {
      await this.waitForBatch();
      for (;;) {
        if (this.flights[0]?.done === true) {
          while (this.flights[0]?.done === true) await this.settleOldest();
          // Let the callers just resolved queue their next appends, so they join one batch.
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        const room = this.flights.length < this.config.maxBatchesInFlight;
        if (room && this.queue.length > 0) {
          await this.start(this.takeBatch());
          continue;
        }
        const oldest = this.flights[0];
        // Leaves in the same turn as the last look at the queue: an append made after
        // it starts a new flusher instead of waiting on this finished one.
        if (oldest === undefined) return;
        const arrived = await new Promise<boolean>((resolve) => {
          void oldest.settled.then(() => resolve(false));
          if (room) this.arrival = () => resolve(true);
        });
        this.arrival = undefined;
        if (arrived) await this.waitForBatch();
      }
    } finally {
      this.flusher = undefined;
    }
  }

  /**
   * Whole calls, oldest first, up to a share of maxBatchEntries entries or less (always
   * at least one call). The share is planned once for what is queued when the last
   * plan is used up: what is queued, spread evenly over as many batches as it needs, or
   * over the free places in flight if more. Appenders that all resumed when one batch
   * was acknowledged then form two batches, the second written while the first is,
   * instead of all waiting for one write after another.
   */
  private takeBatch(): Pending[] {
    if (this.planned <= 0) {
      const free = this.config.maxBatchesInFlight - this.flights.length;
      const batches = Math.max(free, Math.ceil(this.queuedEntries / this.config.maxBatchEntries));
      this.share = Math.ceil(this.queuedEntries / batches);
      this.planned = this.queuedEntries;
    }
    const limit = Math.min(this.config.maxBatchEntries, this.share);
    let taken = 0;
    let count = 0;
    for (const call of this.queue) {
      if (count > 0 && taken + call.requests.length > limit) break;
      taken += call.requests.length;
      count += 1;
    }
    const batch = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    this.queuedEntries -= taken;
    this.planned -= taken;
    return batch;
  }

  /**
   * Seals a batch from the tenants' tips (the last batch in flight, or the durable head)
   * and issues its writes, each at the offset where the tip ends, once the batches
   * before it have started the segments they write to. Settled later, in order, by
   * `settleOldest`.
   */
  private async start(batch: readonly Pending[]): Promise<void> {
    const rejectAll = (error: Error): void => {
      for (const call of batch) call.reject(error);
    };
    if (this.failure !== undefined) return rejectAll(this.failure);

    const groups: Group[] = [];
    let rotations: Group[];
    try {
      const byTenant = new Map<string, Group>();
      for (const call of batch) {
        let group = byTenant.get(call.tenant);
        if (group === undefined) {
          const state = await this.writableTenant(call.tenant);
          group = {
            state,
            calls: [],
            results: [],
            buffer: Buffer.alloc(0),
            marks: [],
            head: state.head,
            start: 0,
            rollbackTo: undefined,
          };
          byTenant.set(call.tenant, group);
          groups.push(group);
        }
        group.calls.push(call);
      }
      this.sealAll(groups);
      rotations = groups.filter((g) => this.needsRotation(g));
      if (rotations.length > 0 && this.flights.length > 0) {
        // A segment is closed only once everything written to it is settled; that may
        // roll back batches this one was sealed behind, so it is sealed again.
        while (this.flights.length > 0) await this.settleOldest();
        if (this.failure !== undefined) return rejectAll(this.failure);
        this.sealAll(groups);
        rotations = groups.filter((g) => this.needsRotation(g));
      }
    } catch (cause) {
      return rejectAll(this.unavailable('could not prepare the batch', cause));
    }
    if (this.failure !== undefined) return rejectAll(this.failure);
    // Set now, not once rotated: the next batch may be sealed behind this one before then.
    for (const group of rotations) group.start = 0;

    const previous = this.flights.at(-1)?.ready ?? Promise.resolve(undefined);
    const ready = previous.then(async (earlier) => {
      // Nothing is written behind a batch whose segment could not be started.
      if (earlier !== undefined) return earlier;
      return firstError(await Promise.allSettled(rotations.map((g) => this.rotate(g.state))));
    });
    // Batches in flight together never share a slot: batch i + maxBatchesInFlight starts
    // only once batch i is settled.
    const slot = this.started++ % this.config.maxBatchesInFlight;
    const flight: Flight = {
      calls: batch,
      groups,
      ready,
      settled: ready.then(async (error) =>
        error !== undefined
          ? error
          : firstError(
              await Promise.allSettled(groups.map((group) => this.writeGroup(group, slot))),
            ),
      ),
      done: false,
    };
    void flight.settled.then(() => (flight.done = true));
    this.flights.push(flight);
    for (const group of groups) this.tips.set(group.state, group);
  }

  /**
   * Writes a group's lines at its offset: durable once it resolves. Batches in flight
   * are written side by side, each through the descriptor of its slot: the kernel
   * reports a failure to write back a file's data once per open file, so batches that
   * shared one could see each other's failure, and one of them succeed with its data
   * lost. A failed batch is cut back by `settleOldest` once all of them are done.
   */
  private async writeGroup(group: Group, slot: number): Promise<void> {
    const { state } = group;
    const fd = slot === 0 ? (state.fd as number) : (state.slotFds[slot - 1] as number);
    group.rollbackTo = group.start;
    await this.ops.writeData(fd, group.buffer, group.start);
    if (this.config.durability.syncEach) await this.ops.fsync(fd);
  }

  /**
   * Opens the descriptors of the other slots on a segment (`fd` is slot 0's). Closes
   * what it opened if one fails.
   */
  private async openSlotFds(path: string): Promise<number[]> {
    const opened = await Promise.allSettled(
      Array.from({ length: this.config.maxBatchesInFlight - 1 }, () =>
        this.ops.open(path, this.segmentFlags()),
      ),
    );
    const fds = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = firstError(opened);
    if (failed !== undefined) {
      await Promise.allSettled(fds.map((fd) => this.ops.close(fd)));
      throw failed;
    }
    return fds;
  }

  /** Closes the tenant's slot descriptors (its segment ends, or the ledger closes). */
  private async closeSlotFds(state: TenantState): Promise<unknown[]> {
    const fds = state.slotFds.splice(0);
    const results = await Promise.allSettled(fds.map((fd) => this.ops.close(fd)));
    return results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  }

  private sealAll(groups: readonly Group[]): void {
    const ts = new Date(this.config.clock.now()).toISOString();
    for (const group of groups) {
      const tip = this.tips.get(group.state);
      group.start = tip === undefined ? (group.state.segments.at(-1) as Segment).size : endOf(tip);
      this.seal(group, tip?.head ?? group.state.head, ts);
    }
  }

  private needsRotation(group: Group): boolean {
    return group.start > 0 && endOf(group) > this.config.segmentMaxBytes;
  }

  /**
   * Settles the oldest batch in flight: acknowledges it when durable; when it failed,
   * fails it and every later batch (their data may sit behind its lost blocks), waits
   * for all their writes to end, and cuts the files back to where it started.
   */
  private async settleOldest(): Promise<void> {
    const oldest = this.flights[0] as Flight;
    const error = await oldest.settled;
    if (error === undefined) {
      this.flights.shift();
      this.acknowledge(oldest);
      return;
    }
    const failed = this.flights.splice(0);
    this.tips.clear();
    await Promise.all(failed.map((f) => f.settled));
    await this.rollBack(failed.flatMap((f) => f.groups));
    const rejection = this.unavailable('could not write the batch', error);
    const behind = this.unavailable('a batch written before this one failed', error);
    for (const [n, flight] of failed.entries())
      for (const call of flight.calls) call.reject(n === 0 ? rejection : behind);
  }

  /** Makes a durable batch's entries part of the tenants' state and resolves its appends. */
  private acknowledge(flight: Flight): void {
    for (const group of flight.groups) {
      this.advance(group);
      if (this.tips.get(group.state) === group) this.tips.delete(group.state);
      this.staleHeads.add(group.state);
    }
    this.writeHeads();
    let entries = 0;
    for (const group of flight.groups)
      group.calls.forEach((call, n) => {
        const written = group.results[n] as LedgerEntry[];
        entries += written.length;
        call.resolve(written);
      });
    this.config.onCommit?.(entries);
  }

  /**
   * Rewrites the HEAD records of the tenants acknowledged since they were last written,
   * at most once every HEAD_WRITE_EVERY_MS, and syncs the ones written since they were
   * last synced at most once every HEAD_SYNC_EVERY_MS, one round at a time. The entries
   * are durable before their head is written, so on disk a HEAD record never leads the
   * entries. It may lag them (after a crash opening rewrites it), and acknowledging does
   * not wait for it; syncing it now and then bounds how far it lags after a power loss,
   * and so what opening could cut as a torn write without noticing.
   */
  private writeHeads(): void {
    if (this.headsWriting !== undefined) {
      // A round waiting only to sync (up to a second) looks again: a write is due sooner.
      if (this.headsSyncWait) this.headsDue?.();
      return;
    }
    if (this.staleHeads.size === 0 && this.unsyncedHeads.size === 0) return;
    this.headsWriting = this.writeHeadsRound().finally(() => {
      this.headsWriting = undefined;
      this.writeHeads();
    });
  }

  private async writeHeadsRound(): Promise<void> {
    for (;;) {
      const writeAt =
        this.staleHeads.size > 0 ? this.lastHeadsWrite + HEAD_WRITE_EVERY_MS : Infinity;
      const syncAt =
        this.unsyncedHeads.size > 0 ? this.lastHeadsSync + HEAD_SYNC_EVERY_MS : Infinity;
      const wait = this.headsHurry ? 0 : Math.min(writeAt, syncAt) - performance.now();
      if (wait === Infinity) return;
      if (wait <= 0) break;
      this.headsSyncWait = writeAt === Infinity;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        // Waiting only to sync: nothing for the process to stay up for.
        if (writeAt === Infinity) timer.unref();
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.headsDue = done;
      });
      this.headsDue = undefined;
      this.headsSyncWait = false;
    }
    const now = performance.now();
    const failures: PromiseSettledResult<unknown>[] = [];
    if (
      this.staleHeads.size > 0 &&
      (this.headsHurry || now >= this.lastHeadsWrite + HEAD_WRITE_EVERY_MS)
    ) {
      this.lastHeadsWrite = now;
      const states = [...this.staleHeads];
      this.staleHeads.clear();
      failures.push(
        ...(await Promise.allSettled(
          states.map((state) => this.ops.write(state.headFd as number, encodeHead(state.head), 0)),
        )),
      );
      for (const state of states) this.unsyncedHeads.add(state);
    }
    if (
      this.unsyncedHeads.size > 0 &&
      (this.headsHurry || performance.now() >= this.lastHeadsSync + HEAD_SYNC_EVERY_MS)
    ) {
      this.lastHeadsSync = performance.now();
      const states = [...this.unsyncedHeads];
      this.unsyncedHeads.clear();
      failures.push(
        ...(await Promise.allSettled(
          states.map((state) => this.ops.fsync(state.headFd as number)),
        )),
      );
    }
    const failed = firstError(failures);
    if (failed !== undefined)
      // The entries are durable and were acknowledged, but a disk that fails a small
      // overwrite should take no more entries.
      this.failure ??= this.unavailable(
        'a head record could not be written; the ledger takes no more appends until reopened',
        failed,
      );
  }

  /** Seals a group's entries after `from` and encodes its lines. */
  private seal(group: Group, from: LedgerHead, ts: string): void {
    const { tenant } = group.state;
    let { size, hash } = from;
    const lines: string[] = [];
    group.results = [];
    group.marks = [];
    for (const call of group.calls) {
      const entries: LedgerEntry[] = [];
      call.requests.forEach((request, n) => {
        size += 1;
        const stored = sealEntry(
          { tenant, seq: size, prev: hash, ts },
          request,
          call.dataJson[n] as string,
        );
        hash = stored.entry.hash;
        entries.push(stored.entry);
        lines.push(stored.bytes);
      });
      group.results.push(entries);
    }
    const lengths = lines.map((line) => Buffer.byteLength(line, 'utf8') + 1);
    const buffer = Buffer.allocUnsafe(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    let seq = from.size;
    lines.forEach((line, n) => {
      seq += 1;
      if ((seq - 1) % MARK_EVERY === 0) group.marks.push({ seq, at, index: n });
      buffer.write(line, at, 'utf8');
      at += lengths[n] as number;
      buffer[at - 1] = 0x0a;
    });
    group.buffer = buffer;
    group.head = { size, hash };
  }

  /** Starts the tenant's next segment; the current one is complete and durable. */
  private async rotate(state: TenantState): Promise<Segment> {
    const current = state.segments.at(-1) as Segment;
    // Only the last segment may end in zeros: the space reserved past the current one's
    // entries is given back, durably, before the next one exists.
    await this.release(state.fd as number, current.size);
    const no = current.no + 1;
    const file = `${state.tenant}/${segmentFileName(no)}`;
    const path = join(this.config.dir, file);
    const fd = await this.ops.open(path, this.segmentFlags());
    let slotFds: number[] = [];
    let reserving = false;
    try {
      // A segment left by an earlier failed rotation, empty or only reserved, is reused.
      const size = await this.ops.size(fd);
      if (size !== 0 && !(await zerosOnly(path, 0, size)))
        throw corrupt(file, 'a segment past the last known one already holds data');
      await syncDirectory(this.ops, join(this.config.dir, state.tenant));
      slotFds = await this.openSlotFds(path);
      reserving = true;
      await this.reserve(fd, 0);
    } catch (error) {
      // A reservation whose sync failed is undone as far as it can be (readers and a
      // later open take a segment of zeros for an empty one anyway).
      if (reserving) await this.ops.ftruncate(fd, 0).catch(() => undefined);
      await Promise.allSettled([fd, ...slotFds].map((each) => this.ops.close(each)));
      throw error;
    }
    const previous = state.fd;
    await this.closeSlotFds(state);
    state.slotFds = slotFds;
    state.fd = fd;
    const segment: Segment = { no, file, firstSeq: state.head.size + 1, count: 0, size: 0 };
    state.segments.push(segment);
    if (previous !== undefined) await this.ops.close(previous).catch(() => undefined);
    return segment;
  }

  /**
   * Sets the length of a segment being written to segmentMaxBytes, durably, when its
   * entries (`size` bytes) are shorter: the space after them reads as zeros, and takes
   * no disk blocks until written. Writes that do not grow a file are markedly cheaper
   * to make durable (the length the file system journals does not change), and the
   * readers of the last segment already end its entries at its first zero byte.
   */
  private async reserve(fd: number, size: number): Promise<void> {
    if (size >= this.config.segmentMaxBytes) return;
    await this.ops.ftruncate(fd, this.config.segmentMaxBytes);
    await this.ops.fsync(fd);
  }

  /** Gives back a segment's reserved space: its length becomes its entries', durably. */
  private async release(fd: number, size: number): Promise<void> {
    await this.ops.ftruncate(fd, size);
    await this.ops.fsync(fd);
  }

  /**
   * Cuts every file written by failed batches back to its length before the first of
   * them, durably. When that fails too, the files may hold entries nobody was told
   * about and the in-memory head no longer describes them: the ledger then refuses all
   * appends.
   */
  private async rollBack(groups: readonly Group[]): Promise<void> {
    const cuts = new Map<TenantState, number>();
    for (const { state, rollbackTo } of groups)
      if (rollbackTo !== undefined)
        cuts.set(state, Math.min(rollbackTo, cuts.get(state) ?? Infinity));
    const undone = await Promise.allSettled(
      [...cuts].map(async ([state, length]) => {
        const fd = state.fd as number;
        // A failed write-back is reported once to each descriptor of the file: take it
        // from all of them first, so that only a failure of the cut fails the cut, and
        // the next batch on another slot does not fail on this one.
        await Promise.allSettled([fd, ...state.slotFds].map((each) => this.ops.fsync(each)));
        // the failed bytes go; the space after the entries stays reserved
        await this.ops.ftruncate(fd, length);
        if (length < this.config.segmentMaxBytes)
          await this.ops.ftruncate(fd, this.config.segmentMaxBytes);
        await this.ops.fsync(fd);
      }),
    );
    const failed = firstError(undone);
    if (failed !== undefined)
      this.failure = this.unavailable(
        'a failed write could not be undone; the ledger takes no more appends until reopened',
        failed,
      );
  }

  /** Makes a written group's entries part of the tenant's state. */
  private advance(group: Group): void {
    const { state } = group;
    const segment = state.segments.at(-1) as Segment;
    const base = segment.size;
    const count = segment.count;
    for (const mark of group.marks)
      state.marks.push({
        seq: mark.seq,
        segment: state.segments.length - 1,
        offset: base + mark.at,
        line: count + mark.index + 1,
      });
    segment.size += group.buffer.length;
    segment.count += group.head.size - state.head.size;
    state.head = group.head;
  }

  /** The tenant's state with its files open for appending, creating the tenant if new. */
  private async writableTenant(tenant: string): Promise<TenantState> {
    const existing = this.tenants.get(tenant);
    if (existing?.fd !== undefined && existing.headFd !== undefined) return existing;
    const tenantDir = join(this.config.dir, tenant);
    if (existing === undefined) {
      try {
        await mkdir(tenantDir);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error;
      }
      await syncDirectory(this.ops, this.config.dir);
    }
    const state = existing ?? newTenantState(tenant);
    if (!state.hasHeadFile) {
      await writeHeadFile(this.ops, tenantDir, state.head);
      state.hasHeadFile = true;
    }
    state.headFd ??= await this.ops.open(join(tenantDir, HEAD_FILE), 'r+');
    // Kept from here on, so that the HEAD descriptor is closed with the ledger even if
    // the segment cannot be opened now (a later append tries again).
    this.tenants.set(tenant, state);
    if (state.fd === undefined) {
      const last = state.segments.at(-1);
      const segment = last ?? {
        no: 1,
        file: `${tenant}/${segmentFileName(1)}`,
        firstSeq: 1,
        count: 0,
        size: 0,
      };
      const path = join(this.config.dir, segment.file);
      const fd = await this.ops.open(path, this.segmentFlags());
      let slotFds: number[] = [];
      let reserving = false;
      try {
        // Past the entries there may be zeros: the length reserved by an earlier try here
        // whose sync failed.
        const size = await this.ops.size(fd);
        if (size < segment.size || !(await zerosOnly(path, segment.size, size)))
          throw corrupt(
            segment.file,
            `the file is ${size} bytes, ${segment.size} were verified when the ledger was opened`,
          );
        slotFds = await this.openSlotFds(path);
        // A new segment's name is durable before anything is written to it.
        if (last === undefined) await syncDirectory(this.ops, tenantDir);
        reserving = true;
        await this.reserve(fd, segment.size);
      } catch (error) {
        // a reservation whose sync failed is undone as far as it can be
        if (reserving) await this.ops.ftruncate(fd, segment.size).catch(() => undefined);
        await Promise.allSettled([fd, ...slotFds].map((each) => this.ops.close(each)));
        throw error;
      }
      if (last === undefined) state.segments.push(segment);
      state.fd = fd;
      state.slotFds = slotFds;
    }
    return state;
  }

  /** How segments are opened: for writes at offsets, each durable when it returns. */
  private segmentFlags(): number {
    return this.config.durability.flags;
  }

  private unavailable(message: string, cause: unknown): GovgateError {
    return GovgateError.is(cause, 'LEDGER_CORRUPT')
      ? cause
      : new GovgateError('LEDGER_UNAVAILABLE', `${message}: ${asError(cause).message}`, {
          cause,
        });
  }

  // ------------------------------------------------------------------ read

  /**
   * Streams a tenant's entries in seq order from the segment files, never past the
   * durable head (so nothing still being written is returned). LEDGER_CORRUPT names the
   * file and line of an entry that does not parse or is out of place.
   */
  read(tenant: string, options: LedgerReadOptions = {}): AsyncIterable<StoredEntry> {
    return this.scan(tenant, options, true);
  }

  /** The entries of `read`; without `parse`, only their bytes (for the Merkle tree). */
  private scan(tenant: string, options: LedgerReadOptions, parse: true): AsyncIterable<StoredEntry>;
  private scan(
    tenant: string,
    options: LedgerReadOptions,
    parse: false,
  ): AsyncIterable<{ bytes: string }>;
  private async *scan(
    tenant: string,
    options: LedgerReadOptions,
    parse: boolean,
  ): AsyncIterable<StoredEntry | { bytes: string }> {
    if (!isTenantId(tenant)) return;
    const from = Math.max(1, options.fromSeq ?? 1);
    // The head before the files: every entry it counts is in the files listed after it.
    const bound = this.config.readOnly ? Infinity : this.headOf(tenant).size;
    const start = await this.readStart(tenant, from);
    if (start === undefined) return;
    const last = options.limit === undefined ? bound : Math.min(bound, from - 1 + options.limit);
    if (from > last) return;
    let seq = start.seq;
    if (last - from < POINT_READ_MAX && start.files.length > 0 && !this.config.readOnly) {
      // A few entries (a run's evidence, a proof's leaf): read just past the mark.
      const file = start.files[0] as string;
      const lines = await readLineWindow(
        await this.readHandle(file),
        { offset: start.offset, number: start.line },
        from - start.seq,
        last - from + 1,
      );
      if (lines.length === last - from + 1) {
        for (const [i, line] of lines.entries()) {
          const want = from + i;
          if (!parse) {
            yield { bytes: line.text };
            continue;
          }
          const location = `${file}:${line.number}`;
          const entry = parseStoredEntry(line.text);
          if (entry === undefined) throw corrupt(location, 'the line is not a ledger entry');
          if (entry.seq !== want)
            throw corrupt(location, `entry ${entry.seq} is stored where entry ${want} belongs`);
          yield { entry, bytes: line.text };
        }
        return;
      }
      // the range runs into the next segment: read it the general way
    }
    for (const [n, file] of start.files.entries()) {
      const isLastFile = n === start.files.length - 1;
      const lines = readLines(
        join(this.config.dir, file),
        n === 0 ? { offset: start.offset, number: start.line } : {},
        { endAtZero: isLastFile },
      );
      for await (const chunk of lines) {
        for (const line of chunk) {
          const location = `${file}:${line.number}`;
          if (!line.terminated) {
            if (isLastFile) break; // a line still being written
            throw corrupt(location, 'a segment ends in the middle of a line');
          }
          if (seq >= from && !parse) yield { bytes: line.text };
          else if (seq >= from) {
            const entry = parseStoredEntry(line.text);
            if (entry === undefined) throw corrupt(location, 'the line is not a ledger entry');
            if (entry.seq !== seq)
              throw corrupt(location, `entry ${entry.seq} is stored where entry ${seq} belongs`);
            yield { entry, bytes: line.text };
          }
          if (seq >= last) return;
          seq += 1;
        }
      }
    }
    if (last !== Infinity)
      throw corrupt(`${tenant}/`, `the entries end at ${seq - 1}; the head says ${last}`);
  }

  /**
   * A read-only handle of a segment file, kept open for point reads (segments are only
   * ever appended to; all are closed with the ledger).
   */
  private readHandle(file: string): Promise<FileHandle> {
    let handle = this.readHandles.get(file);
    if (handle === undefined) {
      if (this.readHandles.size >= MAX_READ_HANDLES) {
        const [oldest, first] = this.readHandles.entries().next().value as [
          string,
          Promise<FileHandle>,
        ];
        this.readHandles.delete(oldest);
        void first.then((h) => h.close()).catch(() => undefined);
      }
      handle = open(join(this.config.dir, file), 'r');
      handle.catch(() => this.readHandles.delete(file));
      this.readHandles.set(file, handle);
    }
    return handle;
  }

  private headOf(tenant: string): LedgerHead {
    return this.tenants.get(tenant)?.head ?? GENESIS;
  }

  /** The segment files to read and where in the first one entry `from` may start. */
  private async readStart(tenant: string, from: number): Promise<ReadStart | undefined> {
    if (this.config.readOnly) {
      const files = await this.segmentFiles(tenant);
      if (files.length === 0) return undefined;
      return {
        files,
        offset: 0,
        line: 1,
        seq: 1,
      };
    }
    const state = this.tenants.get(tenant);
    if (state === undefined || state.marks.length === 0) return undefined;
    // The last mark at or before `from` (binary search; marks ascend by seq).
    let lo = 0;
    let hi = state.marks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((state.marks[mid]?.seq ?? Infinity) <= from) lo = mid;
      else hi = mid - 1;
    }
    const mark = state.marks[lo];
    if (mark === undefined) return undefined;
    return {
      files: state.segments.slice(mark.segment).map((s) => s.file),
      offset: mark.offset,
      line: mark.line,
      seq: mark.seq,
    };
  }

  private async listTenant(tenant: string): Promise<string[]> {
    try {
      return await readdir(join(this.config.dir, tenant));
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw this.unavailable(`cannot list the ledger of tenant '${tenant}'`, error);
    }
  }

  /**
   * Every line the tenant's segment files hold, in file order, unparsed, with its
   * `tenant/NNNNNNNN.jsonl:line` location: what `verifyLedger` checks. A last line not
   * yet ended by '\n' (being written, or torn by a crash and cut on the next open) is
   * left out.
   */
  readRaw(tenant: string): AsyncIterable<RawEntry> {
    if (!isTenantId(tenant)) return new RawEntries(this.config.dir, () => Promise.resolve([]));
    return new RawEntries(this.config.dir, () => this.segmentFiles(tenant));
  }

  /**
   * What `readRaw` yields, in blocks of bytes (`LedgerPort.readRawBlocks`): verification
   * hands them to its digester whole, undecoded.
   */
  readRawBlocks(tenant: string, options: RawBlockOptions): AsyncIterable<RawBlock> {
    const files = isTenantId(tenant) ? () => this.segmentFiles(tenant) : () => Promise.resolve([]);
    return rawBlocks(this.config.dir, files, options);
  }

  /**
   * The leaf hashes of a tenant's entries, read in blocks and hashed on worker threads
   * (`verifyThreads`; 0: on this thread), several blocks in flight: how a Merkle tree
   * missing many leaves is loaded (the first proof or tree head of a tenant after
   * opening). Loads running together share the workers, which stop when none runs; a
   * load stops when the ledger closes. A segment before the last whose last line has
   * no '\n' is LEDGER_CORRUPT, as for reads.
   */
  private async *treeLeaves(tenant: string): AsyncGenerator<LeafPiece> {
    if (this.closing !== undefined) throw this.closed();
    const threads = this.config.verifyThreads;
    const workers =
      threads === 0
        ? undefined
        : (this.treeWorkers ??= new WorkerDigester(threads === undefined ? {} : { threads }));
    let ended = (): void => undefined;
    const load = new Promise<void>((resolve) => (ended = resolve));
    this.treeLoads.add(load);
    const pending: Promise<LeafPiece>[] = [];
    try {
      // larger blocks than verification's: fewer messages, the same alignment with the tree
      const blocks = rawBlocks(
        this.config.dir,
        () => this.segmentFiles(tenant),
        { entries: 1024, bytes: 4 << 20 },
        blockMemory,
        (location) => corrupt(location, 'a segment ends in the middle of a line'),
      );
      for await (const block of blocks) {
        if (this.closing !== undefined) throw this.closed();
        const leaves = workers?.leaves(block.bytes) ?? Promise.resolve(leavesHere(block.bytes));
        leaves.catch(() => undefined); // awaited in order below; not unhandled meanwhile
        pending.push(leaves);
        if (pending.length > (workers?.concurrency ?? 0))
          yield await (pending.shift() as Promise<LeafPiece>);
      }
      while (pending.length > 0) yield await (pending.shift() as Promise<LeafPiece>);
    } finally {
      this.treeLoads.delete(load);
      ended();
      if (this.treeLoads.size === 0 && this.treeWorkers !== undefined) {
        const idle = this.treeWorkers;
        this.treeWorkers = undefined;
        await idle.close();
      }
    }
  }

  private closed(): GovgateError {
    return new GovgateError('LEDGER_UNAVAILABLE', 'the ledger is closed');
  }

  /**
   * The tenant's segment files in order, without empty ones at the end (a rotation that
   * failed can leave one): the last file is the one a torn write can end.
   */
  private async segmentFiles(tenant: string): Promise<string[]> {
    const numbers = segmentNumbers(await this.listTenant(tenant));
    const kept = await withoutEmptyTail(join(this.config.dir, tenant), numbers).catch(
      (error: unknown) => {
        throw this.unavailable(`cannot read the segments of tenant '${tenant}'`, error);
      },
    );
    return kept.map((no) => `${tenant}/${segmentFileName(no)}`);
  }

  /**
   * The tenant's head as recorded apart from the entries. A writer answers from the
   * record it keeps in step with the HEAD file; a read-only ledger reads the HEAD file.
   */
  async head(tenant: string): Promise<LedgerHead> {
    if (!isTenantId(tenant)) return GENESIS;
    if (!this.config.readOnly) return this.headOf(tenant);
    const file = `${tenant}/${HEAD_FILE}`;
    let text: string;
    try {
      text = await readFile(join(this.config.dir, file), 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return GENESIS;
      throw this.unavailable(`cannot read ${file}`, error);
    }
    const head = parseHead(text);
    if (head === undefined) throw corrupt(file, 'the head record is not valid');
    return head;
  }

  // ------------------------------------------------------------------ proofs

  async treeHead(tenant: string, size?: number): Promise<TreeHead> {
    return this.trees.treeHead(tenant, (await this.head(tenant)).size, size);
  }

  async inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof> {
    return this.trees.inclusionProof(tenant, (await this.head(tenant)).size, seq, size);
  }

  async consistencyProof(tenant: string, from: number, to?: number): Promise<ConsistencyProof> {
    return this.trees.consistencyProof(tenant, (await this.head(tenant)).size, from, to);
  }

  // ------------------------------------------------------------------ close

  /**
   * Writes what is queued, syncs the HEAD records, closes the files and removes the
   * lock. Appends made after `close` fail with LEDGER_UNAVAILABLE.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.wake?.(); // what is queued is written now, without waiting out maxWaitMs
    while (this.flusher !== undefined || this.headsWriting !== undefined) {
      if (this.flusher === undefined) {
        this.headsHurry = true;
        this.headsDue?.();
      }
      await (this.flusher ?? this.headsWriting);
    }
    // Tree loads stop at their next block (their workers' answers fail once closed).
    const treeWorkers = this.treeWorkers;
    this.treeWorkers = undefined;
    await treeWorkers?.close();
    await Promise.all(this.treeLoads);
    const errors: unknown[] = [];
    for (const state of this.tenants.values()) {
      const { fd, headFd } = state;
      state.fd = undefined;
      state.headFd = undefined;
      if (headFd !== undefined) {
        await this.ops.fsync(headFd).catch((e: unknown) => errors.push(e));
        await this.ops.close(headFd).catch((e: unknown) => errors.push(e));
      }
      errors.push(...(await this.closeSlotFds(state)));
      if (fd !== undefined) {
        // A ledger at rest holds no reserved space; after a failure it could not undo,
        // the files are left for the next open to check.
        if (this.failure === undefined)
          await this.release(fd, (state.segments.at(-1) as Segment).size).catch((e: unknown) =>
            errors.push(e),
          );
        await this.ops.close(fd).catch((e: unknown) => errors.push(e));
      }
    }
    const handles = [...this.readHandles.values()];
    this.readHandles.clear();
    await Promise.all(
      handles.map((h) => h.then((handle) => handle.close()).catch(() => undefined)),
    );
    await this.lock?.release();
    if (errors.length > 0) throw this.unavailable('the ledger did not close cleanly', errors[0]);
  }
}

/**
 * `FsLedger.open` with the file operations of the write path supplied (tests make
 * them fail). Not part of the package's exports.
 */
export async function openFsLedger(
  options: FsLedgerOptions,
  ops: FileOps,
  platform: NodeJS.Platform = process.platform,
): Promise<FsLedger> {
  const config = configOf(options, platform);
  const { dir } = config;
  if (config.readOnly) {
    const stats = await stat(dir).catch((cause: unknown) => {
      throw new GovgateError('LEDGER_UNAVAILABLE', `no ledger directory at '${dir}'`, { cause });
    });
    if (!stats.isDirectory())
      throw new GovgateError('LEDGER_UNAVAILABLE', `'${dir}' is not a directory`);
    return new FsLedger({
      config,
      ops,
      lock: undefined,
      tenants: new Map(),
      report: { tenants: 0, entries: 0, repairs: [] },
    });
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw NOT_WRITABLE.has(errnoOf(cause) ?? '')
      ? notWritable(dir, cause)
      : new GovgateError('LEDGER_UNAVAILABLE', `cannot create the ledger directory '${dir}'`, {
          cause,
        });
  }
  const lock = await acquireLock(dir);
  const threads = config.verifyThreads;
  const digester =
    threads === 0 ? undefined : new WorkerDigester(threads === undefined ? {} : { threads });
  try {
    const tenants = new Map<string, TenantState>();
    const repairs: string[] = [];
    let entries = 0;
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      if (!dirent.isDirectory() || !isTenantId(dirent.name)) continue;
      const tenantDir = join(dir, dirent.name);
      await access(tenantDir, constants.W_OK).catch((cause: unknown) => {
        throw notWritable(tenantDir, cause);
      });
      const recovered = await recoverTenant(dir, dirent.name, ops, digester);
      tenants.set(dirent.name, recovered.state);
      repairs.push(...recovered.repairs);
      entries += recovered.state.head.size;
    }
    return new FsLedger({
      config,
      ops,
      lock,
      tenants,
      report: { tenants: tenants.size, entries, repairs },
    });
  } catch (error) {
    await lock.release();
    throw GovgateError.is(error)
      ? error
      : new GovgateError('LEDGER_UNAVAILABLE', `cannot open the ledger in '${dir}'`, {
          cause: error,
        });
  } finally {
    await digester?.close();
  }
}
