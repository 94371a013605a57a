/**
 * Compliance benchmark: the verdict, evidence pack and coverage of one run of 1,000
 * evidence entries in a tenant whose ledger holds 1,000,000 entries, through the HTTP
 * service (@govgate/http-express).
 *
 *   1. The ledger of tenant `default` is written directly with the file ledger, in a
 *      fresh temporary data dir: decision entries, and, spread evenly among them, 998
 *      evidence entries of run `bench-run` and 2 approvals at the very end.
 *   2. Where a verdict's reads go, measured on that ledger before it is closed: the
 *      run's 1,000 seqs read one range each (as Compliance.runEntries reads them when
 *      no two are contiguous), against one sequential read over the same span.
 *   3. The service starts in its own child process (bench/http-target.ts) on that data
 *      dir: the first start creates tenant `default` and its admin key, then catches
 *      the evidence index up from the ledger in the background. The reindex time is
 *      the time from the service's announcement until the verdict first counts the
 *      1,000 entries (polled every POLL_MS).
 *   4. A requirement profile is saved and activated; GET /v1/runs/bench-run/verdict is
 *      timed (first call, then REPEATS calls), GET /v1/runs/bench-run/pack (twice: the
 *      first loads the Merkle tree), verifyPack on the pack, GET /v1/coverage?runId=….
 *
 * Targets are printed as met/MISSED, never asserted.
 *
 * Run with `pnpm bench:compliance` (`--quick`: a 100,000-entry ledger, same run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

import {
  evidenceEntry,
  verifyPack,
  type AppendRequest,
  type JsonObject,
} from '../packages/core/src/index.js';
import { FsLedger } from '../packages/adapter-fs-ledger/src/index.js';
import type { TargetReady } from './http-target.js';

// ------------------------------------------------------------------------ settings

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const TOTAL_ENTRIES = QUICK ? 100_000 : 1_000_000;
const EVIDENCE = 1_000;
const APPROVALS = 2;
const BATCH = 1_000;
const IN_FLIGHT = 4;
const REPEATS = 20;
const COVERAGE_REPEATS = 5;
const POLL_MS = 20;

const TENANT = 'default';
const RUN_ID = 'bench-run';
const ACTOR = 'key:bench';
const APPROVERS = ['alice@example.com', 'bob@example.com'] as const;
const TARGET_VERDICT_P50_MS = 50;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_SCRIPT = fileURLToPath(new URL('./http-target.ts', import.meta.url));
// Opening a ledger of 1,000,000 entries verifies every chain before the service listens.
const START_TIMEOUT_MS = 15 * 60_000;
const REINDEX_TIMEOUT_MS = 15 * 60_000;
const STOP_TIMEOUT_MS = 60_000;

const PROFILE = {
  id: 'bench',
  version: 1,
  requires: [
    { type: 'eval.accuracy', where: { path: 'data.value', gte: 0.9 } },
    { type: 'data.provenance' },
    { type: 'bias.audit', where: { path: 'data.passed', equals: true } },
    { type: 'risk.assessment' },
  ],
  approvals: { approvers: [...APPROVERS], min: 2 },
};

// ------------------------------------------------------------------------ helpers

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mark = (met: boolean): string => (met ? 'met' : 'MISSED');
const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const mb = (bytes: number): string => `${fmt(bytes / 1024 / 1024, 1)} MB`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  console.log(`  ${line(header)}`);
  for (const r of rows) console.log(`  ${line(r)}`);
}

function timingRow(name: string, ms: readonly number[]): string[] {
  const sorted = [...ms].sort((a, b) => a - b);
  return [
    name,
    fmt(sorted.length),
    fmt(sorted[0] ?? NaN, 1),
    fmt(percentile(sorted, 50), 1),
    fmt(percentile(sorted, 95), 1),
    fmt(sorted[sorted.length - 1] ?? NaN, 1),
  ];
}

async function dirBytes(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const name of await readdir(dir)) {
    const info = await stat(join(dir, name));
    if (info.isFile()) {
      files++;
      bytes += info.size;
    }
  }
  return { files, bytes };
}

// ------------------------------------------------------------------------ the ledger

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet', 'llama-3-70b', 'mistral-large'];
const OPERATIONS = ['chat.completion', 'embedding', 'completion', 'image.generation'];
const DEPARTMENTS = ['support', 'legal', 'marketing', 'engineering', 'finance', 'hr'];
const POLICY_REF = {
  digest: 'b'.repeat(64),
  id: 'default',
  version: 1,
};

/** A decision entry shaped like the ones governance.check() records. */
function decisionRequest(n: number): AppendRequest {
  const external = n % 3 !== 0;
  const personal = n % 17 === 0;
  const riskScore = (external ? 20 : 0) + (personal ? 50 : 0) + (n % 7);
  const allowed = riskScore < 70;
  const reasons: JsonObject[] = [];
  if (external) reasons.push({ code: 'external_model', rule: 'external-model', weight: 20 });
  if (personal) reasons.push({ code: 'personal_data', rule: 'personal-data', weight: 50 });
  return {
    type: 'decision',
    actor: `key:k_client${n % 4}`,
    data: {
      decision: { allowed, policy: POLICY_REF, reasons, review: riskScore >= 50, riskScore },
      pii: personal ? ['email'] : [],
      request: {
        metadata: {
          contains_personal_data: personal,
          department: DEPARTMENTS[n % DEPARTMENTS.length] ?? 'support',
          is_external_model: external,
          prompt_tokens: 100 + ((n * 37) % 4000),
          request_id: `req-${n.toString(36).padStart(8, '0')}`,
          user: `user-${n % 5000}`,
        },
        model: MODELS[n % MODELS.length] ?? 'gpt-4o',
        operation: OPERATIONS[n % OPERATIONS.length] ?? 'chat.completion',
      },
    },
  };
}

