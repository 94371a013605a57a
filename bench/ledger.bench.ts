/**
 * File-ledger benchmark for @govgate/adapter-fs-ledger.
 *
 *   1. durable appends: first the disk alone (synchronous writes of one batch's size, one
 *      and two at a time, within a reserved length as the ledger writes, and two at a
 *      time growing the file), then 64 concurrent appenders, each awaiting its own single-entry
 *      append (so each resolves only after the batch holding it is on disk), with
 *      sync 'fdatasync' (O_DSYNC writes) and 'fsync' (O_SYNC): appends/s, entries per
 *      write, p50/p99 latency; and with 'fdatasync' and one batch in flight at a time
 *      (`maxBatchesInFlight: 1`), to compare with the default pipeline in the same
 *      conditions; with 128 appenders (each round trip, one write plus its batch's
 *      turnaround, bounds 64 appenders; twice as many show what the ledger sustains
 *      when that is not the bound); and with segments opened without O_DSYNC (not durable: the ceiling
 *      of the ledger's own work here). Each row also gives
 *      the main thread's busy time per append (event-loop utilization);
 *   2. a 1,000,000-entry chain, written in bulk;
 *   3. inclusion proofs at 1,000,000 entries on the writer that wrote them: the first
 *      (loads the tree) and later ones;
 *   4. `verifyLedger` over it, on the calling thread and with a WorkerDigester: in this
 *      process (RSS sampled during the run), and in a fresh `node` process running the
 *      build, as the CLI and the service run it (a clean figure: sampled RSS and the
 *      kernel's peak RSS);
 *   5. reopening it for writing (recovery verifies every chain) in a fresh process
 *      running the build, without and with worker threads.
 *
 * Run with `pnpm bench:ledger`, which builds first (`pnpm bench:ledger --quick` for a short smoke run;
 * `--appends-only` for section 1 alone;
 * `--dir <path>` to measure another disk than the temporary directory's). Nothing is
 * asserted: targets are printed beside the figures.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  GENESIS_PREV,
  checkAppend,
  sealEntry,
  verifyInclusionProof,
  verifyLedger,
  type AppendRequest,
  type StoredEntry,
} from '../packages/core/src/index.js';
import { FsLedger, openFsLedger } from '../packages/adapter-fs-ledger/src/fs-ledger.js';
import { nodeFileOps, type FileOps } from '../packages/adapter-fs-ledger/src/file-ops.js';
import { WorkerDigester } from '../packages/adapter-fs-ledger/src/worker-digester.js';

// ------------------------------------------------------------------------ settings

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
/** `--appends-only`: section 1 alone. */
const APPENDS_ONLY = argv.includes('--appends-only');
const APPENDERS = 64;
const APPEND_WARMUP_MS = QUICK ? 300 : 1_000;
const APPEND_MEASURE_MS = QUICK ? 1_000 : 4_000;
const CHAIN_SIZE = QUICK ? 100_000 : 1_000_000;
const BULK_CALL = 1_000;
const BULK_IN_FLIGHT = 8;
const LATER_PROOFS = 1_000;
const TENANT = 'bench';

/** Worker threads of the WorkerDigester (its default: available parallelism, at most 4). */
const THREADS = Math.min(4, os.availableParallelism());
/** The repository root (bench/..). */
const REPO = fileURLToPath(new URL('..', import.meta.url));

const TARGET_APPENDS = 100_000;
const TARGET_VERIFY_S = 4;
const TARGET_VERIFY_RSS_MB = 150;

const MB = 1024 * 1024;

// ------------------------------------------------------------------------ helpers

/**
 * A decision entry shaped exactly as `Governance.check()` writes one (keys already in
 * canonical order, as check() builds them), about 600 bytes on disk.
 */
