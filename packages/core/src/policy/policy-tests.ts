import type { Decision, DecisionReason } from '../decision/decision.js';
import { inspectRequest } from '../decision/inspect.js';
import { GovgateError, type ErrorDetail } from '../errors.js';
import { TENANT_ID_PATTERN } from '../schema/patterns.js';
import { createValidator } from '../schema/validator.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { parseDocumentText, type DocumentFormat } from './parse.js';
import type { PolicyDocument } from './policy-document.js';

/** What a case expects; every field is optional and only the given ones are checked. */
export interface PolicyTestExpectation {
  readonly allowed?: boolean;
  readonly riskScore?: number;
  /** The matched rules' reasons, in rule order. */
  readonly reasons?: readonly string[];
  readonly review?: boolean;
  /** The error code the request must be refused with, e.g. FORBIDDEN_CONTENT_FIELD. */
  readonly rejected?: string;
}

export interface PolicyTestCase {
  readonly name: string;
  readonly request: unknown;
  readonly expect: PolicyTestExpectation;
}

/**
 * A policy test file: the policy (a path, resolved by the caller, or the document
 * inline), optionally the tenant whose override applies, and the cases.
 */
export interface PolicyTestFile {
  readonly policy: string | PolicyDocument;
  readonly tenant?: string;
  readonly cases: readonly PolicyTestCase[];
}

export const policyTestFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/policy-test-file.json',
  title: 'govgate policy test file',
  type: 'object',
  additionalProperties: false,
  required: ['policy', 'cases'],
  properties: {
    $schema: { type: 'string' },
    policy: { type: ['string', 'object'] },
    tenant: { type: 'string', pattern: TENANT_ID_PATTERN },
    cases: {
      type: 'array',
      minItems: 1,
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'request', 'expect'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 500 },
          request: {},
          expect: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              allowed: { type: 'boolean' },
              riskScore: { type: 'number', minimum: 0, maximum: 100 },
              reasons: { type: 'array', items: { type: 'string' } },
              review: { type: 'boolean' },
              rejected: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
  },
} as const;

const validateTestFile = createValidator<PolicyTestFile>(policyTestFileSchema);

/** The observed outcome of one case. */
export type PolicyTestOutcome =
  | { readonly decision: Decision }
  | { readonly rejected: string; readonly details: readonly ErrorDetail[] };

export interface PolicyTestMismatch {
  readonly field: keyof PolicyTestExpectation;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface PolicyTestCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly mismatches: readonly PolicyTestMismatch[];
  readonly outcome: PolicyTestOutcome;
}

export interface PolicyTestReport {
  readonly policy: { readonly id: string; readonly version: number; readonly digest: string };
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly cases: readonly PolicyTestCaseResult[];
}