/** The i-th evidence entry of the run (before its approvals). */
function evidenceRequest(i: number): AppendRequest {
  const kinds: readonly (readonly [string, JsonObject])[] = [
    [
      'eval.accuracy',
      { dataset: 'holdout-v3', samples: 10_000, value: 0.95 + (i % 5) / 100, build: i },
    ],
    [
      'data.provenance',
      {
        license: 'CC-BY-4.0',
        rows: 1_000_000 + i,
        sha256: (i % 16).toString(16).repeat(64),
        source: `s3://datasets/bench/part-${i}.parquet`,
      },
    ],
    ['bias.audit', { gap: 0.02, metric: 'demographic_parity', passed: true, groups: 6 }],
    ['risk.assessment', { assessor: 'risk-team', level: 'limited', review: `RA-${i}` }],
    ['eval.robustness', { perturbations: 12, value: 0.91 }],
    ['model.card', { url: `https://models.example.com/cards/bench-${i}` }],
    ['human.oversight', { operator: 'ops-team', procedure: 'HO-7' }],
    ['security.review', { findings: 0, reviewer: 'appsec' }],
  ];
  const [type, data] = kinds[i % kinds.length] ?? ['eval.accuracy', { value: 0.95 }];
  return evidenceEntry({ runId: RUN_ID, type, data }, ACTOR);
}

function approvalRequest(approver: string): AppendRequest {
  return evidenceEntry(
    { runId: RUN_ID, type: 'approval', data: { approver, comment: 'release approved' } },
    ACTOR,
  );
}

interface Built {
  /** Still open: closed once the reads of section 2 are measured. */
  readonly ledger: FsLedger;
  readonly ms: number;
  readonly evidenceSeqs: readonly number[];
  readonly bytes: number;
  readonly files: number;
}

/**
 * Writes TOTAL_ENTRIES entries: evidence i (0 ≤ i < EVIDENCE - APPROVALS) at position
 * ⌊(i + ½)·(N − 2)/(E − 2)⌋ + 1 of the first N − 2, the approvals last.
 */
