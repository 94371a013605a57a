import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { assertRegoDescriptor, checkEntrypoints } from './descriptor.js';

function failure(fn: () => unknown): GovgateError {
  try {
    fn();
  } catch (error) {
    if (GovgateError.is(error, 'POLICY_INVALID')) return error;
    throw error;
  }
  throw new Error('expected POLICY_INVALID');
}

const seed = {
  entrypoints: {
    allowed: 'govgate/allow',
    riskScore: 'govgate/risk_score',
    reasons: 'govgate/reasons',
    review: 'govgate/review',
  },
  threshold: 50,
};

describe('assertRegoDescriptor', () => {
  it('accepts the seed descriptor', () => {
    expect(assertRegoDescriptor(seed)).toEqual(seed);
  });

  it('accepts a descriptor naming only the allow entrypoint', () => {
    expect(assertRegoDescriptor({ entrypoints: { allowed: 'x/allow' } })).toEqual({
      entrypoints: { allowed: 'x/allow' },
    });
  });

  it('refuses unknown keys, suggesting the known one', () => {
    const e = failure(() =>
      assertRegoDescriptor({ entrypoints: { allowed: 'a/b', riskscore: 'a/c' }, limit: 3 }),
    );
    expect(e.details).toEqual([
      { pointer: '/descriptor/limit', message: "descriptor/limit: unknown key 'limit'" },
      {
        pointer: '/descriptor/entrypoints/riskscore',
        message:
          "descriptor/entrypoints/riskscore: unknown key 'riskscore' (did you mean 'riskScore'?)",
      },
    ]);
  });

  it('requires the allowed entrypoint', () => {
    expect(failure(() => assertRegoDescriptor({ entrypoints: {} })).details).toEqual([
      {
        pointer: '/descriptor/entrypoints/allowed',
        message: "descriptor/entrypoints/allowed: 'allowed' is required",
      },
    ]);
  });

  it('refuses entrypoint names OPA would not produce', () => {
    const e = failure(() =>
      assertRegoDescriptor({ entrypoints: { allowed: 'data.govgate.allow' } }),
    );
    expect(e.details[0]?.message).toBe(
      "descriptor/entrypoints/allowed: must be an OPA entrypoint such as 'govgate/allow'",
    );
  });

  it('refuses a threshold outside 0..100', () => {
    const e = failure(() => assertRegoDescriptor({ ...seed, threshold: 101 }));
    expect(e.details[0]?.pointer).toBe('/descriptor/threshold');
  });
});

describe('checkEntrypoints', () => {
  const available = { 'govgate/allow': 0, 'govgate/risk_score': 1 };

  it('passes when every named entrypoint exists', () => {
    expect(() =>
      checkEntrypoints(
        { entrypoints: { allowed: 'govgate/allow', riskScore: 'govgate/risk_score' } },
        available,
      ),
    ).not.toThrow();
  });

  it('names each missing entrypoint and lists the available ones', () => {
    const e = failure(() => checkEntrypoints(seed, available));
    expect(e.details.map((d) => d.pointer)).toEqual([
      '/descriptor/entrypoints/reasons',
      '/descriptor/entrypoints/review',
    ]);
    expect(e.details[0]?.message).toContain(
      "entrypoint 'govgate/reasons' (reasons) is not in the policy; it has 'govgate/allow', 'govgate/risk_score'",
    );
  });
});
