import { describe, expect, it } from '@jest/globals';
import { compilePolicy } from '../policy/compile.js';
import { aRequest, seedPolicy } from './builders.js';
import { policyMatchers } from './matchers.js';

const policy = compilePolicy(seedPolicy());
const blocked = policy.evaluate(aRequest({ contains_personal_data: true }));
const allowed = policy.evaluate(aRequest({}));

describe('policyMatchers', () => {
  it('toBeAllowed passes for an allowed decision and explains a blocked one with its matched rules', () => {
    expect(policyMatchers.toBeAllowed(allowed).pass).toBe(true);
    const result = policyMatchers.toBeAllowed(blocked);
    expect(result.pass).toBe(false);
    expect(result.message()).toBe(
      'expected the decision to be allowed, but it was blocked with risk score 70; matched rules: personal-data (score +70: contains_personal_data)',
    );
  });

  it('toBeDenied passes for a blocked decision and says when no rule matched', () => {
    expect(policyMatchers.toBeDenied(blocked).pass).toBe(true);
    expect(policyMatchers.toBeDenied(allowed).message()).toBe(
      'expected the decision to be denied, but it was allowed with risk score 0; no rule matched',
    );
  });

  it('toHaveRiskScore compares the score', () => {
    expect(policyMatchers.toHaveRiskScore(blocked, 70).pass).toBe(true);
    expect(policyMatchers.toHaveRiskScore(blocked, 50).message()).toMatch(
      /^expected risk score 50, but it was blocked with risk score 70/,
    );
  });

  it('toHaveReason accepts a reason or a rule id', () => {
    expect(policyMatchers.toHaveReason(blocked, 'contains_personal_data').pass).toBe(true);
    expect(policyMatchers.toHaveReason(blocked, 'personal-data').pass).toBe(true);
    expect(policyMatchers.toHaveReason(allowed, 'contains_personal_data').pass).toBe(false);
  });

  it('fails clearly for something that is not a decision', () => {
    expect(policyMatchers.toBeAllowed({ allowed: 'yes' }).message()).toMatch(
      /expected a govgate decision/,
    );
  });

  it('works through expect.extend', () => {
    expect.extend(policyMatchers);
    const e = expect as unknown as (v: unknown) => {
      toBeDenied(): void;
      not: { toBeAllowed(): void };
      toHaveRiskScore(n: number): void;
    };
    e(blocked).toBeDenied();
    e(blocked).not.toBeAllowed();
    e(blocked).toHaveRiskScore(70);
  });
});