function decision(n: number): AppendRequest {
  const denied = n % 7 === 0;
  return {
    type: 'decision',
    actor: `key_${n % 97}`,
    subject: `run_${n}`,
    data: {
      decision: {
        allowed: !denied,
        policy: { digest: 'b'.repeat(64), id: 'default', version: 3 },
        reasons: denied
          ? [
              {
                effect: 'score',
                reason: 'contains_personal_data',
                rule: 'personal-data',
                weight: 70,
              },
            ]
          : [],
        review: false,
        riskScore: denied ? 70 : n % 50,
      },
      pii: [],
      request: {
        context: { app: 'helpdesk', environment: 'production' },
        metadata: {
          contains_personal_data: denied,
          is_external_model: false,
          purpose: 'support',
          tokens: 1000 + (n % 500),
        },
        model: 'gpt-4o',
        operation: 'chat.completion',
      },
    },
  };
}

const hr = (): number => Number(process.hrtime.bigint()) / 1e6;

/** One batch of 32 sealed decision entries as the ledger writes it, in bytes (lines and '\n'). */
const BATCH_BYTES = (() => {
  const ts = new Date().toISOString();
  let bytes = 0;
  for (let n = 0; n < 32; n++) {
    const request = decision(1_000_000 + n);
    const position = { tenant: TENANT, seq: 1_000_000 + n, prev: GENESIS_PREV, ts };
    bytes +=
      Buffer.byteLength(sealEntry(position, request, checkAppend(TENANT, request)).bytes) + 1;
  }
  return bytes;
})();

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Samples this process's RSS every few ms while `run` runs. */
async function withPeakRss<T>(run: () => Promise<T>): Promise<{ value: T; peakRss: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const value = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

/** The ledger's file operations, counting the writes of entries (each a durable write). */
function countingWrites(durable: boolean): { ops: FileOps; writes: () => number } {
  let writes = 0;
  const { O_DSYNC, O_SYNC } = fsConstants;
  return {
    ops: {
      ...nodeFileOps,
      // Not durable: segments opened without O_DSYNC / O_SYNC.
      open: (path, flags) =>
        nodeFileOps.open(
          path,
          durable || typeof flags === 'string' ? flags : flags & ~O_DSYNC & ~O_SYNC,
        ),
      writeData: (fd, data, position) => (writes++, nodeFileOps.writeData(fd, data, position)),
    },
    writes: () => writes,
  };
}

// ------------------------------------------------------------------------ child modes

interface ChildReport {
  readonly ms: number;
  /** RSS once the modules are loaded (tsx's loader included), before the measured run. */
  readonly baseRssMb: number;
  readonly sampledPeakRssMb: number;
  /** The kernel's high-water mark of the process's RSS (getrusage). */
  readonly maxRssMb: number;
  readonly detail: string;
}

/**
 * A fresh `node` process (no tsx) running the build (each package's `dist`), as `govgate`
 * runs in production: `verify` runs verifyLedger over the chain (with a WorkerDigester
 * unless `threads` is 0), `open` opens the ledger for writing (recovery verifies it).
 * It prints a ChildReport.
 */
function childScript(mode: 'verify' | 'open', dir: string, threads: number): string {
  const dist = (pkg: string): string =>
    JSON.stringify(pathToFileURL(join(REPO, 'packages', pkg, 'dist', 'index.js')).href);
  return `
import { verifyLedger } from ${dist('core')};
import { FsLedger, WorkerDigester } from ${dist('adapter-fs-ledger')};
const dir = ${JSON.stringify(dir)};
const threads = ${threads};
let peak = process.memoryUsage().rss;
const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
const baseRss = process.memoryUsage().rss;
let detail;
const start = performance.now();
if (${JSON.stringify(mode)} === 'verify') {
  const ledger = await FsLedger.open({ dir, readOnly: true });
  const digester = threads === 0 ? undefined : new WorkerDigester({ threads });
  const report = await verifyLedger(ledger, ${JSON.stringify(TENANT)}, digester === undefined ? {} : { digester });
  detail = 'ok=' + report.ok + ' checked=' + report.checked;
  await digester?.close();
  await ledger.close();
} else {
  const ledger = await FsLedger.open({ dir, verifyThreads: threads });
  detail = 'entries=' + ledger.openReport.entries + ' repairs=' + ledger.openReport.repairs.length;
  await ledger.close();
}
const ms = performance.now() - start;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
const MB = 1024 * 1024;
process.stdout.write(JSON.stringify({ ms, baseRssMb: baseRss / MB, sampledPeakRssMb: peak / MB,
  maxRssMb: process.resourceUsage().maxRSS / 1024, detail }));
`;
}

function runChild(mode: 'verify' | 'open', dir: string, threads: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', childScript(mode, dir, threads)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${mode} child exited with ${String(code)}`));
      resolve(JSON.parse(out) as ChildReport);
    });
  });
}

