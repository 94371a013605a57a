import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  compilePolicy,
  formatOf,
  GovgateError,
  inspectRequest,
  parseDocumentText,
  runPolicyTests,
  type PolicyTestFile,
} from '@govgate/core';
import { opaBuild } from './__fixtures__/opa-build.js';
import { loadRegoPolicy, type RegoPolicy } from './rego-policy.js';

// Tests that need a policy compiled by OPA. There is no `opa` binary on the build
// machines: they run only when GOVGATE_OPA_BIN names one, and are reported as skipped.
const OPA = process.env.GOVGATE_OPA_BIN;
const SKIP_REASON = 'skipped: GOVGATE_OPA_BIN is not set (no opa binary here)';
const withOpa = OPA === undefined || OPA === '' ? describe.skip : describe;
if (withOpa === describe.skip) console.info(`opa-compiled.int.spec.ts ${SKIP_REASON}`);

const examples = resolve(__dirname, '../../../examples/policies');
const ENTRYPOINTS = ['govgate/allow', 'govgate/risk_score', 'govgate/reasons', 'govgate/review'];

withOpa(`the Rego seed policy compiled by opa (${OPA ?? SKIP_REASON})`, () => {
  let policy: RegoPolicy;

  beforeAll(() => {
    policy = loadRegoPolicy({
      bundle: opaBuild(OPA as string, join(examples, 'rego', 'seed.rego'), ENTRYPOINTS),
      descriptor: JSON.parse(
        readFileSync(join(examples, 'rego', 'descriptor.json'), 'utf8'),
      ) as unknown,
    });
  });

  it('has the four entrypoints and needs no host builtin', () => {
    expect(Object.keys(policy.entrypoints).sort()).toEqual([...ENTRYPOINTS].sort());
    expect(policy.builtins).toEqual([]);
  });

  it('gives the native policy’s decision for every case of default.test.yaml', () => {
    const testFile = join(examples, 'default.test.yaml');
    const file = parseDocumentText(readFileSync(testFile, 'utf8'), 'yaml') as PolicyTestFile;
    const report = runPolicyTests(file, {
      loadPolicy: (ref) => {
        const path = resolve(examples, ref);
        return parseDocumentText(readFileSync(path, 'utf8'), formatOf(path));
      },
    });
    expect(report.failed).toBe(0);
    const loadedDoc = parseDocumentText(
      readFileSync(join(examples, 'default.yaml'), 'utf8'),
      'yaml',
    );
    const forbidden = compilePolicy(loadedDoc).forbiddenFields;
    report.cases.forEach((result, i) => {
      const testCase = file.cases[i]!;
      if (!('decision' in result.outcome)) return; // refused before any policy runs
      const { redacted, facts } = inspectRequest(testCase.request, forbidden);
      const { policy: _ref, ...native } = result.outcome.decision;
      expect({ case: testCase.name, ...policy.evaluate(redacted, facts) }).toEqual({
        case: testCase.name,
        ...native,
        reasons: [...native.reasons],
      });
    });
  });

  it('does not grow its memory over 1,000,000 evaluations', () => {
    const body = {
      model: 'gpt-4o',
      operation: 'chat.completion',
      metadata: { ticket_owner: 'alice@example.com' },
    };
    const { redacted, facts } = inspectRequest(body, new Set());
    policy.evaluate(redacted, facts);
    const before = policy.memoryBytes;
    for (let i = 0; i < 1_000_000; i++) policy.evaluate(redacted, facts);
    expect(policy.memoryBytes).toBe(before);
  }, 600_000);
});

withOpa(`Rego policies govgate refuses (${OPA ?? SKIP_REASON})`, () => {
  const fixtures = resolve(__dirname, '__fixtures__/rego');
  const build = (file: string, entrypoints: string[]): Buffer =>
    opaBuild(OPA as string, join(fixtures, file), entrypoints);

  it('refuses at load a policy that needs http.send, naming it', () => {
    const bundle = build('http-send.rego', ['govgate/allow']);
    let error: unknown;
    try {
      loadRegoPolicy({ bundle, descriptor: { entrypoints: { allowed: 'govgate/allow' } } });
    } catch (e) {
      error = e;
    }
    expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    expect((error as Error).message).toContain('http.send');
  });

  it('refuses every evaluation of entrypoints that return the wrong type, naming them', () => {
    const bundle = build('wrong-type.rego', ['govgate/allow', 'govgate/risk_score']);
    const policy = loadRegoPolicy({
      bundle,
      descriptor: { entrypoints: { allowed: 'govgate/allow', riskScore: 'govgate/risk_score' } },
    });
    const { redacted, facts } = inspectRequest(
      { model: 'm', operation: 'o', metadata: {} },
      new Set(),
    );
    let error: unknown;
    try {
      policy.evaluate(redacted, facts);
    } catch (e) {
      error = e;
    }
    expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/govgate\/(allow|risk_score)/);
  });
});

// Runs with or without an opa binary (so this file always reports why the compiled
// tests above did or did not run): the sources they compile define every entrypoint
// they are built with, and the seed descriptor names exactly those.
describe('the Rego sources the compiled tests build', () => {
  const ruleNames = (file: string): Set<string> =>
    new Set(
      [...readFileSync(file, 'utf8').matchAll(/^(?:default\s+)?([a-z_]+)\s*(?::=|if\b)/gm)].map(
        (m) => m[1] as string,
      ),
    );

  it('define the entrypoints the tests compile them with, in package govgate', () => {
    const seed = join(examples, 'rego', 'seed.rego');
    expect(readFileSync(seed, 'utf8')).toMatch(/^package govgate$/m);
    for (const entrypoint of ENTRYPOINTS)
      expect(ruleNames(seed)).toContain(entrypoint.replace('govgate/', ''));
    const fixtures = resolve(__dirname, '__fixtures__/rego');
    expect(ruleNames(join(fixtures, 'http-send.rego'))).toContain('allow');
    expect([...ruleNames(join(fixtures, 'wrong-type.rego'))].sort()).toEqual([
      'allow',
      'risk_score',
    ]);
    const descriptor = JSON.parse(
      readFileSync(join(examples, 'rego', 'descriptor.json'), 'utf8'),
    ) as { entrypoints: Record<string, string> };
    expect(Object.values(descriptor.entrypoints).sort()).toEqual([...ENTRYPOINTS].sort());
  });
});
