/**
 * Rego (OPA wasm) against native policy evaluation, on the seed risk policy.
 *
 * Builds examples/policies/rego/seed.rego with the `opa` binary named by GOVGATE_OPA_BIN,
 * loads it with @govgate/adapter-opa-wasm and evaluates it and the native compiled
 * examples/policies/default.yaml on the same inspected requests; prints evaluations/s of
 * both and the ratio. Without GOVGATE_OPA_BIN it measures the native policy alone and
 * says why the Rego side was not measured.
 *
 * Run with `GOVGATE_OPA_BIN=$(which opa) pnpm bench:opa` (`--quick` for a short run).
 * Nothing is asserted.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import {
  compilePolicy,
  inspectRequest,
  parseDocumentText,
  type DecisionFacts,
  type DecisionRequest,
} from '../packages/core/src/index.js';
import { opaBuild } from '../packages/adapter-opa-wasm/src/__fixtures__/opa-build.js';
import { loadRegoPolicy, type RegoPolicy } from '../packages/adapter-opa-wasm/src/index.js';

const QUICK = process.argv.includes('--quick');
const MEASURE_NS = QUICK ? 300_000_000n : 2_000_000_000n;
const WARMUP_NS = QUICK ? 100_000_000n : 500_000_000n;
const REPEATS = 3;
const CLOCK_EVERY = 256;
const ENTRYPOINTS = ['govgate/allow', 'govgate/risk_score', 'govgate/reasons', 'govgate/review'];

const root = resolve(import.meta.dirname, '..');
const examples = join(root, 'examples', 'policies');

const opa = process.env.GOVGATE_OPA_BIN;
const withOpa = opa !== undefined && opa !== '';

const rego = withOpa
  ? loadRegoPolicy({
      bundle: opaBuild(opa, join(examples, 'rego', 'seed.rego'), ENTRYPOINTS),
      descriptor: JSON.parse(
        readFileSync(join(examples, 'rego', 'descriptor.json'), 'utf8'),
      ) as unknown,
    })
  : undefined;
const native = compilePolicy(
  parseDocumentText(readFileSync(join(examples, 'default.yaml'), 'utf8'), 'yaml'),
);

/** The same mix of requests for both: none, each and all of the scoring rules. */
const inputs: { request: DecisionRequest; facts: DecisionFacts }[] = [
  { contains_personal_data: true },
  { is_external_model: true },
  { contains_personal_data: false, is_external_model: false, team: 'search' },
  { contains_personal_data: true, is_external_model: true },
  { ticket_owner: 'alice@example.com' },
  { region: 'eu', cost_center: 'cc-42' },
].map((metadata, i) => {
  // as check() hands them to a policy: redacted, with the PII facts
  const { redacted, facts } = inspectRequest(
    {
      model: i % 2 === 0 ? 'gpt-4o' : 'internal/llama-3-70b',
      operation: 'chat.completion',
      metadata,
    },
    native.forbiddenFields,
  );
  return { request: redacted, facts };
});

for (const { request, facts } of rego === undefined ? [] : inputs) {
  const { policy: _ref, ...expected } = native.evaluate(request, facts);
  const got = (rego as RegoPolicy).evaluate(request, facts);
  if (
    !isDeepStrictEqual(
      { ...got, reasons: [...got.reasons] },
      { ...expected, reasons: [...expected.reasons] },
    )
  )
    console.warn('decisions differ for', JSON.stringify(request.metadata), got, expected);
}

function rate(run: (request: DecisionRequest, facts: DecisionFacts) => unknown): number {
  const loop = (budget: bigint): number => {
    const start = process.hrtime.bigint();
    let n = 0;
    for (;;) {
      for (let k = 0; k < CLOCK_EVERY; k++) {
        const input = inputs[(n + k) % inputs.length]!;
        run(input.request, input.facts);
      }
      n += CLOCK_EVERY;
      const elapsed = process.hrtime.bigint() - start;
      if (elapsed >= budget) return (n * 1e9) / Number(elapsed);
    }
  };
  loop(WARMUP_NS);
  const rates = Array.from({ length: REPEATS }, () => loop(MEASURE_NS)).sort((a, b) => a - b);
  return rates[Math.floor(REPEATS / 2)]!;
}

const nativeRate = rate((r, f) => native.evaluate(r, f));
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(`seed risk policy, ${inputs.length} request shapes, median of ${REPEATS} runs`);
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, opa ${opa ?? '(none)'}`);
console.log(`  native compiled policy  ${fmt(nativeRate).padStart(14)} evaluations/s`);
if (rego === undefined) {
  console.log(
    '  Rego (opa-wasm)         not measured: GOVGATE_OPA_BIN is not set, and the Rego policy ' +
      'must be compiled by an `opa` binary (none is installed here)',
  );
} else {
  const regoRate = rate((r, f) => rego.evaluate(r, f));
  console.log(`  Rego (opa-wasm)         ${fmt(regoRate).padStart(14)} evaluations/s`);
  console.log(`  native / Rego           ${(nativeRate / regoRate).toFixed(1).padStart(14)}×`);
  console.log(`  wasm memory after the runs: ${rego.memoryBytes} bytes`);
}
console.log('reproduce: GOVGATE_OPA_BIN=/path/to/opa pnpm bench:opa');
