/**
 * Store benchmark: SQLite (@govgate/adapter-sqlite), then Postgres (@govgate/adapter-postgres).
 *
 *   1. durable ledger appends: 64 concurrent appenders, each awaiting its own
 *      single-entry append (resolved only after the transaction holding it commits,
 *      WAL with synchronous=FULL): appends/s, entries per transaction, p50/p99;
 *   2. verifyLedger over a chain of CHAIN_SIZE entries written in bulk: entries/s;
 *   3. API key lookups by id (`findById`): lookups/s;
 *   4. rate-limit takes (one BEGIN IMMEDIATE transaction each): takes/s.
 *
 * Run with `pnpm exec tsx bench/store.bench.ts` (`--quick` for a short smoke run,
 * `--dir <path>` to measure another disk than the temporary directory's). Nothing is
 * asserted: targets are printed beside the figures. The Postgres half belongs to
 * @govgate/adapter-postgres.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { verifyLedger, type AppendRequest } from '../packages/core/src/index.js';
import {
  migrate,
  openSqlite,
  type SqliteDatabase,
} from '../packages/adapter-sqlite/src/database.js';
import { SqliteLedger } from '../packages/adapter-sqlite/src/sqlite-ledger.js';
import { SqliteKeyStore } from '../packages/adapter-sqlite/src/sqlite-key-store.js';
import { SqliteRateLimitStore } from '../packages/adapter-sqlite/src/sqlite-rate-limit-store.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const dirArg = argv.indexOf('--dir');
const ROOT = dirArg >= 0 ? (argv[dirArg + 1] as string) : os.tmpdir();
const APPENDERS = 64;
const WARMUP_MS = QUICK ? 300 : 1_000;
const MEASURE_MS = QUICK ? 1_000 : 4_000;
const CHAIN_SIZE = QUICK ? 100_000 : 1_000_000;
const BULK_CALL = 1_000;
const KEYS = 10_000;
const LOOKUPS = QUICK ? 100_000 : 1_000_000;
const TAKES = QUICK ? 20_000 : 200_000;

const TARGET_APPENDS = 50_000;

const hr = (): number => Number(process.hrtime.bigint()) / 1e6;
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A decision entry about the size `Governance.check()` writes (~600 bytes). */
function decision(n: number): AppendRequest {
  return {
    type: 'decision',
    actor: `key_${n % 97}`,
    subject: `run_${n}`,
    data: {
      decision: {
        allowed: n % 7 !== 0,
        policy: { digest: 'b'.repeat(64), id: 'default', version: 3 },
        reasons: [],
        review: false,
        riskScore: n % 50,
      },
      pii: [],
      request: {
        context: { app: 'helpdesk', environment: 'production' },
        metadata: { contains_personal_data: false, purpose: 'support', tokens: 1000 + (n % 500) },
        model: 'gpt-4o',
        operation: 'chat.completion',
      },
    },
  };
}

async function withDatabase<T>(name: string, run: (db: SqliteDatabase) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(ROOT, `govgate-store-bench-${name}-`));
  const db = openSqlite({ file: join(dir, 'govgate.db') });
  try {
    migrate(db);
    return await run(db);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function appends(db: SqliteDatabase): Promise<void> {
  // A batch is sealed at one time: the clock is read once per transaction.
  let transactions = 0;
  const ledger = new SqliteLedger(db, { clock: { now: () => (transactions++, Date.now()) } });
  const latencies = new Float64Array(8_000_000);
  let recorded = 0;
  let measuring = false;
  let stop = false;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const start = hr();
      await ledger.append('bench', [decision(n++)]);
      if (measuring && recorded < latencies.length) latencies[recorded++] = hr() - start;
    }
  };
  const workers = Array.from({ length: APPENDERS }, worker);
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  const startTx = transactions;
  const start = hr();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  measuring = false;
  const ms = hr() - start;
  const tx = transactions - startTx;
  stop = true;
  await Promise.all(workers);
  await ledger.close();
  const sorted = latencies.slice(0, recorded).sort();
  console.log(
    `sqlite ledger appends, ${APPENDERS} concurrent appenders, synchronous=FULL (WAL): ` +
      `${fmt((recorded / ms) * 1000)}/s (target ≥ ${fmt(TARGET_APPENDS)}/s), ` +
      `${fmt(recorded / Math.max(1, tx), 1)} entries per transaction, ` +
      `p50 ${fmt(percentile(sorted, 50), 2)} ms, p99 ${fmt(percentile(sorted, 99), 2)} ms`,
  );
}