// ------------------------------------------------------------------------ benches

/**
 * The disk alone, for the figures below it: synchronous (O_DSYNC) writes of one batch's
 * size (32 of the entries the appenders write, sealed) one after another into a file by `writers` loops at
 * once, through the same libuv calls the ledger makes. `reserved`: within a length set
 * ahead, as the ledger writes its segments (otherwise each write grows the file, which
 * costs the file system a journaled change of its length). Writes/s × 32 is what 64
 * appenders in two batches could reach if the ledger cost nothing; it moves with the
 * disk's load.
 */
async function diskCeiling(root: string, writers: number, reserved: boolean): Promise<void> {
  const path = join(root, `disk-${writers}`);
  const fd = await nodeFileOps.open(
    path,
    fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_DSYNC,
  );
  if (reserved) await nodeFileOps.ftruncate(fd, 1 << 30);
  const batch = Buffer.alloc(BATCH_BYTES, 0x61);
  let end = 0;
  let writes = 0;
  const loop = async (deadline: number): Promise<void> => {
    while (hr() < deadline) {
      const at = end;
      end += batch.length;
      await nodeFileOps.writeData(fd, batch, at);
      writes += 1;
    }
  };
  await Promise.all(Array.from({ length: writers }, () => loop(hr() + APPEND_WARMUP_MS / 2)));
  writes = 0;
  const start = hr();
  await Promise.all(Array.from({ length: writers }, () => loop(start + APPEND_MEASURE_MS / 2)));
  const perSecond = writes / ((hr() - start) / 1000);
  await nodeFileOps.close(fd);
  await rm(path, { force: true });
  const kb = fmt(BATCH_BYTES / 1000, 1);
  const how = `${writers} writer${writers === 1 ? ' ' : 's'} of ${kb} KB O_DSYNC writes, ${reserved ? 'reserved length' : 'growing the file'}`;
  console.log(
    `  disk: ${how.padEnd(54)}${fmt(perSecond).padStart(7)} writes/s  ` +
      `(× 32 entries = ${fmt(perSecond * 32)} entries/s)`,
  );
}

/**
 * `inFlight`: the ledger's `maxBatchesInFlight` (undefined: its default). `sync` 'none' opens the segments without O_DSYNC: not durable, the ceiling of this
 * code's own work on this machine (the writes still go to the files).
 */
