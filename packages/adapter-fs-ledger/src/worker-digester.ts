import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  GovgateError,
  blockLeafPiece,
  digestBlock,
  digestEntries,
  type ChunkDigest,
  type EntryDigesterPort,
  type LeafPiece,
} from '@govgate/core';
import type { DigestJob, DigestWork } from './digest-worker.js';
import { blockMemory } from './raw-blocks.js';

// Compiled to CommonJS (jest) this module has __dirname; as ESM (dist) it has import.meta.
const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));

export interface WorkerDigesterOptions {
  /** Worker threads (default: the machine's available parallelism, at most 4). */
  readonly threads?: number;
  /** Entries per run sent to a worker: a power of two (default 256). */
  readonly chunkSize?: number;
  /** Shorter chains are verified on the calling thread (default 16 runs: 4,096 entries). */
  readonly minEntries?: number;
}

/** A run sent to a worker: only whom to answer (the run's text is not kept here). */
interface Job {
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Job>;
}

/** Worker failures after which no more workers are started: runs are digested in-thread. */
const MAX_WORKER_FAILURES = 3;

/**
 * A worker's answer (a ChunkDigest, or leaf hashes), with the memory of the block it
 * was sent (see `BlockMemory`).
 */
type Answer = { readonly id: number; readonly memory?: ArrayBuffer } & (
  { readonly value: unknown } | { readonly error: string }
);

/**
 * How to start a digest worker: the compiled `digest-worker.js` beside this module, or,
 * when running from the TypeScript sources (tests, benchmarks), `digest-worker.ts`
 * compiled on the fly by tsx (a development dependency of the repository).
 */
