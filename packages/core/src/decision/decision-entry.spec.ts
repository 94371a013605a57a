import { describe, expect, it } from '@jest/globals';
import { canonicalJsonData } from '../ledger/canonical-json.js';
import { checkAppend } from '../ledger/entry.js';
import { compilePolicy } from '../policy/compile.js';
import { aPolicy, aRequest, seedPolicy } from '../testing/builders.js';
import type { Decision, DecisionReason, JsonObject } from './decision.js';
import { decisionEntryData } from './decision-entry.js';
import { inspectForRecord } from './inspect.js';

const policy = compilePolicy(
  aPolicy('p')
    .withRule('a', { path: 'metadata.a', equals: 1 }, 'score', 20, 'a is "one"\n')
    .withRule('b', { path: 'pii.email', equals: true }, 'review', 5)
    .withRule('c', { path: 'metadata.c', equals: true }, 'deny')
    .build(),
);
const requests = [
  aRequest({}),
  aRequest({ a: 1, c: true }),
  aRequest({ z: 'mail bob@example.com', a: 1 }, { subject: 'u-1', context: { env: 'prod' } }),
  aRequest({ '10': 'x', '9': ['\u2028', { é: -0 }] }, { context: { b: null, a: 1e21 } }),
];

/** What checkAppend returns for the data, and what a full check of the same data writes. */
function written(data: JsonObject): { taken: string; full: string | undefined } {
  const full = canonicalJsonData(data);
  // Changed after it was built: only a JSON recorded before the change still shows the old value.
  (data as { extra?: number }).extra = 1;
  const taken = checkAppend('acme', { type: 'decision', actor: 'library', data });
  return { taken, full };
}

describe('decisionEntryData', () => {
  it.each(requests.map((request, n) => [n, request] as const))(
    'hands the ledger the canonical JSON of the data it builds (request %i)',
    (_n, request) => {
      const recorded = inspectForRecord(request, policy.forbiddenFields);
      const data = decisionEntryData(recorded, policy.evaluate(recorded.request, recorded.facts));
      const { taken, full } = written(data);
      expect(taken).toBe(full);
    },
  );

  it('holds the decision, the PII kinds and the stored request', () => {
    const recorded = inspectForRecord(requests[2], policy.forbiddenFields);
    const decision = policy.evaluate(recorded.request, recorded.facts);
    expect(decisionEntryData(recorded, decision)).toEqual({
      decision: {
        allowed: true,
        policy: decision.policy,
        reasons: decision.reasons,
        review: true,
        riskScore: 25,
      },
      pii: ['email'],
      request: {
        context: { env: 'prod' },
        metadata: { z: 'mail [REDACTED:email]', a: 1 },
        model: 'gpt-4o',
        operation: 'chat.completion',
      },
    });
  });

  it.each<[string, (d: Decision) => Decision]>([
    ['a policy ref that is not frozen', (d) => ({ ...d, policy: { ...d.policy } })],
    [
      'a reason that is not frozen',
      (d) => ({ ...d, reasons: [{ ...(d.reasons[0] as DecisionReason) }] }),
    ],
    [
      'a frozen reason with an accessor',
      (d) => ({
        ...d,
        reasons: [
          Object.freeze(
            Object.defineProperty({ ...(d.reasons[0] as DecisionReason) }, 'reason', {
              get: () => 'r',
              enumerable: true,
            }),
          ),
        ],
      }),
    ],
    ['a risk score that is not a finite number', (d) => ({ ...d, riskScore: Number.NaN })],
  ])('leaves the data to the ledger’s full check when the decision has %s', (_name, change) => {
    const recorded = inspectForRecord(aRequest({ a: 1 }), policy.forbiddenFields);
    const data = decisionEntryData(recorded, change(policy.evaluate(recorded.request)));
    const full = canonicalJsonData(data);
    if (full === undefined) {
      expect(() => checkAppend('acme', { type: 'decision', actor: 'library', data })).toThrow();
      return;
    }
    const { taken } = written(data);
    expect(taken).toBe(canonicalJsonData(data));
  });

  it('writes the same JSON as a full check for the seed policy', () => {
    const seed = compilePolicy(seedPolicy());
    const recorded = inspectForRecord(
      aRequest({ contains_personal_data: true, is_external_model: true }),
      seed.forbiddenFields,
    );
    const { taken, full } = written(
      decisionEntryData(recorded, seed.evaluate(recorded.request, recorded.facts)),
    );
    expect(taken).toBe(full);
  });
});