async function appends(
  root: string,
  sync: 'fdatasync' | 'fsync' | 'none',
  inFlight?: number,
  appenders = APPENDERS,
): Promise<void> {
  const dir = await mkdtemp(join(root, `appends-${sync}-`));
  const counting = countingWrites(sync !== 'none');
  const ops = counting.ops;
  const ledger = await openFsLedger(
    {
      dir,
      ...(sync === 'none' ? {} : { sync }),
      ...(inFlight === undefined ? {} : { maxBatchesInFlight: inFlight }),
    },
    ops,
  );
  const latencies = new Float64Array(4_000_000);
  let recorded = 0;
  let n = 0;
  const round = async (ms: number, record: boolean): Promise<number> => {
    const deadline = hr() + ms;
    let done = 0;
    await Promise.all(
      Array.from({ length: appenders }, async () => {
        while (hr() < deadline) {
          const start = hr();
          await ledger.append(TENANT, [decision(n++)]);
          done += 1;
          if (record && recorded < latencies.length) latencies[recorded++] = hr() - start;
        }
      }),
    );
    return done;
  };
  await round(APPEND_WARMUP_MS, false);
  const writesBefore = counting.writes();
  const elu = performance.eventLoopUtilization();
  const start = hr();
  const done = await round(APPEND_MEASURE_MS, true);
  const seconds = (hr() - start) / 1000;
  const busy = performance.eventLoopUtilization(elu).active;
  const writes = counting.writes() - writesBefore;
  await ledger.close();
  await rm(dir, { recursive: true, force: true });
  const sorted = latencies.subarray(0, recorded).sort();
  const name = sync === 'none' ? 'no sync (not durable)' : sync;
  const label =
    inFlight !== undefined
      ? `${name}, ${inFlight} in flight`
      : appenders !== APPENDERS
        ? `${name}, ${appenders} appenders`
        : name;
  console.log(
    `  ${label.padEnd(24)} ${fmt(done / seconds).padStart(9)} appends/s   ` +
      `${fmt(done / Math.max(1, writes), 1).padStart(5)} entries/write   ` +
      `p50 ${fmt(percentile(sorted, 50), 2)} ms   p99 ${fmt(percentile(sorted, 99), 2)} ms   ` +
      `main thread busy ${fmt((busy * 1000) / done, 1)} µs/append` +
      (sync === 'none' || appenders !== APPENDERS ? '' : `   (target ≥ ${fmt(TARGET_APPENDS)}/s)`),
  );
}

/** Writes the chain and returns the ledger, still open for writing. */
async function bulkChain(dir: string): Promise<FsLedger> {
  const ledger = await FsLedger.open({ dir });
  const start = hr();
  let next = 0;
  await Promise.all(
    Array.from({ length: BULK_IN_FLIGHT }, async () => {
      while (next < CHAIN_SIZE) {
        const from = next;
        next += BULK_CALL;
        await ledger.append(
          TENANT,
          Array.from({ length: Math.min(BULK_CALL, CHAIN_SIZE - from) }, (_, i) =>
            decision(from + i),
          ),
        );
      }
    }),
  );
  const seconds = (hr() - start) / 1000;
  console.log(
    `  wrote ${fmt(CHAIN_SIZE)} entries in ${fmt(seconds, 1)} s ` +
      `(${fmt(CHAIN_SIZE / seconds)} entries/s in calls of ${BULK_CALL}, ${BULK_IN_FLIGHT} in flight)`,
  );
  return ledger;
}

async function verifyInProcess(ledger: FsLedger, threads: number): Promise<void> {
  const digester = threads === 0 ? undefined : new WorkerDigester({ threads });
  const before = process.memoryUsage().rss;
  const start = hr();
  const { value: report, peakRss } = await withPeakRss(() =>
    verifyLedger(ledger, TENANT, digester === undefined ? {} : { digester }),
  );
  const seconds = (hr() - start) / 1000;
  await digester?.close();
  const label = threads === 0 ? 'calling thread' : `${threads} worker threads`;
  console.log(
    `  ${label.padEnd(16)} ${fmt(seconds, 2)} s (${fmt(report.checked / seconds)} entries/s), ` +
      `ok=${String(report.ok)}, peak RSS ${fmt(peakRss / MB)} MB (${fmt(before / MB)} MB before)`,
  );
}

function printChild(label: string, child: ChildReport, target = ''): void {
  console.log(
    `  ${label.padEnd(16)} ${fmt(child.ms / 1000, 2)} s (${fmt(CHAIN_SIZE / (child.ms / 1000))} entries/s), ` +
      `${child.detail}, peak RSS ${fmt(child.sampledPeakRssMb)} MB sampled / ${fmt(child.maxRssMb)} MB ` +
      `kernel max (${fmt(child.baseRssMb)} MB before the run)${target}`,
  );
}