function workerSource(): { source: string | URL; eval: boolean } {
  const compiled = join(here, 'digest-worker.js');
  if (existsSync(compiled)) return { source: pathToFileURL(compiled), eval: false };
  const script = join(here, 'digest-worker.ts');
  const require = createRequire(join(here, 'worker-digester.ts'));
  const tsxDir = dirname(require.resolve('tsx/package.json'));
  const manifest = JSON.parse(readFileSync(join(tsxDir, 'package.json'), 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(join(tsxDir, manifest.exports['./esm/api']?.import.default ?? '')).href;
  const source =
    `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); ` +
    `return import(${JSON.stringify(pathToFileURL(script).href)}); });`;
  return { source, eval: true };
}

/**
 * An EntryDigesterPort on worker threads: `verifyLedger(ledger, tenant, { digester })`
 * then hashes and checks runs of entries on every core while it reads on the main
 * thread. Workers start at the first run and stay (unreferenced: an idle digester
 * keeps no process alive) until `close()`. A worker that cannot start costs speed:
 * runs are digested on the calling thread. One that dies fails the runs it held
 * (LEDGER_UNAVAILABLE: verifying again works) and is replaced for the next ones; after
 * a few failures (`workerFailures`, `lastWorkerFailure`) every run is digested on the
 * calling thread.
 *
 * @example
 * const digester = new WorkerDigester();
 * try {
 *   const report = await verifyLedger(ledger, 'acme', { digester });
 * } finally {
 *   await digester.close();
 * }
 */
export class WorkerDigester implements EntryDigesterPort {
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly minEntries: number;
  private readonly threads: number;
  private slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private failures = 0;
  private lastFailure: string | undefined;

  constructor(options: WorkerDigesterOptions = {}) {
    const threads = options.threads ?? Math.min(4, os.availableParallelism());
    const chunkSize = options.chunkSize ?? 256;
    const problems: string[] = [];
    if (!Number.isSafeInteger(threads) || threads < 1)
      problems.push('threads must be an integer ≥ 1');
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0)
      problems.push('chunkSize must be a power of two');
    if (
      options.minEntries !== undefined &&
      (!Number.isSafeInteger(options.minEntries) || options.minEntries < 0)
    )
      problems.push('minEntries must be an integer ≥ 0');
    if (problems.length > 0)
      throw new GovgateError(
        'LEDGER_UNAVAILABLE',
        `invalid WorkerDigester options: ${problems.join('; ')}`,
      );
    this.threads = threads;
    this.chunkSize = chunkSize;
    // a run for every thread and one more waiting, so that no thread waits for the reader
    this.concurrency = threads + 1;
    this.minEntries = options.minEntries ?? 16 * chunkSize;
  }

  /** Worker threads running now (they start at the first run, up to `threads`). */
  get running(): number {
    return this.slots.length;
  }

  /** How many workers died or could not start. */
  get workerFailures(): number {
    return this.failures;
  }

  /** Why the last one did. */
  get lastWorkerFailure(): string | undefined {
    return this.lastFailure;
  }

  digest(bytes: readonly string[], tenant: string): Promise<ChunkDigest> {
    return this.send({ bytes, tenant }, [], () => digestEntries(bytes, tenant));
  }

  /**
   * Digests a block of entries on a worker. The block's memory is moved to the worker
   * (the caller's `bytes` is left empty) when the block has it to itself, as
   * `FsLedger.readRawBlocks` blocks do, and comes back with the answer to be reused;
   * other blocks are copied first.
   */
  digestBlock(bytes: Uint8Array, tenant: string): Promise<ChunkDigest> {
    const block = movable(bytes);
    return this.send({ block, tenant }, [block.buffer as ArrayBuffer], () =>
      digestBlock(block, tenant),
    );
  }

  /**
   * The leaf hashes of a block's entries and their group roots (core's
   * `blockLeafPiece`), hashed on a worker: for loading a Merkle tree. The block's memory
   * is moved as by `digestBlock`.
   */
  leaves(bytes: Uint8Array): Promise<LeafPiece> {
    const block = movable(bytes);
    return this.send({ leavesOf: block }, [block.buffer as ArrayBuffer], () =>
      blockLeafPiece(block),
    );
  }

  private send<T>(work: DigestWork, transfer: ArrayBuffer[], here: () => T): Promise<T> {
    if (this.closed)
      return Promise.reject(new GovgateError('LEDGER_UNAVAILABLE', 'the digester is closed'));
    const slot = this.leastBusy();
    if (slot === undefined) return inThread(here);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.worker.ref(); // an answer is awaited: stay alive for it
      try {
        const job: DigestJob = { ...work, id };
        slot.worker.postMessage(job, transfer);
      } catch (error) {
        // not sendable (not text): nothing was queued
        this.settled(slot, id);
        reject(
          new GovgateError(
            'LEDGER_UNAVAILABLE',
            `a run could not be sent to a digest worker: ${String(error)}`,
            {
              cause: error,
            },
          ),
        );
      }
    });
  }

  /** Stops the workers; runs still being digested are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** The worker to send a run to; undefined when workers are given up on. */
  private leastBusy(): Slot | undefined {
    const idle = this.slots.find((slot) => slot.pending.size === 0);
    if (idle !== undefined) return idle;
    if (this.slots.length < this.threads && this.failures < MAX_WORKER_FAILURES) {
      try {
        const slot = this.start();
        this.slots.push(slot);
        return slot;
      } catch (error) {
        this.failed(error); // e.g. its script is missing: the runs go in-thread
      }
    }
    let best: Slot | undefined;
    for (const slot of this.slots)
      if (best === undefined || slot.pending.size < best.pending.size) best = slot;
    return best;
  }

  private settled(slot: Slot, id: number): Job | undefined {
    const job = slot.pending.get(id);
    slot.pending.delete(id);
    if (slot.pending.size === 0) slot.worker.unref();
    return job;
  }

  private failed(error: unknown): void {
    this.failures += 1;
    this.lastFailure = error instanceof Error ? error.message : String(error);
  }

  private start(): Slot {
    const { source, eval: isEval } = workerSource();
    // A small young generation: a worker holds one run at a time (about 170 KB for 256
    // decision entries), and the default (up to 16 MB per semi-space) only adds RSS.
    const worker = new Worker(source, {
      eval: isEval,
      // Not the process's own flags (e.g. --input-type, --import): a worker runs only
      // the digest module, and in the sources' case registers tsx itself.
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    let stopped = false;
    /**
     * The worker is gone: the runs it held fail (their text went with it; verifying
     * again works), and it is replaced on demand.
     */
    const stop = (why: unknown): void => {
      if (stopped) return;
      stopped = true;
      this.slots = this.slots.filter((s) => s !== slot);
      const jobs = [...slot.pending.values()];
      slot.pending.clear();
      const error = this.closed
        ? new GovgateError('LEDGER_UNAVAILABLE', 'the digester is closed')
        : new GovgateError(
            'LEDGER_UNAVAILABLE',
            `a digest worker stopped (${why instanceof Error ? why.message : String(why)}); verify again`,
            { cause: why },
          );
      if (!this.closed) {
        this.failed(why);
        void worker.terminate();
      }
      for (const job of jobs) job.reject(error);
    };
    worker.on('message', (answer: Answer) => {
      if (answer.memory !== undefined) blockMemory.give(answer.memory);
      const job = this.settled(slot, answer.id);
      if (job === undefined) return;
      if ('error' in answer)
        job.reject(
          new GovgateError('LEDGER_UNAVAILABLE', `a digest worker failed: ${answer.error}`),
        );
      else job.resolve(answer.value as never);
    });
    worker.on('messageerror', (error) => stop(error));
    worker.on('error', (error) => stop(error));
    worker.on('exit', (code) => stop(new Error(`a digest worker exited with code ${code}`)));
    return slot;
  }
}

/**
 * A block whose memory can be moved to a worker: the bytes themselves when they have
 * it to themselves (made by `BlockMemory`, or their own ArrayBuffer whole), else a copy
 * (a Buffer's slice() would be a view).
 */
function movable(bytes: Uint8Array): Uint8Array {
  const memory = bytes.buffer;
  const own =
    bytes.byteOffset === 0 &&
    memory instanceof ArrayBuffer &&
    (blockMemory.owns(memory) || bytes.byteLength === memory.byteLength);
  return own ? bytes : new Uint8Array(bytes);
}

/** A job done on the calling thread (what a worker would answer). */
function inThread<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(
      new GovgateError('LEDGER_UNAVAILABLE', `a run could not be digested: ${String(error)}`, {
        cause: error,
      }),
    );
  }
}
