import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { mapRegoResults } from './decision-mapping.js';
import type { RegoDescriptor } from './descriptor.js';

const full: RegoDescriptor = {
  entrypoints: {
    allowed: 'g/allow',
    riskScore: 'g/score',
    reasons: 'g/reasons',
    review: 'g/review',
  },
};
const only = (result: unknown) => [{ result }];

function failure(fn: () => unknown): GovgateError {
  try {
    fn();
  } catch (error) {
    if (GovgateError.is(error, 'POLICY_INVALID')) return error;
    throw error;
  }
  throw new Error('expected POLICY_INVALID');
}

describe('mapRegoResults', () => {
  it('maps every entrypoint to the decision', () => {
    const reason = {
      rule: 'external-model',
      effect: 'score',
      weight: 50,
      reason: 'is_external_model',
    };
    expect(
      mapRegoResults(
        { allowed: only(false), riskScore: only(50), reasons: only([reason]), review: only(true) },
        full,
      ),
    ).toEqual({ allowed: false, riskScore: 50, reasons: [reason], review: true });
  });

  it('gives defaults for the optional entrypoints not named', () => {
    expect(
      mapRegoResults({ allowed: only(true) }, { entrypoints: { allowed: 'g/allow' } }),
    ).toEqual({
      allowed: true,
      riskScore: 0,
      reasons: [],
      review: false,
    });
  });

  it('gives defaults when optional entrypoints are undefined for the input', () => {
    expect(
      mapRegoResults({ allowed: only(true), riskScore: [], reasons: [], review: [] }, full),
    ).toEqual({ allowed: true, riskScore: 0, reasons: [], review: false });
  });

  it('turns string reasons into score reasons of weight 0', () => {
    const d = mapRegoResults({ allowed: only(true), reasons: only(['a', 'b']) }, full);
    expect(d.reasons).toEqual([
      { rule: 'a', effect: 'score', weight: 0, reason: 'a' },
      { rule: 'b', effect: 'score', weight: 0, reason: 'b' },
    ]);
  });

  it('fills a reason object from its rule or its reason', () => {
    const d = mapRegoResults(
      { allowed: only(true), reasons: only([{ rule: 'r1' }, { reason: 'why', effect: 'deny' }]) },
      full,
    );
    expect(d.reasons).toEqual([
      { rule: 'r1', effect: 'score', weight: 0, reason: 'r1' },
      { rule: 'why', effect: 'deny', weight: 0, reason: 'why' },
    ]);
  });

  it('applies the descriptor threshold to allowed', () => {
    const d = mapRegoResults(
      { allowed: only(true), riskScore: only(60) },
      { ...full, threshold: 50 },
    );
    expect(d.allowed).toBe(false);
  });

  it('refuses an allowed that is not a boolean, naming the entrypoint and the value', () => {
    const e = failure(() => mapRegoResults({ allowed: only('yes') }, full));
    expect(e.details).toEqual([
      {
        pointer: '/entrypoints/g/allow',
        message: `entrypoint 'g/allow' must give true or false; it gave "yes"`,
      },
    ]);
  });

  it('refuses an undefined allowed (fail closed, not a silent default)', () => {
    expect(failure(() => mapRegoResults({ allowed: [] }, full)).message).toContain(
      "entrypoint 'g/allow' is undefined for this input",
    );
  });

  it.each([[-1], [101], ['50'], [null]])('refuses the risk score %p', (score) => {
    const e = failure(() => mapRegoResults({ allowed: only(true), riskScore: only(score) }, full));
    expect(e.message).toContain("entrypoint 'g/score' must give a number from 0 to 100");
  });

  it.each([
    [{ a: 1 }],
    [[1]],
    [[{ weight: 3 }]],
    [[{ rule: 'r', effect: 'allow' }]],
    [[{ rule: 'r', weight: -1 }]],
    [[{ rule: 5 }]],
  ])('refuses the reasons %j', (reasons) => {
    const e = failure(() => mapRegoResults({ allowed: only(true), reasons: only(reasons) }, full));
    expect(e.details[0]?.pointer).toBe('/entrypoints/g/reasons');
  });

  it('refuses a review that is not a boolean', () => {
    const e = failure(() => mapRegoResults({ allowed: only(true), review: only(1) }, full));
    expect(e.message).toContain("entrypoint 'g/review' must give true or false; it gave 1");
  });

  it('refuses something that is not a result set', () => {
    const e = failure(() =>
      mapRegoResults({ allowed: [{ result: true }, { result: false }] }, full),
    );
    expect(e.message).toContain('must give a result set');
  });

  it('cuts a long wrong value in the message', () => {
    const e = failure(() => mapRegoResults({ allowed: only('x'.repeat(1000)) }, full));
    expect(e.message.length).toBeLessThan(400);
  });
});
