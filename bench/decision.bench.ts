/**
 * Decision-path benchmark for @govgate/core.
 *
 *   1. compiled policy evaluation for 1, 10, 100 and 1,000 generated rules, with the
 *      strategy `auto` picks and with `inline` / `indexed` forced for the large sizes;
 *   2. the 10-rule policy hand-written as a plain function, as a baseline;
 *   3. full `governance.check()` calls with the in-memory ledger and policy store,
 *      one at a time and 64 in flight, with and without personal data to redact.
 *
 * Run with `pnpm bench:decision` (`pnpm bench:decision --quick` for a short smoke run).
 * Nothing is asserted: targets are printed beside the figures. See bench/README.md.
 */
import os from 'node:os';
import { isDeepStrictEqual } from 'node:util';

import {
  canonicalDigest,
  compilePolicy,
  createGovernance,
  deriveFacts,
  type CheckResult,
  type CompiledPolicy,
  type Condition,
  type Decision,
  type DecisionReason,
  type DecisionRequest,
  type EvaluationStrategy,
  type Governance,
  type JsonObject,
  type JsonValue,
  type PolicyDocument,
  type PolicyRef,
  type PolicyRule,
  type RuleEffect,
} from '../packages/core/src/index.js';
// The in-memory adapters are imported from their modules rather than from testing/index.js:
// that barrel also exports the jest-based ledger contract, which only loads under jest.
import { InMemoryLedger } from '../packages/core/src/testing/in-memory-ledger.js';
import { InMemoryPolicyStore } from '../packages/core/src/testing/in-memory-stores.js';

// ------------------------------------------------------------------------ settings

const QUICK = process.argv.includes('--quick');
const WARMUP_NS = QUICK ? 200_000_000n : 1_000_000_000n;
const MEASURE_NS = QUICK ? 300_000_000n : 2_000_000_000n;
const REPEATS = 3;
/** The clock is read once per this many iterations, so reading it costs nothing measurable. */
const CLOCK_EVERY = 1024;
/** Checks in flight in the concurrent rows (one Promise.all batch). */
const IN_FLIGHT = 64;
/** Most checks per measured round: each round gets a fresh in-memory ledger holding every entry. */
const CHECKS_PER_ROUND_CAP = 300_000;
const TENANT = 'bench';
const THRESHOLD = 10;
const RULE_COUNTS = [1, 10, 100, 1000] as const;

const TARGET_EVALS_10 = 1_000_000;
const TARGET_HAND_RATIO = 0.3;
const TARGET_CHECKS = 100_000;

// ------------------------------------------------------------------ generated policies

type Op = 'equals' | 'in' | 'gt' | 'matches';
const OPS: readonly Op[] = ['equals', 'in', 'gt', 'matches'];
const CLASSIFICATIONS = ['internal', 'confidential', 'restricted'] as const;
const REGIONS = ['eu', 'uk', 'ch'] as const;
const PROD_PATTERN = '^prod-[a-z]+$';

const opOf = (i: number): Op => OPS[i % OPS.length] as Op;
const classificationOf = (i: number): string =>
  CLASSIFICATIONS[i % CLASSIFICATIONS.length] as string;
const limitOf = (i: number): number => 10 + (i % 5) * 10;
const effectOf = (i: number): RuleEffect =>
  i % 10 === 9 ? 'deny' : i % 10 === 4 ? 'review' : 'score';
/** Small weights; deny rules carry none. */
const weightOf = (i: number): number | undefined =>
  effectOf(i) === 'deny' ? undefined : effectOf(i) === 'review' ? 2 : 1 + (i % 5);

function conditionOf(i: number): Condition {
  const path = `metadata.f${i}`;
  switch (opOf(i)) {
    case 'equals':
      return { path, equals: classificationOf(i) };
    case 'in':
      return { path, in: REGIONS };
    case 'gt':
      return { path, gt: limitOf(i) };
    case 'matches':
      return { path, matches: PROD_PATTERN };
  }
}

/** Rule i reads its own path `metadata.f<i>`. */
function ruleOf(i: number): PolicyRule {
  const weight = weightOf(i);
  const rule = {
    id: `r${i}`,
    when: conditionOf(i),
    effect: effectOf(i),
    reason: `metadata.f${i} ${opOf(i)}`,
  };
  return weight === undefined ? rule : { ...rule, weight };
}

function policyOf(ruleCount: number): PolicyDocument {
  return {
    id: `bench-${ruleCount}`,
    version: 1,
    threshold: THRESHOLD,
    rules: Array.from({ length: ruleCount }, (_, i) => ruleOf(i)),
  };
}

