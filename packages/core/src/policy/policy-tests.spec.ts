import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { seedPolicy } from '../testing/builders.js';
import { formatPolicyTestReport, runPolicyTestText, runPolicyTests } from './policy-tests.js';

const file = (cases: unknown[], extra: object = {}) => ({ policy: seedPolicy(), cases, ...extra });
const request = (metadata: object) => ({ model: 'm', operation: 'o', metadata });

describe('runPolicyTests', () => {
  it('passes cases whose expectations hold, checking only the fields given', () => {
    const report = runPolicyTests(
      file([
        {
          name: 'pd',
          request: request({ contains_personal_data: true }),
          expect: { allowed: false },
        },
        {
          name: 'score',
          request: request({ is_external_model: true }),
          expect: { riskScore: 50, reasons: ['is_external_model'] },
        },
      ]),
    );
    expect(report).toMatchObject({
      total: 2,
      passed: 2,
      failed: 0,
      policy: { id: 'default', version: 1 },
    });
  });

  it('reports each mismatch with expected and actual', () => {
    const report = runPolicyTests(
      file([
        {
          name: 'wrong',
          request: request({ contains_personal_data: true }),
          expect: { allowed: true, riskScore: 10, reasons: [] },
        },
      ]),
    );
    expect(report.failed).toBe(1);
    expect(report.cases[0]?.mismatches).toEqual([
      { field: 'allowed', expected: true, actual: false },
      { field: 'riskScore', expected: 10, actual: 70 },
      { field: 'reasons', expected: [], actual: ['contains_personal_data'] },
    ]);
  });

  it('compares reasons in rule order', () => {
    const report = runPolicyTests(
      file([
        {
          name: 'order',
          request: request({ contains_personal_data: true, is_external_model: true }),
          expect: { reasons: ['is_external_model', 'contains_personal_data'] },
        },
      ]),
    );
    expect(report.cases[0]?.passed).toBe(false);
  });

  it('expects a rejection by its code', () => {
    const report = runPolicyTests(
      file([
        {
          name: 'content',
          request: request({ messages: [] }),
          expect: { rejected: 'FORBIDDEN_CONTENT_FIELD' },
        },
        {
          name: 'missing rejection',
          request: request({}),
          expect: { rejected: 'FORBIDDEN_CONTENT_FIELD' },
        },
        { name: 'unexpected rejection', request: { model: 1 }, expect: { allowed: true } },
      ]),
    );
    expect(report.cases.map((c) => c.passed)).toEqual([true, false, false]);
    expect(report.cases[2]?.mismatches).toEqual([
      { field: 'rejected', expected: null, actual: 'REQUEST_INVALID' },
    ]);
  });

  it('applies the override of the tenant the file names', () => {
    const policy = { ...seedPolicy(), overrides: { acme: { threshold: 80 } } };
    const report = runPolicyTests(
      file(
        [
          {
            name: 'acme tolerates 70',
            request: request({ contains_personal_data: true }),
            expect: { allowed: true },
          },
        ],
        { policy, tenant: 'acme' },
      ),
    );
    expect(report.passed).toBe(1);
  });

  it('loads a policy named by path through the given loader', () => {
    const report = runPolicyTests(
      {
        policy: './p.yaml',
        cases: [{ name: 'n', request: request({}), expect: { allowed: true } }],
      },
      { loadPolicy: (ref) => (ref === './p.yaml' ? seedPolicy() : undefined) },
    );
    expect(report.passed).toBe(1);
  });

  it.each([
    ['no cases', { policy: seedPolicy(), cases: [] }, '/cases'],
    [
      'an unknown expectation',
      file([{ name: 'n', request: {}, expect: { alowed: true } }]),
      '/cases/0/expect/alowed',
    ],
    ['an empty expectation', file([{ name: 'n', request: {}, expect: {} }]), '/cases/0/expect'],
  ])('refuses a test file with %s (POLICY_TEST_INVALID)', (_name, f, pointer) => {
    try {
      runPolicyTests(f);
      throw new Error('not thrown');
    } catch (error) {
      expect(GovgateError.is(error, 'POLICY_TEST_INVALID')).toBe(true);
      expect((error as GovgateError).details[0]?.pointer).toBe(pointer);
    }
  });

  it('refuses a file that names a policy path without a loader', () => {
    expect(() =>
      runPolicyTests({
        policy: 'x.yaml',
        cases: [{ name: 'n', request: {}, expect: { allowed: true } }],
      }),
    ).toThrow(/no loader/);
  });

  it('runs YAML text and formats a readable report', () => {
    const text = [
      'policy:',
      '  id: p',
      '  version: 1',
      '  threshold: 50',
      '  rules:',
      '    - { id: big, when: { path: metadata.gpus, gt: 8 }, effect: deny }',
      'cases:',
      '  - name: eight is fine',
      '    request: { model: m, operation: o, metadata: { gpus: 8 } }',
      '    expect: { allowed: false }',
    ].join('\n');
    const report = runPolicyTestText(text, 'yaml');
    expect(formatPolicyTestReport(report)).toBe(
      [
        'policy p v1: 0/1 passed',
        '  FAIL eight is fine',
        '         allowed: expected false, got true',
        '         (allowed, risk score 0; matched: none)',
      ].join('\n'),
    );
  });
});