async function verify(db: SqliteDatabase): Promise<void> {
  const ledger = new SqliteLedger(db);
  const inFlight = 8;
  let written = 0;
  const start = hr();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (written < CHAIN_SIZE) {
        const base = written;
        written += BULK_CALL;
        await ledger.append(
          'bench',
          Array.from({ length: BULK_CALL }, (_, i) => decision(base + i)),
        );
      }
    }),
  );
  const writeMs = hr() - start;
  const verifyStart = hr();
  const report = await verifyLedger(ledger, 'bench');
  const verifyMs = hr() - verifyStart;
  await ledger.close();
  console.log(
    `sqlite chain of ${fmt(report.checked)} entries: written in bulk at ` +
      `${fmt((report.checked / writeMs) * 1000)}/s; verifyLedger ok=${report.ok} in ` +
      `${fmt(verifyMs / 1000, 2)} s (${fmt((report.checked / verifyMs) * 1000)} entries/s)`,
  );
}

async function keyLookups(db: SqliteDatabase): Promise<void> {
  const keys = new SqliteKeyStore(db);
  const createdAt = new Date().toISOString();
  db.client.transaction(() => {
    for (let i = 0; i < KEYS; i++)
      void keys.create({
        id: `k${String(i).padStart(15, '0')}`,
        tenant: `t${i % 10}`,
        role: 'client',
        name: `key ${i}`,
        secretHash: 'a'.repeat(64),
        createdAt,
      });
  })();
  const start = hr();
  let found = 0;
  for (let i = 0; i < LOOKUPS; i++)
    if ((await keys.findById(`k${String(i % KEYS).padStart(15, '0')}`)) !== undefined) found++;
  const ms = hr() - start;
  console.log(
    `sqlite key lookups by id: ${fmt((LOOKUPS / ms) * 1000)}/s (${fmt(found)} of ${fmt(LOOKUPS)} found)`,
  );
}

async function rateLimitTakes(db: SqliteDatabase): Promise<void> {
  const limits = new SqliteRateLimitStore(db);
  const spec = { capacity: 100, perSeconds: 60 };
  const now = Date.now();
  const start = hr();
  let allowed = 0;
  for (let i = 0; i < TAKES; i++)
    if ((await limits.take('bench', `key_${i % 1000}`, spec, now + i)).allowed) allowed++;
  const ms = hr() - start;
  console.log(
    `sqlite rate-limit takes (durable, one transaction each): ${fmt((TAKES / ms) * 1000)}/s ` +
      `(${fmt(allowed)} allowed)`,
  );
}

async function main(): Promise<void> {
  console.log(
    `store bench (SQLite) on ${ROOT}, node ${process.version}, ${os.cpus().length} CPUs` +
      (QUICK ? ' (quick)' : ''),
  );
  console.log(`reproduce: pnpm exec tsx bench/store.bench.ts${QUICK ? ' --quick' : ''}`);
  await withDatabase('appends', appends);
  await withDatabase('verify', verify);
  await withDatabase('keys', keyLookups);
  await withDatabase('limits', rateLimitTakes);
  postgresHalf();
}

/**
 * The Postgres figures come from the adapter's own bench script, run as a child so that
 * each store is measured in a fresh process (GOVGATE_BENCH_DATABASE_URL, default local).
 */
function postgresHalf(): void {
  const script = fileURLToPath(
    new URL('../packages/adapter-postgres/bench/ledger.bench.ts', import.meta.url),
  );
  const args = ['--import', 'tsx', script, '64', QUICK ? '2' : '5', QUICK ? '100000' : '1000000'];
  console.log(
    `\nstore bench (Postgres): ${process.env.GOVGATE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'}`,
  );
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