// ------------------------------------------------------------------------ requests

const REQUEST_COUNT = 16; // a power of two: requests are cycled with `n & REQUEST_MASK`
const REQUEST_MASK = REQUEST_COUNT - 1;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'internal/llama-3-70b'] as const;
const OPERATIONS = [
  'chat.completion',
  'embedding.create',
  'agent.tool_call',
  'batch.inference',
] as const;
const ENVIRONMENTS = ['production', 'production', 'staging'] as const;
const CLOUD_REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'] as const;
const APPLICATIONS = ['support-bot', 'search', 'billing-agent', 'analytics'] as const;

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** The value request j carries at `metadata.f<i>`: matching rule i for about 3 requests in 5. */
function valueOf(i: number, j: number): JsonValue {
  const match = (i * 7 + j * 3) % 5 < 3;
  switch (opOf(i)) {
    case 'equals':
      return match ? classificationOf(i) : 'public';
    case 'in':
      return match ? pick(REGIONS, j) : 'us';
    case 'gt':
      return match ? limitOf(i) + 5 : limitOf(i) - 5;
    case 'matches':
      return match ? 'prod-support' : 'staging-support';
  }
}

/** One metadata key that no rule reads; `withEmail` puts an email address in it instead. */
function extraOf(j: number, withEmail: boolean): [string, JsonValue] {
  if (withEmail) return ['escalation_contact', `on-call: jane.doe${j}@example.com`];
  return pick<[string, JsonValue]>(
    [
      ['purpose', 'customer-support'],
      ['contains_personal_data', false],
      ['retention_days', 30],
      ['data_classification', 'internal'],
    ],
    j,
  );
}

/**
 * Request j: five metadata keys — two read by the 10-rule policy, one more by the
 * 100-rule policy, one more by the 1,000-rule policy, and one read by no rule.
 */
function requestOf(j: number, withEmail: boolean): DecisionRequest {
  const keys = [(2 * j) % 10, (2 * j + 3) % 10, 10 + ((j * 37) % 90), 100 + ((j * 211) % 900)];
  const metadata: JsonObject = {};
  for (const i of keys) metadata[`f${i}`] = valueOf(i, j);
  const [extraKey, extraValue] = extraOf(j, withEmail);
  metadata[extraKey] = extraValue;
  return {
    model: pick(MODELS, j),
    operation: pick(OPERATIONS, j >> 2),
    metadata,
    subject: `acct-${(j * 7919).toString(16)}`,
    context: {
      environment: pick(ENVIRONMENTS, j),
      region: pick(CLOUD_REGIONS, j >> 1),
      application: pick(APPLICATIONS, j + 1),
    },
  };
}

const REQUESTS: readonly DecisionRequest[] = Array.from({ length: REQUEST_COUNT }, (_, j) =>
  requestOf(j, false),
);
/** About one request in four carries an email address in a metadata string. */
const REQUESTS_WITH_PII: readonly DecisionRequest[] = Array.from(
  { length: REQUEST_COUNT },
  (_, j) => requestOf(j, j % 4 === 1),
);

// -------------------------------------------------------- the 10-rule policy by hand

const DOC_10 = policyOf(10);

function frozenReason(
  rule: string,
  effect: RuleEffect,
  weight: number,
  reason: string,
): DecisionReason {
  return Object.freeze({ rule, effect, weight, reason });
}

const HAND_POLICY: PolicyRef = Object.freeze({
  id: DOC_10.id,
  version: DOC_10.version,
  digest: canonicalDigest(DOC_10),
});
const R0 = frozenReason('r0', 'score', 1, 'metadata.f0 equals');
const R1 = frozenReason('r1', 'score', 2, 'metadata.f1 in');
const R2 = frozenReason('r2', 'score', 3, 'metadata.f2 gt');
const R3 = frozenReason('r3', 'score', 4, 'metadata.f3 matches');
const R4 = frozenReason('r4', 'review', 2, 'metadata.f4 equals');
const R5 = frozenReason('r5', 'score', 1, 'metadata.f5 in');
const R6 = frozenReason('r6', 'score', 2, 'metadata.f6 gt');
const R7 = frozenReason('r7', 'score', 3, 'metadata.f7 matches');
const R8 = frozenReason('r8', 'score', 4, 'metadata.f8 equals');
const R9 = frozenReason('r9', 'deny', 0, 'metadata.f9 in');
const PROD = /^prod-[a-z]+$/;

