/**
 * HTTP benchmark of the govgate service (@govgate/http-express), with autocannon.
 *
 *   A. POST /v1/check on the real service in the zero-config default (SQLite store,
 *      durable file ledger with fsync'ed group commit) in a fresh temporary data dir,
 *      logs silent, rate limit high enough never to throttle, with a client key;
 *   B. POST /v1/check on a bare Express 5 app that parses the same JSON body and
 *      answers a constant decision: the floor of Node + Express on this machine;
 *   A'. A again (a fresh data dir) with info logs (one line per request) to /dev/null.
 *
 * Each target runs in its own child process (bench/http-target.ts), so autocannon,
 * here, does not share the target's event loop. Per target: one request checked by
 * hand, a warm-up, then the measured run (50 connections, pipelining 1). A/B is
 * printed against its target, as is A's p99; nothing is asserted. Afterwards the
 * ledger of each service is verified over HTTP and must hold every 2xx check.
 *
 * Run with `pnpm bench:http` (`--seconds N` for the measured run, default 10;
 * `--quick` for a 2 s smoke run; `--no-info` to skip A').
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

import autocannon from 'autocannon';

import type { TargetReady } from './http-target.js';

// ------------------------------------------------------------------------ settings

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const WITH_INFO = !argv.includes('--no-info');
const secondsAt = argv.indexOf('--seconds');
const MEASURE_S = secondsAt === -1 ? (QUICK ? 2 : 10) : Number(argv[secondsAt + 1]);
if (!Number.isInteger(MEASURE_S) || MEASURE_S < 1) {
  console.error('--seconds needs a whole number of seconds, at least 1');
  process.exit(2);
}
const WARMUP_S = QUICK ? 1 : 3;
const CONNECTIONS = 50;
const PIPELINING = 1;

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 25;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_SCRIPT = fileURLToPath(new URL('./http-target.ts', import.meta.url));
const CHECK_BODY = JSON.stringify({
  model: 'gpt-4o',
  operation: 'chat.completion',
  metadata: { contains_personal_data: false, is_external_model: true },
});
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

// ------------------------------------------------------------------------ helpers

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mark = (met: boolean): string => (met ? 'met' : 'MISSED');
const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** The first-start admin key (govgate targets only). */
  readonly adminKey?: string;
  /** The key the load is sent with (govgate: a client key made through the API). */
  readonly bearer?: string;
  readonly dataDir?: string;
}

/** Reads the one JSON line a target writes to fd 3 once it listens. */
function readReady(pipe: Readable, child: ChildProcess, name: string): Promise<TargetReady> {
  return new Promise((resolve, reject) => {
    let text = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${name}: ${why}`));
    };
    const timer = setTimeout(() => fail('did not start in time'), START_TIMEOUT_MS);
    child.once('exit', (code) => fail(`exited with ${code} before listening`));
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      const parsed: unknown = JSON.parse(text.slice(0, newline));
      if (!isRecord(parsed) || typeof parsed.url !== 'string')
        return reject(new Error(`${name}: unexpected announcement ${text.slice(0, newline)}`));
      resolve({
        url: parsed.url,
        ...(typeof parsed.adminKey === 'string' ? { adminKey: parsed.adminKey } : {}),
      });
    });
  });
}

async function startTarget(
  name: string,
  kind: 'govgate' | 'bare',
  logLevel: 'silent' | 'info' = 'silent',
): Promise<Target> {
  const dataDir =
    kind === 'govgate' ? await mkdtemp(join(os.tmpdir(), 'govgate-http-bench-')) : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('GOVGATE_')) delete env[name];
  if (dataDir !== undefined) {
    Object.assign(env, {
      GOVGATE_DATA_DIR: dataDir,
      GOVGATE_LOG_LEVEL: logLevel,
      GOVGATE_RATE_LIMIT: '100000000/60s',
    });
  }
  // stdout 'ignore' is /dev/null: that is where the service's logs go.
  const child = spawn(process.execPath, ['--import', 'tsx', TARGET_SCRIPT, kind], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  const partial: Target = { name, child, url: '', ...(dataDir === undefined ? {} : { dataDir }) };
  try {
    const ready = await readReady(child.stdio[3] as Readable, child, name);
    if (ready.adminKey === undefined) return { ...partial, url: ready.url };
    // The load is sent as a client would: with a client key, made through the API.
    const created = await fetch(`${ready.url}/v1/admin/keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ready.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'client', name: 'http-bench' }),
    });
    const issued: unknown = await created.json();
    if (created.status !== 201 || !isRecord(issued) || typeof issued.key !== 'string')
      throw new Error(`${name}: creating a client key answered ${created.status}`);
    return { ...partial, url: ready.url, adminKey: ready.adminKey, bearer: issued.key };
  } catch (error) {
    await stopTarget(partial);
    throw error;
  }
}