async function buildLedger(dir: string): Promise<Built> {
  const spread = EVIDENCE - APPROVALS;
  const span = TOTAL_ENTRIES - APPROVALS;
  const evidenceAt = new Map<number, number>();
  for (let i = 0; i < spread; i++) evidenceAt.set(Math.floor(((i + 0.5) * span) / spread) + 1, i);
  const ledger = await FsLedger.open({ dir });
  const evidenceSeqs: number[] = [];
  const started = performance.now();
  try {
    const inFlight = new Set<Promise<void>>();
    for (let first = 1; first <= TOTAL_ENTRIES; first += BATCH) {
      const batch: AppendRequest[] = [];
      for (
        let position = first;
        position < first + BATCH && position <= TOTAL_ENTRIES;
        position++
      ) {
        const i = evidenceAt.get(position);
        if (position > span) batch.push(approvalRequest(APPROVERS[position - span - 1] ?? ''));
        else if (i !== undefined) batch.push(evidenceRequest(i));
        else batch.push(decisionRequest(position));
      }
      const appended = ledger.append(TENANT, batch).then((entries) => {
        for (const entry of entries) if (entry.type === 'evidence') evidenceSeqs.push(entry.seq);
      });
      const tracked: Promise<void> = appended.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (process.stdout.isTTY && (first - 1) % 100_000 === 0 && first > 1)
        process.stdout.write(`    ${fmt(first - 1)} entries written…\r`);
    }
    await Promise.all(inFlight);
    const head = await ledger.head(TENANT);
    if (head.size !== TOTAL_ENTRIES)
      throw new Error(`the ledger holds ${head.size} entries, not ${TOTAL_ENTRIES}`);
    const ms = performance.now() - started;
    evidenceSeqs.sort((a, b) => a - b);
    const { files, bytes } = await dirBytes(join(dir, TENANT));
    return { ledger, ms, evidenceSeqs, bytes, files };
  } catch (error) {
    await ledger.close();
    throw error;
  }
}

/**
 * What a verdict's ledger reads cost, without HTTP or the index: the run's seqs one
 * range each (what Compliance.runEntries does for seqs that are not contiguous), and
 * one sequential read from the first seq to the last, keeping the run's entries.
 */
async function diagnoseReads(ledger: FsLedger, seqs: readonly number[]): Promise<void> {
  const first = seqs[0] ?? 1;
  const last = seqs[seqs.length - 1] ?? 1;
  const rows: string[][] = [];
  for (let round = 0; round < 2; round++) {
    let found = 0;
    let started = performance.now();
    for (const seq of seqs)
      for await (const stored of ledger.read(TENANT, { fromSeq: seq, limit: 1 }))
        if (stored.entry.type === 'evidence') found++;
    const ranged = performance.now() - started;
    let scanned = 0;
    let kept = 0;
    started = performance.now();
    for await (const stored of ledger.read(TENANT, { fromSeq: first, limit: last - first + 1 })) {
      scanned++;
      if (stored.entry.type === 'evidence' && stored.entry.subject === RUN_ID) kept++;
    }
    const sequential = performance.now() - started;
    rows.push([
      `${round === 0 ? 'first' : 'again'}: ${fmt(seqs.length)} reads of 1 seq`,
      fmt(ranged, 1),
      `${fmt(found)} evidence`,
    ]);
    rows.push([
      `${round === 0 ? 'first' : 'again'}: 1 read of seqs ${fmt(first)}–${fmt(last)}`,
      fmt(sequential, 1),
      `${fmt(kept)} of ${fmt(scanned)} parsed entries`,
    ]);
  }
  printTable(['ledger reads (in this process)', 'ms', 'result'], rows);
}

// ------------------------------------------------------------------------ the service

interface Service {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminKey: string;
  readonly startMs: number;
  readonly readyAt: number;
}