const isRegion = (v: JsonValue | undefined): boolean => v === 'eu' || v === 'uk' || v === 'ch';
const isProd = (v: JsonValue | undefined): boolean => typeof v === 'string' && PROD.test(v);
const above = (v: JsonValue | undefined, limit: number): boolean =>
  typeof v === 'number' && v > limit;

/** What `compilePolicy(DOC_10)` decides, written as an application would write it. */
function handWritten10(request: DecisionRequest): Decision {
  const m = request.metadata;
  let score = 0;
  let deny = false;
  let review = false;
  const reasons: DecisionReason[] = [];
  if (m.f0 === 'internal') {
    score += 1;
    reasons.push(R0);
  }
  if (isRegion(m.f1)) {
    score += 2;
    reasons.push(R1);
  }
  if (above(m.f2, 30)) {
    score += 3;
    reasons.push(R2);
  }
  if (isProd(m.f3)) {
    score += 4;
    reasons.push(R3);
  }
  if (m.f4 === 'confidential') {
    score += 2;
    review = true;
    reasons.push(R4);
  }
  if (isRegion(m.f5)) {
    score += 1;
    reasons.push(R5);
  }
  if (above(m.f6, 20)) {
    score += 2;
    reasons.push(R6);
  }
  if (isProd(m.f7)) {
    score += 3;
    reasons.push(R7);
  }
  if (m.f8 === 'restricted') {
    score += 4;
    reasons.push(R8);
  }
  if (isRegion(m.f9)) {
    deny = true;
    reasons.push(R9);
  }
  const riskScore = score > 100 ? 100 : score;
  return {
    allowed: !deny && riskScore < THRESHOLD,
    riskScore,
    reasons,
    review,
    policy: HAND_POLICY,
  };
}

// ------------------------------------------------------------------------ measuring

interface Sample {
  readonly ops: number;
  readonly ns: number;
  readonly checksum: number;
}

interface Result {
  /** Median operations per second of the measured rounds. */
  readonly rate: number;
  readonly nsPerOp: number;
  /** (fastest - slowest) / median of the rounds, as a fraction. */
  readonly spread: number;
  readonly checksum: number;
  readonly capped: boolean;
}

let totalChecksum = 0;

const elapsedSince = (start: bigint): bigint => process.hrtime.bigint() - start;

// The two synchronous loops are separate functions on purpose: a shared loop calling
// either through one call site would make that site megamorphic and slow both down.

function loopCompiled(
  policy: CompiledPolicy,
  requests: readonly DecisionRequest[],
  budget: bigint,
): Sample {
  let n = 0;
  let checksum = 0;
  let elapsed: bigint;
  const start = process.hrtime.bigint();
  do {
    for (let k = 0; k < CLOCK_EVERY; k++) {
      const decision = policy.evaluate(requests[n++ & REQUEST_MASK] as DecisionRequest);
      checksum += decision.riskScore + decision.reasons.length;
    }
    elapsed = elapsedSince(start);
  } while (elapsed < budget);
  return { ops: n, ns: Number(elapsed), checksum };
}

function loopHandWritten(requests: readonly DecisionRequest[], budget: bigint): Sample {
  let n = 0;
  let checksum = 0;
  let elapsed: bigint;
  const start = process.hrtime.bigint();
  do {
    for (let k = 0; k < CLOCK_EVERY; k++) {
      const decision = handWritten10(requests[n++ & REQUEST_MASK] as DecisionRequest);
      checksum += decision.riskScore + decision.reasons.length;
    }
    elapsed = elapsedSince(start);
  } while (elapsed < budget);
  return { ops: n, ns: Number(elapsed), checksum };
}

function summarise(samples: readonly Sample[], capped: boolean): Result {
  const rates = samples.map((s) => (s.ops * 1e9) / s.ns).sort((a, b) => a - b);
  const rate = rates[Math.floor(rates.length / 2)] as number;
  const checksum = samples.reduce((sum, s) => sum + s.checksum, 0);
  totalChecksum += checksum;
  return {
    rate,
    nsPerOp: 1e9 / rate,
    spread: ((rates[rates.length - 1] as number) - (rates[0] as number)) / rate,
    checksum,
    capped,
  };
}

/** Warms up once, then measures REPEATS rounds. */
function measure(run: (budget: bigint) => Sample): Result {
  run(WARMUP_NS);
  const samples: Sample[] = [];
  for (let r = 0; r < REPEATS; r++) samples.push(run(MEASURE_NS));
  return summarise(samples, false);
}