function checkHeaders(target: Target): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...(target.bearer === undefined ? {} : { Authorization: `Bearer ${target.bearer}` }),
  };
}

/** One request by hand before any load: 200, and for govgate a decision with a `seq`. */
async function preflight(target: Target): Promise<void> {
  const response = await fetch(`${target.url}/v1/check`, {
    method: 'POST',
    headers: checkHeaders(target),
    body: CHECK_BODY,
  });
  const body: unknown = await response.json();
  const ok =
    response.status === 200 &&
    isRecord(body) &&
    typeof body.allowed === 'boolean' &&
    (target.bearer === undefined || typeof body.seq === 'number');
  if (!ok)
    throw new Error(
      `${target.name}: POST /v1/check answered ${response.status} ${JSON.stringify(body)}`,
    );
  const seq = isRecord(body) && typeof body.seq === 'number' ? `, seq ${body.seq}` : '';
  console.log(`  ${target.name}: one request first → ${response.status}${seq}`);
}

function load(target: Target, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${target.url}/v1/check`,
    method: 'POST',
    headers: checkHeaders(target),
    body: CHECK_BODY,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: seconds,
  });
}

interface Row {
  readonly name: string;
  readonly result: autocannon.Result;
  /** 2xx answers of every request sent so far (preflight, warm-up, measured run). */
  readonly total2xx: number;
}

async function measure(target: Target): Promise<Row> {
  await preflight(target);
  const warmup = await load(target, WARMUP_S);
  const result = await load(target, MEASURE_S);
  console.log(
    `  ${target.name}: warm-up ${WARMUP_S} s (${fmt(warmup.requests.average)} req/s), ` +
      `measured ${MEASURE_S} s, load ${loadavg()}`,
  );
  return { name: target.name, result, total2xx: 1 + warmup['2xx'] + result['2xx'] };
}

/** GET /v1/ledger/verify: the last NDJSON line is the report. */
async function verifyLedger(target: Target, expected: number): Promise<string> {
  const response = await fetch(`${target.url}/v1/ledger/verify`, {
    headers: { Authorization: `Bearer ${target.adminKey ?? ''}` },
  });
  const lines = (await response.text()).split('\n').filter((line) => line !== '');
  const last: unknown = JSON.parse(lines[lines.length - 1] ?? 'null');
  const report = isRecord(last) && isRecord(last.report) ? last.report : undefined;
  if (response.status !== 200 || report === undefined)
    return `${target.name}: ledger verify answered ${response.status} ${JSON.stringify(last)} — MISSED`;
  const checked = typeof report.checked === 'number' ? report.checked : NaN;
  const good = report.ok === true && checked >= expected;
  return (
    `${target.name}: ledger verify ok=${String(report.ok)}, checked ${fmt(checked)} entries ` +
    `(≥ ${fmt(expected)} 2xx checks sent: ${mark(good)})`
  );
}

async function stopTarget(target: Target): Promise<string> {
  const started = performance.now();
  const { child } = target;
  let how = 'SIGTERM';
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      how = `SIGKILL after ${STOP_TIMEOUT_MS / 1000} s`;
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  if (target.dataDir !== undefined) await rm(target.dataDir, { recursive: true, force: true });
  return `${target.name}: stopped (${how}) in ${fmt(performance.now() - started)} ms, exit ${child.exitCode ?? child.signalCode}`;
}

function printTable(rows: readonly Row[]): void {
  const header = [
    'target',
    'req/s',
    'mean ms',
    'p50 ms',
    'p99 ms',
    'max ms',
    'requests',
    'non-2xx',
    'errors',
  ];
  const cells = rows.map(({ name, result: r }) => [
    name,
    fmt(r.requests.average),
    fmt(r.latency.mean, 2),
    fmt(r.latency.p50),
    fmt(r.latency.p99),
    fmt(r.latency.max),
    fmt(r.requests.total),
    fmt(r.non2xx),
    `${fmt(r.errors)}${r.timeouts > 0 ? ` (${fmt(r.timeouts)} timeouts)` : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  console.log(`  ${line(header)}`);
  for (const c of cells) console.log(`  ${line(c)}`);
}

// ------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const cpus = os.cpus();
  const version = (createRequire(import.meta.url)('autocannon/package.json') as { version: string })
    .version;
  const command = `pnpm bench:http${QUICK ? ' --quick' : ''}${secondsAt === -1 ? '' : ` --seconds ${MEASURE_S}`}${WITH_INFO ? '' : ' --no-info'}`;
  console.log(`govgate HTTP benchmark${QUICK ? ' (--quick)' : ''}`);
  console.log(`  command: ${command}`);
  console.log(
    `  node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ` +
      `${os.platform()} ${os.release()}, load ${loadavg()}`,
  );
  console.log(
    `  autocannon ${version} in this process, each target in its own child process; ` +
      `${CONNECTIONS} connections, pipelining ${PIPELINING}, warm-up ${WARMUP_S} s, measured ${MEASURE_S} s`,
  );
  console.log(`  POST /v1/check, body ${CHECK_BODY}`);

  const specs: ReadonlyArray<readonly [string, 'govgate' | 'bare', 'silent' | 'info']> = [
    ['A govgate (sqlite + fs ledger, silent)', 'govgate', 'silent'],
    ['B bare express 5', 'bare', 'silent'],
    ...(WITH_INFO ? [["A' govgate, info logs → /dev/null", 'govgate', 'info'] as const] : []),
  ];
  const rows: Row[] = [];
  const notes: string[] = [];
  console.log('\n1. runs');
  for (const [name, kind, logLevel] of specs) {
    const target = await startTarget(name, kind, logLevel);
    try {
      const row = await measure(target);
      rows.push(row);
      if (target.adminKey !== undefined) notes.push(await verifyLedger(target, row.total2xx));
    } finally {
      notes.push(await stopTarget(target));
    }
  }

  console.log('\n2. results (measured run)');
  printTable(rows);
  console.log('  (latency percentiles: autocannon keeps whole milliseconds; 2xx answers only)');
  const a = rows[0]?.result;
  const b = rows[1]?.result;
  if (a !== undefined && b !== undefined) {
    const ratio = a.requests.average / b.requests.average;
    console.log(
      `\n  A/B req/s: ${fmt(ratio, 2)} (target ≥ ${TARGET_RATIO} with ${CONNECTIONS} connections: ${mark(ratio >= TARGET_RATIO)})`,
    );
    console.log(
      `  A p99: ${fmt(a.latency.p99)} ms (target < ${TARGET_P99_MS} ms: ${mark(a.latency.p99 < TARGET_P99_MS)})`,
    );
    const info = rows[2]?.result;
    if (info !== undefined)
      console.log(
        `  A'/B req/s: ${fmt(info.requests.average / b.requests.average, 2)}, A'/A: ${fmt(info.requests.average / a.requests.average, 2)} (info)`,
      );
  }

  console.log('\n3. ledger and shutdown');
  for (const note of notes) console.log(`  ${note}`);
  console.log(`\n  load ${loadavg()} at the end (other processes skew the figures)`);
}

await main();