function readReady(pipe: Readable, child: ChildProcess): Promise<TargetReady> {
  return new Promise((resolve, reject) => {
    let text = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`service: ${why}`));
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
        return reject(new Error(`service: unexpected announcement ${text.slice(0, newline)}`));
      resolve({
        url: parsed.url,
        ...(typeof parsed.adminKey === 'string' ? { adminKey: parsed.adminKey } : {}),
      });
    });
  });
}

async function startService(dataDir: string): Promise<Service> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('GOVGATE_')) delete env[name];
  Object.assign(env, {
    GOVGATE_DATA_DIR: dataDir,
    GOVGATE_LOG_LEVEL: 'silent',
    GOVGATE_RATE_LIMIT: '100000000/60s',
  });
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', TARGET_SCRIPT, 'govgate'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  try {
    const ready = await readReady(child.stdio[3] as Readable, child);
    const readyAt = performance.now();
    if (ready.adminKey === undefined) throw new Error('service: no first-start admin key');
    return { child, url: ready.url, adminKey: ready.adminKey, startMs: readyAt - started, readyAt };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Peak resident set size of a child, from /proc (Linux); undefined elsewhere. */
function peakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

async function stopService(child: ChildProcess): Promise<string> {
  const started = performance.now();
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
  return `stopped (${how}) in ${fmt(performance.now() - started)} ms, exit ${child.exitCode ?? child.signalCode}`;
}

interface Timed {
  readonly ms: number;
  readonly status: number;
  readonly text: string;
}

/** One request, timed until its whole body has arrived. */
async function timed(
  service: Service,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${service.adminKey}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { ms: performance.now() - started, status: response.status, text };
}

function expectStatus(result: Timed, status: number, what: string): unknown {
  if (result.status !== status)
    throw new Error(`${what} answered ${result.status}: ${result.text.slice(0, 500)}`);
  return JSON.parse(result.text) as unknown;
}

interface VerdictView {
  readonly status: string;
  readonly evidence: number;
  readonly approvals: number;
  readonly reasons: number;
}

function verdictView(value: unknown): VerdictView {
  const counts = isRecord(value) && isRecord(value.counts) ? value.counts : {};
  return {
    status: isRecord(value) && typeof value.status === 'string' ? value.status : '?',
    evidence: typeof counts.evidence === 'number' ? counts.evidence : NaN,
    approvals: typeof counts.approvals === 'number' ? counts.approvals : NaN,
    reasons: isRecord(value) && Array.isArray(value.reasons) ? value.reasons.length : NaN,
  };
}

// ------------------------------------------------------------------------ main