async function measureAsync(
  run: (budget: bigint) => Promise<Sample & { capped: boolean }>,
): Promise<Result> {
  await run(WARMUP_NS);
  const samples: (Sample & { capped: boolean })[] = [];
  for (let r = 0; r < REPEATS; r++) samples.push(await run(MEASURE_NS));
  return summarise(
    samples,
    samples.some((s) => s.capped),
  );
}

// ------------------------------------------------------------- governance.check()

interface Bench {
  readonly governance: Governance;
  readonly ledger: InMemoryLedger;
}

/** A governance over a fresh in-memory ledger, with the policy saved, active and compiled. */
async function freshGovernance(doc: PolicyDocument, primeWith: DecisionRequest): Promise<Bench> {
  const ledger = new InMemoryLedger();
  const governance = createGovernance({ ledger, policies: new InMemoryPolicyStore() });
  await governance.savePolicy(TENANT, doc);
  await governance.activatePolicy(TENANT, doc.id, doc.version);
  await governance.check(TENANT, primeWith); // compiles the policy outside the timed part
  return { governance, ledger };
}

async function checksOneAtATime(
  governance: Governance,
  requests: readonly DecisionRequest[],
  budget: bigint,
): Promise<Sample> {
  let n = 0;
  let checksum = 0;
  let elapsed: bigint;
  const start = process.hrtime.bigint();
  do {
    for (let k = 0; k < CLOCK_EVERY; k++) {
      const result = await governance.check(TENANT, requests[n++ & REQUEST_MASK]);
      checksum += result.riskScore + result.reasons.length;
    }
    elapsed = elapsedSince(start);
  } while (elapsed < budget && n < CHECKS_PER_ROUND_CAP);
  return { ops: n, ns: Number(elapsed), checksum };
}

async function checksInFlight(
  governance: Governance,
  requests: readonly DecisionRequest[],
  budget: bigint,
): Promise<Sample> {
  let n = 0;
  let checksum = 0;
  let elapsed: bigint;
  const batch: Promise<CheckResult>[] = [];
  const start = process.hrtime.bigint();
  do {
    for (let b = 0; b < CLOCK_EVERY / IN_FLIGHT; b++) {
      for (let k = 0; k < IN_FLIGHT; k++)
        batch[k] = governance.check(TENANT, requests[n++ & REQUEST_MASK]);
      for (const result of await Promise.all(batch))
        checksum += result.riskScore + result.reasons.length;
    }
    elapsed = elapsedSince(start);
  } while (elapsed < budget && n < CHECKS_PER_ROUND_CAP);
  return { ops: n, ns: Number(elapsed), checksum };
}

/** One round on a fresh governance; also checks that every call was recorded. */
async function checkRound(
  doc: PolicyDocument,
  requests: readonly DecisionRequest[],
  inFlight: boolean,
  budget: bigint,
): Promise<Sample & { capped: boolean }> {
  const { governance, ledger } = await freshGovernance(doc, requests[0] as DecisionRequest);
  const before = (await ledger.head(TENANT)).size;
  const sample = inFlight
    ? await checksInFlight(governance, requests, budget)
    : await checksOneAtATime(governance, requests, budget);
  const recorded = (await ledger.head(TENANT)).size - before;
  if (recorded !== sample.ops)
    throw new Error(`${sample.ops} checks but ${recorded} ledger entries`);
  return { ...sample, capped: sample.ops >= CHECKS_PER_ROUND_CAP };
}

// ------------------------------------------------------------------------ checks

function describe(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function assertSameDecisions(
  what: string,
  a: (r: DecisionRequest) => Decision,
  b: (r: DecisionRequest) => Decision,
  requests: readonly DecisionRequest[],
): void {
  requests.forEach((request, j) => {
    const x = a(request);
    const y = b(request);
    if (!isDeepStrictEqual(x, y))
      throw new Error(
        `${what}: decisions differ for request ${j}\n${describe(request)}\n${describe(x)}\n${describe(y)}`,
      );
  });
}

function assertPiiLayout(): void {
  REQUESTS.forEach((request, j) => {
    if (deriveFacts(request).pii.any)
      throw new Error(`request ${j} should carry no personal data: ${describe(request)}`);
  });
  const withPii = REQUESTS_WITH_PII.filter((r) => deriveFacts(r).pii.email).length;
  if (withPii !== REQUEST_COUNT / 4)
    throw new Error(`expected ${REQUEST_COUNT / 4} requests with an email, found ${withPii}`);
}

// ------------------------------------------------------------------------ output

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmtRate = (rate: number): string => integer.format(rate);
const fmtNs = (ns: number): string => (ns < 100 ? ns.toFixed(1) : integer.format(ns));
const fmtRatio = (ratio: number): string => `${ratio.toFixed(2)}×`;
const fmtSpread = (spread: number): string => `±${((spread * 100) / 2).toFixed(1)}%`;
const fmtMiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const fmtLoad = (): string =>
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

/** Prints a plain text table; columns whose header starts with a space are right-aligned. */
function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, c) =>
    Math.max(h.trim().length, ...rows.map((r) => (r[c] ?? '').length)),
  );
  const right = headers.map((h) => h.startsWith(' '));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) =>
        right[c] === true ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  console.log(line(headers.map((h) => h.trim())));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log();
}