export interface PolicyTestOptions {
  /** Loads the policy document a test file names by path (relative to the test file). */
  readonly loadPolicy?: (reference: string) => unknown;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function runCase(policy: CompiledPolicy, testCase: PolicyTestCase): PolicyTestCaseResult {
  let outcome: PolicyTestOutcome;
  try {
    const inspected = inspectRequest(testCase.request, policy.forbiddenFields);
    outcome = { decision: policy.evaluate(inspected.redacted, inspected.facts) };
  } catch (error) {
    if (!GovgateError.is(error)) throw error;
    outcome = { rejected: error.code, details: error.details };
  }
  const expect = testCase.expect;
  const mismatches: PolicyTestMismatch[] = [];
  if ('rejected' in outcome) {
    if (expect.rejected !== outcome.rejected)
      mismatches.push({
        field: 'rejected',
        expected: expect.rejected ?? null,
        actual: outcome.rejected,
      });
  } else {
    const d = outcome.decision;
    const reasons = d.reasons.map((r: DecisionReason) => r.reason);
    if (expect.rejected !== undefined)
      mismatches.push({ field: 'rejected', expected: expect.rejected, actual: null });
    if (expect.allowed !== undefined && expect.allowed !== d.allowed)
      mismatches.push({ field: 'allowed', expected: expect.allowed, actual: d.allowed });
    if (expect.riskScore !== undefined && expect.riskScore !== d.riskScore)
      mismatches.push({ field: 'riskScore', expected: expect.riskScore, actual: d.riskScore });
    if (expect.reasons !== undefined && !sameList(expect.reasons, reasons))
      mismatches.push({ field: 'reasons', expected: expect.reasons, actual: reasons });
    if (expect.review !== undefined && expect.review !== d.review)
      mismatches.push({ field: 'review', expected: expect.review, actual: d.review });
  }
  return { name: testCase.name, passed: mismatches.length === 0, mismatches, outcome };
}

/**
 * Runs a policy test file (already parsed) and reports each case: what was expected
 * and what happened. Requests go through the same inspection as `check()` (content
 * fields refused, PII facts derived) but nothing is recorded.
 *
 * @example
 * const report = runPolicyTests(parseDocumentText(text, 'yaml'), {
 *   loadPolicy: (ref) => parseDocumentText(readFileSync(resolve(dir, ref), 'utf8'), formatOf(ref)),
 * });
 * if (report.failed > 0) console.log(formatPolicyTestReport(report));
 */
export function runPolicyTests(file: unknown, options: PolicyTestOptions = {}): PolicyTestReport {
  const checked = validateTestFile(file);
  if (!checked.ok) {
    throw new GovgateError(
      'POLICY_TEST_INVALID',
      `policy test file is invalid: ${checked.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`,
      {
        details: checked.errors,
      },
    );
  }
  const { policy: reference, tenant, cases } = checked.value;
  let document: unknown = reference;
  if (typeof reference === 'string') {
    if (options.loadPolicy === undefined)
      throw new GovgateError(
        'POLICY_TEST_INVALID',
        `the test file names the policy '${reference}' but no loader was given`,
      );
    document = options.loadPolicy(reference);
  }
  const policy = compilePolicy(document, tenant === undefined ? {} : { tenant });
  const results = cases.map((c) => runCase(policy, c));
  const passed = results.filter((r) => r.passed).length;
  return {
    policy: { id: policy.ref.id, version: policy.ref.version, digest: policy.ref.digest },
    total: results.length,
    passed,
    failed: results.length - passed,
    cases: results,
  };
}

/** Parses and runs a policy test file given as JSON or YAML text. */
export function runPolicyTestText(
  text: string,
  format: DocumentFormat,
  options: PolicyTestOptions = {},
): PolicyTestReport {
  return runPolicyTests(parseDocumentText(text, format, 'POLICY_TEST_INVALID'), options);
}

function describeOutcome(outcome: PolicyTestOutcome): string {
  if ('rejected' in outcome)
    return `rejected ${outcome.rejected} (${outcome.details.map((d) => d.pointer).join(', ')})`;
  const d = outcome.decision;
  const rules = d.reasons
    .map((r) => `${r.rule} [${r.effect}${r.weight > 0 ? ` +${r.weight}` : ''}]`)
    .join(', ');
  return `${d.allowed ? 'allowed' : 'blocked'}, risk score ${d.riskScore}${d.review ? ', review' : ''}; matched: ${rules || 'none'}`;
}

/** A plain-text report: one line per case, and for a failure what differed. */
export function formatPolicyTestReport(report: PolicyTestReport): string {
  const lines = [
    `policy ${report.policy.id} v${report.policy.version}: ${report.passed}/${report.total} passed`,
  ];
  for (const c of report.cases) {
    lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}`);
    if (!c.passed) {
      for (const m of c.mismatches)
        lines.push(
          `         ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`,
        );
      lines.push(`         (${describeOutcome(c.outcome)})`);
    }
  }
  return lines.join('\n');
}

export { describeOutcome as describePolicyTestOutcome };