async function measure(service: Service, notes: string[]): Promise<void> {
  const path = `/v1/runs/${RUN_ID}/verdict`;

  console.log('\n4. requirement profile and the first reindex');
  const saved = await timed(service, 'POST', '/v1/profiles', PROFILE);
  expectStatus(saved, 201, 'POST /v1/profiles');
  const activated = await timed(service, 'POST', '/v1/profiles/bench/versions/1/activate');
  expectStatus(activated, 200, 'POST /v1/profiles/bench/versions/1/activate');
  console.log(
    `  profile bench@1 saved in ${fmt(saved.ms, 1)} ms, activated in ${fmt(activated.ms, 1)} ms`,
  );

  // The background reindex adds the run's rows at its end: until then the verdict is a 404.
  let first: Timed | undefined;
  let polls = 0;
  for (;;) {
    const result = await timed(service, 'GET', path);
    polls++;
    if (result.status === 200) {
      const view = verdictView(JSON.parse(result.text));
      if (view.evidence >= EVIDENCE) {
        first = result;
        break;
      }
    } else if (result.status !== 404) {
      throw new Error(`GET ${path} answered ${result.status}: ${result.text.slice(0, 500)}`);
    }
    if (performance.now() - service.readyAt > REINDEX_TIMEOUT_MS)
      throw new Error('the evidence index did not catch up in time');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const reindexMs = performance.now() - service.readyAt - first.ms;
  console.log(
    `  reindex of ${fmt(TOTAL_ENTRIES + 2)} entries at start: ${fmt(reindexMs / 1000, 2)} s ` +
      `(announcement → first verdict counting ${fmt(EVIDENCE)} entries; ${fmt(polls)} polls ` +
      `every ${POLL_MS} ms, ±${POLL_MS} ms plus the 404 polls)`,
  );

  console.log(`\n5. GET ${path}`);
  const firstView = verdictView(JSON.parse(first.text));
  const times: number[] = [];
  let last: VerdictView = firstView;
  let allValid = firstView.status === 'VALID' && firstView.evidence === EVIDENCE;
  for (let n = 0; n < REPEATS; n++) {
    const result = await timed(service, 'GET', path);
    last = verdictView(expectStatus(result, 200, `GET ${path}`));
    allValid &&= last.status === 'VALID' && last.evidence === EVIDENCE;
    times.push(result.ms);
  }
  printTable(
    ['verdict', 'calls', 'min ms', 'p50 ms', 'p95 ms', 'max ms'],
    [timingRow('first call', [first.ms]), timingRow('repeated', times)],
  );
  const p50 = percentile(
    [...times].sort((a, b) => a - b),
    50,
  );
  console.log(
    `  status ${last.status}, counts.evidence ${fmt(last.evidence)}, approvals ${fmt(last.approvals)}, ` +
      `reasons ${fmt(last.reasons)}, body ${fmt(Buffer.byteLength(first.text))} bytes ` +
      `(VALID with ${fmt(EVIDENCE)} entries on every call: ${mark(allValid)})`,
  );
  console.log(
    `  p50 ${fmt(p50, 1)} ms (target < ${TARGET_VERDICT_P50_MS} ms: ${mark(p50 < TARGET_VERDICT_P50_MS)})`,
  );

  console.log(`\n6. GET /v1/runs/${RUN_ID}/pack, then verifyPack`);
  const keyResult = await timed(service, 'GET', '/v1/ledger/public-key');
  const key = expectStatus(keyResult, 200, 'GET /v1/ledger/public-key');
  const publicKeyPem =
    isRecord(key) && typeof key.publicKeyPem === 'string' ? key.publicKeyPem : '';
  const packRows: string[][] = [];
  for (const label of ['first (loads the tree)', 'second']) {
    const result = await timed(service, 'GET', `/v1/runs/${RUN_ID}/pack`);
    const pack = expectStatus(result, 200, `GET /v1/runs/${RUN_ID}/pack`);
    const entries = isRecord(pack) && Array.isArray(pack.entries) ? pack.entries.length : NaN;
    const size =
      isRecord(pack) && isRecord(pack.checkpoint) && typeof pack.checkpoint.size === 'number'
        ? pack.checkpoint.size
        : NaN;
    const started = performance.now();
    const report = verifyPack(pack, publicKeyPem);
    const verifyMs = performance.now() - started;
    const good = report.ok && report.entries === EVIDENCE;
    packRows.push([
      label,
      fmt(result.ms, 1),
      fmt(Buffer.byteLength(result.text)),
      fmt(entries),
      fmt(size),
      fmt(verifyMs, 1),
      `ok=${String(report.ok)}, ${fmt(report.entries)} entries: ${mark(good)}`,
    ]);
    if (!report.ok)
      for (const failure of report.failures.slice(0, 5))
        notes.push(`verifyPack: ${failure.code} ${failure.message}`);
  }
  printTable(
    ['pack', 'export ms', 'bytes', 'entries', 'checkpoint size', 'verify ms', 'verifyPack'],
    packRows,
  );

  console.log(`\n7. GET /v1/coverage?runId=${RUN_ID}`);
  const coverageTimes: number[] = [];
  let satisfied = 0;
  let controls = 0;
  for (let n = 0; n <= COVERAGE_REPEATS; n++) {
    const result = await timed(service, 'GET', `/v1/coverage?runId=${RUN_ID}`);
    const body = expectStatus(result, 200, 'GET /v1/coverage');
    coverageTimes.push(result.ms);
    if (n === 0 && isRecord(body) && Array.isArray(body.coverage))
      for (const report of body.coverage as unknown[])
        if (isRecord(report) && Array.isArray(report.controls))
          for (const control of report.controls as unknown[]) {
            controls++;
            if (isRecord(control) && control.status === 'satisfied') satisfied++;
          }
  }
  printTable(
    ['coverage', 'calls', 'min ms', 'p50 ms', 'p95 ms', 'max ms'],
    [
      timingRow('first call', coverageTimes.slice(0, 1)),
      timingRow('repeated', coverageTimes.slice(1)),
    ],
  );
  console.log(`  ${fmt(satisfied)} of ${fmt(controls)} controls satisfied across every catalog`);
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`govgate compliance benchmark${QUICK ? ' (--quick)' : ''}`);
  console.log(`  command: pnpm bench:compliance${QUICK ? ' --quick' : ''}`);
  console.log(
    `  node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ` +
      `${os.platform()} ${os.release()}, load ${loadavg()}`,
  );
  console.log(
    `  tenant '${TENANT}': ${fmt(TOTAL_ENTRIES)} ledger entries written before the service starts, ` +
      `of which ${fmt(EVIDENCE)} are evidence of run '${RUN_ID}' (${fmt(EVIDENCE - APPROVALS)} spread ` +
      `evenly, ${APPROVALS} approvals last); the service in its own child process (bench/http-target.ts)`,
  );

  const dataDir = await mkdtemp(join(os.tmpdir(), 'govgate-compliance-bench-'));
  const notes: string[] = [];
  let service: Service | undefined;
  try {
    console.log('\n1. writing the ledger (FsLedger, batches of 1,000, 4 appends in flight)');
    const built = await buildLedger(join(dataDir, 'ledger'));
    const spacing =
      ((built.evidenceSeqs[EVIDENCE - APPROVALS - 1] ?? 0) - (built.evidenceSeqs[0] ?? 0)) /
      (EVIDENCE - APPROVALS - 1);
    console.log(
      `  ${fmt(TOTAL_ENTRIES)} entries in ${fmt(built.ms / 1000, 1)} s ` +
        `(${fmt(TOTAL_ENTRIES / (built.ms / 1000))} entries/s), ${mb(built.bytes)} in ${fmt(built.files)} ` +
        `segment file(s); evidence at seqs ${fmt(built.evidenceSeqs[0] ?? NaN)}…` +
        `${fmt(built.evidenceSeqs[built.evidenceSeqs.length - 1] ?? NaN)}, one every ` +
        `${fmt(spacing, 1)} entries (${fmt(built.evidenceSeqs.length)} in all)`,
    );

    console.log("\n2. where a verdict's ledger reads go (the open ledger, in this process)");
    try {
      await diagnoseReads(built.ledger, built.evidenceSeqs);
    } finally {
      await built.ledger.close();
    }

    console.log('\n3. starting the service');
    service = await startService(dataDir);
    console.log(
      `  listening after ${fmt(service.startMs / 1000, 2)} s (opening the ledger verifies its chains; ` +
        `first start: tenant, policy, admin key), load ${loadavg()}`,
    );
    await measure(service, notes);
  } finally {
    console.log('\n8. service');
    if (service !== undefined) {
      const rss = peakRss(service.child.pid);
      console.log(`  peak RSS of the service process: ${rss === undefined ? 'n/a' : mb(rss)}`);
      console.log(`  ${await stopService(service.child)}`);
    }
    await rm(dataDir, { recursive: true, force: true });
    console.log(`  temporary data dir removed`);
  }
  for (const note of notes) console.log(`  ${note}`);
  console.log(`\n  load ${loadavg()} at the end (other processes skew the figures)`);
}

await main();
