import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GovgateError, type ChunkDigest, type EntryDigesterPort } from '@govgate/core';
import type { DigestJob } from './digest-worker.js';

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

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (d: ChunkDigest) => void; reject: (e: Error) => void }>;
  /** Why it stopped, once it has. */
  stopped?: Error;
}

type Answer =
  | { readonly id: number; readonly digest: ChunkDigest }
  | { readonly id: number; readonly error: string };

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
 * keeps no process alive) until `close()`.
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
    return this.slots.filter((slot) => slot.stopped === undefined).length;
  }

  digest(bytes: readonly string[], tenant: string): Promise<ChunkDigest> {
    if (this.closed)
      return Promise.reject(new GovgateError('LEDGER_UNAVAILABLE', 'the digester is closed'));
    let slot: Slot;
    try {
      slot = this.leastBusy();
    } catch (error) {
      // starting a worker failed (e.g. its script is missing)
      return Promise.reject(
        new GovgateError(
          'LEDGER_UNAVAILABLE',
          `a digest worker could not start: ${String(error)}`,
          {
            cause: error,
          },
        ),
      );
    }
    if (slot.stopped !== undefined) return Promise.reject(slot.stopped);
    const id = this.nextId++;
    return new Promise<ChunkDigest>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref(); // an answer is awaited: stay alive for it
      slot.pending.set(id, { resolve, reject });
      const job: DigestJob = { id, bytes, tenant };
      slot.worker.postMessage(job);
    });
  }

  /** Stops the workers; runs still being digested are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private leastBusy(): Slot {
    if (this.slots.length < this.threads) {
      const idle = this.slots.find((slot) => slot.pending.size === 0);
      if (idle !== undefined) return idle;
      const slot = this.start();
      this.slots.push(slot);
      return slot;
    }
    let best = this.slots[0] as Slot;
    for (const slot of this.slots) if (slot.pending.size < best.pending.size) best = slot;
    return best;
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
    const stop = (error: Error): void => {
      slot.stopped ??= error;
      for (const { reject } of slot.pending.values()) reject(slot.stopped);
      slot.pending.clear();
    };
    worker.on('message', (answer: Answer) => {
      const waiting = slot.pending.get(answer.id);
      if (waiting === undefined) return;
      slot.pending.delete(answer.id);
      if (slot.pending.size === 0) worker.unref();
      if ('error' in answer)
        waiting.reject(
          new GovgateError('LEDGER_UNAVAILABLE', `a digest worker failed: ${answer.error}`),
        );
      else waiting.resolve(answer.digest);
    });
    worker.on('error', (error) =>
      stop(
        new GovgateError('LEDGER_UNAVAILABLE', `a digest worker stopped: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    worker.on('exit', (code) =>
      stop(new GovgateError('LEDGER_UNAVAILABLE', `a digest worker exited with code ${code}`)),
    );
    return slot;
  }
}