function printHeader(): void {
  const cpus = os.cpus();
  console.log('govgate decision benchmark');
  console.log(
    `command : pnpm bench:decision${QUICK ? ' --quick' : ''}   (tsx bench/decision.bench.ts)`,
  );
  console.log(
    `node    : ${process.version} (V8 ${process.versions.v8}), ${process.platform} ${process.arch}`,
  );
  console.log(`cpu     : ${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} logical cores)`);
  console.log(
    `method  : per row ${Number(WARMUP_NS) / 1e9} s warm-up, then ${REPEATS} rounds of ${Number(MEASURE_NS) / 1e9} s ` +
      `(clock read every ${CLOCK_EVERY} iterations); the median round is shown, ± is half the min-max range`,
  );
  console.log(`load    : ${fmtLoad()} at the start (other processes skew the figures)`);
  console.log(
    `inputs  : ${REQUEST_COUNT} pre-built requests cycled (5 metadata keys each, model/operation/subject/context set)`,
  );
  console.log();
}

// ------------------------------------------------------------------------ main

interface Variant {
  readonly rules: number;
  readonly asked: EvaluationStrategy | 'auto';
  readonly policy: CompiledPolicy;
  readonly compileMs: number;
}

function compileVariant(doc: PolicyDocument, asked: EvaluationStrategy | 'auto'): Variant {
  const start = process.hrtime.bigint();
  const policy = compilePolicy(doc, { strategy: asked });
  return { rules: doc.rules.length, asked, policy, compileMs: Number(elapsedSince(start)) / 1e6 };
}

