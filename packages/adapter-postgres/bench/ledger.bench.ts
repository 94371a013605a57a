/**
 * Ledger append throughput on Postgres: N concurrent appenders, one entry per call,
 * each append committed (synchronous_commit as the server has it) before it resolves.
 * Prints figures; asserts nothing.
 *
 *   GOVGATE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     pnpm exec tsx packages/adapter-postgres/bench/ledger.bench.ts [appenders] [seconds] [chain]
 *
 * `chain` (default 1,000,000) decision-shaped entries are then written in calls of 1,000
 * and the whole chain verified, to print the verify rate at that size.
 */
import { randomBytes } from 'node:crypto';
import { verifyLedger } from '@govgate/core';
import postgres from 'postgres';
import { migrate } from '../src/migrate.js';
import { PostgresKeyStore } from '../src/key-store.js';
import { PostgresLedger } from '../src/postgres-ledger.js';
import { PostgresRateLimitStore } from '../src/rate-limit-store.js';

/** Runs `op` from `workers` concurrent loops for `seconds`; returns ops/s. */
async function rate(workers: number, seconds: number, op: (w: number) => Promise<unknown>) {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (Date.now() < until) {
        await op(w);
        done += 1;
      }
    }),
  );
  return Math.round(done / (Number(process.hrtime.bigint() - started) / 1e9));
}

/** A decision entry shaped as `Governance.check()` writes one (about 600 bytes). */
function decisionEntry(n: number) {
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
        metadata: { contains_personal_data: denied, purpose: 'support', tokens: 1000 + (n % 500) },
        model: 'gpt-4o',
        operation: 'chat.completion',
      },
    },
  };
}

async function main(): Promise<void> {
  const appenders = Number(process.argv[2] ?? 64);
  const seconds = Number(process.argv[3] ?? 5);
  const base =
    process.env.GOVGATE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(base, { max: 1, onnotice: () => undefined });
  const name = `govgate_bench_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 10, onnotice: () => undefined });
  try {
    await migrate(sql);
    const sync = (await sql<{ synchronous_commit: string }[]>`show synchronous_commit`)[0]
      ?.synchronous_commit;
    const ledger = new PostgresLedger(sql);
    const until = Date.now() + seconds * 1000;
    const latencies: number[] = [];
    let appended = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: appenders }, async (_, a) => {
        while (Date.now() < until) {
          const t0 = process.hrtime.bigint();
          await ledger.append('bench', [
            { type: 'decision', actor: `appender-${a}`, data: { allowed: true, riskScore: 12 } },
          ]);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          appended += 1;
        }
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((x, y) => x - y);
    const pct = (p: number): string =>
      (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(2);
    console.log(
      `appends: ${appenders} appenders, ${appended} entries in ${elapsed.toFixed(2)} s = ` +
        `${Math.round(appended / elapsed)}/s (synchronous_commit=${sync}); ` +
        `latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
    );
    const v0 = process.hrtime.bigint();
    const report = await verifyLedger(ledger, 'bench');
    const vs = Number(process.hrtime.bigint() - v0) / 1e9;
    console.log(
      `verify: ${report.checked} entries in ${vs.toFixed(2)} s = ${Math.round(report.checked / vs)}/s, ok=${report.ok}`,
    );
    const chain = Number(process.argv[4] ?? 1_000_000);
    const c0 = process.hrtime.bigint();
    let written = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (written < chain) {
          const n = Math.min(1000, chain - written);
          written += n;
          await ledger.append(
            'chain',
            Array.from({ length: n }, (_, i) => decisionEntry(written - n + i)),
          );
        }
      }),
    );
    const cs = Number(process.hrtime.bigint() - c0) / 1e9;
    const r0 = process.hrtime.bigint();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const chainReport = await verifyLedger(ledger, 'chain');
    clearInterval(sampler);
    const rs = Number(process.hrtime.bigint() - r0) / 1e9;
    console.log(
      `chain of ${chain} decision entries: written in ${cs.toFixed(1)} s (${Math.round(chain / cs)}/s in calls of 1000, 8 in flight); ` +
        `verify ${chainReport.checked} in ${rs.toFixed(2)} s = ${Math.round(chainReport.checked / rs)}/s, ok=${chainReport.ok}, ` +
        `peak RSS ${Math.round(peak / 2 ** 20)} MB`,
    );
    await ledger.close();

    const keys = new PostgresKeyStore(sql);
    for (let k = 0; k < 1000; k++)
      await keys.create({
        id: `k${String(k).padStart(15, '0')}`,
        tenant: 'bench',
        role: 'client',
        name: `key ${k}`,
        secretHash: 'a'.repeat(64),
        createdAt: new Date().toISOString(),
      });
    const lookups = await rate(appenders, 2, (w) =>
      keys.findById(`k${String((w * 7919) % 1000).padStart(15, '0')}`),
    );
    console.log(`key lookups: ${lookups}/s with ${appenders} concurrent callers`);
    const limits = new PostgresRateLimitStore(sql);
    const takes = await rate(appenders, 2, (w) =>
      limits.take('bench', `key-${w % 16}`, { capacity: 100, perSeconds: 60 }, Date.now()),
    );
    console.log(`rate-limit takes: ${takes}/s with ${appenders} callers over 16 buckets`);
  } finally {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

void main();