async function proofs(ledger: FsLedger): Promise<void> {
  const { value: first, peakRss } = await withPeakRss(async () => {
    const start = hr();
    const proof = await ledger.inclusionProof(TENANT, Math.ceil(CHAIN_SIZE / 3));
    return { proof, ms: hr() - start };
  });
  let entry: StoredEntry | undefined;
  for await (const stored of ledger.read(TENANT, { fromSeq: first.proof.seq, limit: 1 }))
    entry = stored;
  const valid = verifyInclusionProof(first.proof, { entryBytes: entry?.bytes ?? '' });
  const start = hr();
  for (let n = 0; n < LATER_PROOFS; n++)
    await ledger.inclusionProof(TENANT, 1 + ((n * 7919) % CHAIN_SIZE));
  const laterUs = ((hr() - start) / LATER_PROOFS) * 1000;
  console.log(
    `  first proof (loads the tree of ${fmt(CHAIN_SIZE)}): ${fmt(first.ms)} ms, peak RSS ${fmt(peakRss / MB)} MB; ` +
      `valid=${String(valid)}`,
  );
  console.log(
    `  later proofs: ${fmt(laterUs, 1)} µs each (${fmt(LATER_PROOFS)} proofs, path length ${first.proof.path.length})`,
  );
}

async function main(): Promise<void> {
  const dirFlag = argv.indexOf('--dir');
  const base = dirFlag === -1 ? os.tmpdir() : (argv[dirFlag + 1] as string);
  const root = await mkdtemp(join(base, 'govgate-ledger-bench-'));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`govgate file-ledger benchmark${QUICK ? ' (--quick)' : ''}`);
  console.log(
    `  command: pnpm bench:ledger${QUICK ? ' --quick' : ''}${dirFlag === -1 ? '' : ` --dir ${base}`}`,
  );
  console.log(
    `  node ${process.version}, ${cpu} × ${os.cpus().length}, ${os.platform()} ${os.release()}, ` +
      `load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(`  ledger directory: ${root}`);
  try {
    console.log(`\n1. durable appends, ${APPENDERS} concurrent appenders each awaiting its append`);
    await diskCeiling(root, 1, true);
    await diskCeiling(root, 2, true);
    await diskCeiling(root, 2, false);
    await appends(root, 'fdatasync');
    await appends(root, 'fsync');
    await appends(root, 'fdatasync', 1);
    await appends(root, 'fdatasync', undefined, 2 * APPENDERS);
    await appends(root, 'none');
    if (APPENDS_ONLY) return;

    const chain = join(root, 'chain');
    console.log(`\n2. a chain of ${fmt(CHAIN_SIZE)} entries`);
    const writer = await bulkChain(chain);

    console.log(`\n3. inclusion proofs at ${fmt(CHAIN_SIZE)} entries, on the open writer`);
    await proofs(writer);

    console.log(`\n4. verifyLedger over ${fmt(CHAIN_SIZE)} entries`);
    console.log(
      `  in this process (from the sources through tsx; the writer's proof tree in memory):`,
    );
    await verifyInProcess(writer, 0);
    await verifyInProcess(writer, THREADS);
    await writer.close();
    console.log(`  in a fresh node process running the build (packages/*/dist), as govgate runs:`);
    printChild('calling thread', await runChild('verify', chain, 0));
    printChild(
      `${THREADS} worker threads`,
      await runChild('verify', chain, THREADS),
      `   (target ≤ ${TARGET_VERIFY_S} s, < ${TARGET_VERIFY_RSS_MB} MB)`,
    );

    console.log(
      `\n5. reopening for writing (recovery verifies the chain), fresh process running the build`,
    );
    printChild('calling thread', await runChild('open', chain, 0));
    printChild(`${THREADS} worker threads`, await runChild('open', chain, THREADS));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