async function main(): Promise<void> {
  printHeader();

  // Inputs and equivalences, checked before anything is timed.
  assertPiiLayout();
  const docs = new Map(RULE_COUNTS.map((count) => [count, policyOf(count)]));
  const docOf = (count: number): PolicyDocument =>
    docs.get(count as (typeof RULE_COUNTS)[number]) as PolicyDocument;
  const variants: Variant[] = [
    ...RULE_COUNTS.map((count) => compileVariant(docOf(count), 'auto')),
    ...[100, 1000].flatMap((count) => [
      compileVariant(docOf(count), 'inline'),
      compileVariant(docOf(count), 'indexed'),
    ]),
  ];
  const compiled10 = variants.find((v) => v.rules === 10 && v.asked === 'auto')
    ?.policy as CompiledPolicy;
  assertSameDecisions(
    'hand-written vs compiled (10 rules)',
    handWritten10,
    (r) => compiled10.evaluate(r),
    [...REQUESTS, ...REQUESTS_WITH_PII],
  );
  for (const count of [100, 1000]) {
    const inline = compilePolicy(docOf(count), { strategy: 'inline' });
    const indexed = compilePolicy(docOf(count), { strategy: 'indexed' });
    assertSameDecisions(
      `inline vs indexed (${count} rules)`,
      (r) => inline.evaluate(r),
      (r) => indexed.evaluate(r),
      REQUESTS,
    );
  }
  // Every policy has run before the first measurement, so the call sites shared by all
  // compiled policies are in the state they are in a process serving several policies,
  // whatever the order of the rows.
  for (const v of variants)
    for (let n = 0; n < 2000; n++) v.policy.evaluate(REQUESTS[n & REQUEST_MASK] as DecisionRequest);
  console.log(
    'checked : hand-written ≡ compiled (10 rules), inline ≡ indexed (100, 1,000 rules) on every input\n',
  );

  // 1. compiled evaluation
  console.log('1. compilePolicy(doc).evaluate(request)');
  const results = variants.map((v) => ({
    v,
    result: measure((budget) => loopCompiled(v.policy, REQUESTS, budget)),
  }));
  const base = results[0]?.result.nsPerOp ?? Number.NaN;
  printTable(
    [
      'rules',
      'asked',
      'strategy',
      ' compile ms',
      ' eval/s',
      ' ns/eval',
      ' ±',
      ' cost vs 1 rule',
      'target',
    ],
    results.map(({ v, result }) => {
      const isTarget = v.rules === 10 && v.asked === 'auto';
      return [
        integer.format(v.rules),
        v.asked,
        v.policy.strategy,
        v.compileMs.toFixed(1),
        fmtRate(result.rate),
        fmtNs(result.nsPerOp),
        fmtSpread(result.spread),
        fmtRatio(result.nsPerOp / base),
        isTarget
          ? `≥ ${fmtRate(TARGET_EVALS_10)}/s: ${verdict(result.rate >= TARGET_EVALS_10)}`
          : '',
      ];
    }),
  );
  console.log("cost vs 1 rule: ns/eval divided by the 1-rule policy's ns/eval.");
  console.log(
    'compile ms: one cold compilePolicy() call (the first also warms up the validator).\n',
  );

  // 2. hand-written baseline
  console.log('2. the 10-rule policy: compiled vs hand-written');
  const hand = measure((budget) => loopHandWritten(REQUESTS, budget));
  const compiled = results.find(({ v }) => v.rules === 10 && v.asked === 'auto')?.result as Result;
  const ratio = compiled.rate / hand.rate;
  printTable(
    ['implementation', ' eval/s', ' ns/eval', ' ±', ' compiled/hand', 'target'],
    [
      [
        'hand-written function',
        fmtRate(hand.rate),
        fmtNs(hand.nsPerOp),
        fmtSpread(hand.spread),
        '',
        '',
      ],
      [
        `compiled (${compiled10.strategy})`,
        fmtRate(compiled.rate),
        fmtNs(compiled.nsPerOp),
        fmtSpread(compiled.spread),
        fmtRatio(ratio),
        `≥ ${fmtRatio(TARGET_HAND_RATIO)}: ${verdict(ratio >= TARGET_HAND_RATIO)}`,
      ],
    ],
  );

  // 3. governance.check()
  console.log(
    `3. governance.check(tenant, request), 10-rule policy, in-memory ledger and policy store`,
  );
  const checkRows: { label: string; requests: readonly DecisionRequest[]; inFlight: boolean }[] = [
    { label: 'no personal data', requests: REQUESTS, inFlight: false },
    { label: 'no personal data', requests: REQUESTS, inFlight: true },
    { label: '1 in 4 with an email', requests: REQUESTS_WITH_PII, inFlight: false },
    { label: '1 in 4 with an email', requests: REQUESTS_WITH_PII, inFlight: true },
  ];
  const checkResults: { label: string; inFlight: boolean; result: Result }[] = [];
  for (const row of checkRows) {
    const result = await measureAsync((budget) =>
      checkRound(DOC_10, row.requests, row.inFlight, budget),
    );
    checkResults.push({ ...row, result });
  }
  printTable(
    ['requests', 'in flight', ' calls/s', ' µs/call', ' ±', 'target'],
    checkResults.map(({ label, inFlight, result }) => [
      label,
      inFlight ? `${IN_FLIGHT} (Promise.all)` : '1 (await each)',
      fmtRate(result.rate) + (result.capped ? '*' : ''),
      (result.nsPerOp / 1000).toFixed(2),
      fmtSpread(result.spread),
      `≥ ${fmtRate(TARGET_CHECKS)}/s: ${verdict(result.rate >= TARGET_CHECKS)}`,
    ]),
  );
  if (checkResults.some(({ result }) => result.capped))
    console.log(
      `* some rounds stopped at the cap of ${integer.format(CHECKS_PER_ROUND_CAP)} checks before their time was up\n`,
    );
  console.log(
    `each check round runs on a fresh InMemoryLedger (capped at ${integer.format(CHECKS_PER_ROUND_CAP)} checks), ` +
      'and every check was verified to have appended one ledger entry',
  );

  const memory = process.memoryUsage();
  console.log(
    `memory  : rss ${fmtMiB(memory.rss)} at the end, peak rss ${fmtMiB(process.resourceUsage().maxRSS * 1024)}, ` +
      `heap used ${fmtMiB(memory.heapUsed)}`,
  );
  console.log(`load    : ${fmtLoad()} at the end`);
  console.log(
    `checksum: ${totalChecksum} (sum of riskScore + reasons.length over every timed call)`,
  );
}

await main();
