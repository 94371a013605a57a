import type { Decision } from '../decision/decision.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function isDecision(value: unknown): value is Decision {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Decision).allowed === 'boolean' &&
    typeof (value as Decision).riskScore === 'number' &&
    Array.isArray((value as Decision).reasons)
  );
}

function matchedRules(d: Decision): string {
  if (d.reasons.length === 0) return 'no rule matched';
  return `matched rules: ${d.reasons
    .map((r) => `${r.rule} (${r.effect}${r.weight > 0 ? ` +${r.weight}` : ''}: ${r.reason})`)
    .join(', ')}`;
}

function summary(d: Decision): string {
  return `${d.allowed ? 'allowed' : 'blocked'} with risk score ${d.riskScore}${d.review ? ' (flagged for review)' : ''}; ${matchedRules(d)}`;
}

function notADecision(received: unknown): MatcherResult {
  return {
    pass: false,
    message: () => `expected a govgate decision, received ${JSON.stringify(received)}`,
  };
}

/**
 * Jest matchers for decisions. Register once: `expect.extend(policyMatchers)`.
 *
 * @example
 * expect(policy.evaluate(request)).toBeDenied();
 * expect(policy.evaluate(request)).toHaveReason('contains_personal_data');
 */
export const policyMatchers = {
  toBeAllowed(received: unknown): MatcherResult {
    if (!isDecision(received)) return notADecision(received);
    return {
      pass: received.allowed,
      message: () =>
        received.allowed
          ? `expected the decision not to be allowed, but it was ${summary(received)}`
          : `expected the decision to be allowed, but it was ${summary(received)}`,
    };
  },
  toBeDenied(received: unknown): MatcherResult {
    if (!isDecision(received)) return notADecision(received);
    return {
      pass: !received.allowed,
      message: () =>
        received.allowed
          ? `expected the decision to be denied, but it was ${summary(received)}`
          : `expected the decision not to be denied, but it was ${summary(received)}`,
    };
  },
  toHaveRiskScore(received: unknown, expected: number): MatcherResult {
    if (!isDecision(received)) return notADecision(received);
    return {
      pass: received.riskScore === expected,
      message: () =>
        `expected risk score ${received.riskScore === expected ? 'not ' : ''}${expected}, but it was ${summary(received)}`,
    };
  },
  toHaveReason(received: unknown, expected: string): MatcherResult {
    if (!isDecision(received)) return notADecision(received);
    const pass = received.reasons.some((r) => r.reason === expected || r.rule === expected);
    return {
      pass,
      message: () =>
        `expected the decision ${pass ? 'not ' : ''}to have reason '${expected}', but it was ${summary(received)}`,
    };
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- jest's own extension point
  namespace jest {
    interface Matchers<R> {
      toBeAllowed(): R;
      toBeDenied(): R;
      toHaveRiskScore(score: number): R;
      toHaveReason(reason: string): R;
    }
  }
}
