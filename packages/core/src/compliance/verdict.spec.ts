import { describe, expect, it } from '@jest/globals';
import { modelRelease, recorded } from './__fixtures__/compliance.js';
import type { EvidenceInput, RecordedEvidence } from './evidence.js';
import { compileProfile } from './profile.js';
import { judgeRun } from './verdict.js';

const profile = compileProfile(modelRelease);
const NOW = Date.parse('2026-11-30T00:00:00Z');
const complete = [
  { type: 'eval.accuracy', data: { value: 0.93 } },
  { type: 'data.provenance', data: { source: 's3://datasets/v7' } },
  { type: 'bias.audit', data: { passed: true } },
  { type: 'approval', data: { approver: 'alice@example.com' } },
  { type: 'approval', data: { approver: 'bob@example.com' } },
];

function judge(evidence: readonly RecordedEvidence[], now = NOW) {
  return judgeRun(profile, 'run-1', evidence, now);
}

describe('judgeRun', () => {
  it('is VALID with every requirement met and two allowed approvals after the evidence', () => {
    const verdict = judge(recorded(complete));
    expect(verdict).toMatchObject({
      status: 'VALID',
      reasons: [],
      missing: [],
      basedOn: [1, 2, 3, 4, 5],
      counts: { evidence: 5, counted: 5, approvals: 2 },
      profile: { id: 'model-release', version: 1 },
    });
  });

  it('is INCOMPLETE with the missing items', () => {
    const verdict = judge(recorded(complete.slice(0, 1)));
    expect(verdict.status).toBe('INCOMPLETE');
    expect(verdict.missing.map((m) => m.type)).toEqual([
      'data.provenance',
      'bias.audit',
      'approval',
    ]);
    expect(verdict.missing[2]?.needed).toBe(2);
  });

  it('is INVALID when a predicate fails, even if another entry of that type passes', () => {
    const verdict = judge(
      recorded([{ type: 'eval.accuracy', data: { value: 0.85 } }, ...complete]),
    );
    expect(verdict.status).toBe('INVALID');
    expect(verdict.reasons[0]).toMatchObject({
      code: 'predicate_failed',
      seq: 1,
      type: 'eval.accuracy',
    });
  });

  it('is INVALID when an approval comes from someone not allowed', () => {
    const verdict = judge(
      recorded([
        ...complete.slice(0, 3),
        { type: 'approval', data: { approver: 'mallory@example.com' } },
      ]),
    );
    expect(verdict.status).toBe('INVALID');
    expect(verdict.reasons.map((r) => r.code)).toEqual(['approver_not_allowed', 'missing']);
  });

  it('counts distinct approvers only', () => {
    const twice = [
      ...complete.slice(0, 4),
      { type: 'approval', data: { approver: 'alice@example.com' } },
    ];
    const verdict = judge(recorded(twice));
    expect(verdict.status).toBe('INCOMPLETE');
    expect(verdict.missing).toEqual([expect.objectContaining({ type: 'approval', needed: 1 })]);
  });

  it('is INVALID when evidence is recorded after an approval', () => {
    const late = [complete[0]!, complete[1]!, complete[3]!, complete[2]!, complete[4]!];
    const verdict = judge(recorded(late));
    expect(verdict.status).toBe('INVALID');
    expect(verdict.reasons).toEqual([
      expect.objectContaining({ code: 'evidence_after_approval', seq: 4, type: 'bias.audit' }),
    ]);
  });

  it('does not count evidence older than maxAgeDays', () => {
    const old = recorded(complete, { start: NOW - 91 * 86_400_000 });
    const verdict = judge(old);
    expect(verdict.status).toBe('INCOMPLETE');
    expect(verdict.counts.counted).toBe(0);
    expect(verdict.reasons.filter((r) => r.code === 'stale')).toHaveLength(5);
  });

  it('ignores the evidence of other runs', () => {
    const verdict = judge([
      ...recorded(complete),
      ...recorded([{ type: 'eval.accuracy', data: { value: 0 } }], { runId: 'run-2', firstSeq: 6 }),
    ]);
    expect(verdict.status).toBe('VALID');
    expect(verdict.basedOn).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not depend on the order the evidence was submitted in (approvals last)', () => {
    // every order of the non-approval evidence, with and without a failing entry and a gap
    const bodies = [
      { type: 'eval.accuracy', data: { value: 0.93 } },
      { type: 'data.provenance', data: { source: 'x' } },
      { type: 'bias.audit', data: { passed: true } },
      { type: 'eval.accuracy', data: { value: 0.97 } },
      { type: 'risk.assessment', data: { level: 'limited' } },
    ];
    const approvals = complete.slice(3);
    const permutations = (items: typeof bodies): (typeof bodies)[] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [
              item,
              ...rest,
            ]),
          );
    const shapes = [
      bodies,
      [...bodies.slice(0, 4), { type: 'bias.audit', data: { passed: false } }],
      bodies.slice(1),
    ];
    for (const shape of shapes) {
      const outcomes = new Set<string>();
      for (const order of permutations(shape)) {
        const v = judge(recorded([...order, ...approvals]));
        outcomes.add(
          JSON.stringify({
            status: v.status,
            missing: v.missing,
            reasons: v.reasons.map((r) => `${r.code}:${r.type ?? ''}`).sort(),
          }),
        );
      }
      expect(outcomes.size).toBe(1);
    }
  });

  it('does not depend on submission order, for 500 random runs (seeded, reproducible)', () => {
    // xorshift32: the same runs on every machine; a failure names the seed of its run
    let state = 0x9e3779b9;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const shuffled = <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    };
    const pool: Omit<EvidenceInput, 'runId'>[] = [
      { type: 'eval.accuracy', data: { value: 0.93 } },
      { type: 'eval.accuracy', data: { value: 0.5 } },
      { type: 'data.provenance', data: { source: 'x' } },
      { type: 'bias.audit', data: { passed: true } },
      { type: 'bias.audit', data: { passed: false } },
      { type: 'risk.assessment', data: { level: 'limited' } },
    ];
    const approvers = ['alice@example.com', 'bob@example.com', 'carol@example.com', 'eve@x.org'];
    const outcome = (evidence: Omit<EvidenceInput, 'runId'>[]) => {
      const v = judge(recorded(evidence));
      return {
        status: v.status,
        missing: v.missing,
        reasons: v.reasons.map((r) => `${r.code}:${r.type ?? ''}`).sort(),
      };
    };
    const seen = new Set<string>();
    for (let run = 0; run < 500; run++) {
      const seed = state;
      const body = Array.from({ length: Math.floor(random() * 7) }, () => pick(pool));
      const approvals = Array.from({ length: Math.floor(random() * 4) }, () => ({
        type: 'approval' as const,
        data: { approver: pick(approvers) },
      }));
      const expected = outcome([...body, ...approvals]);
      const other = outcome([...shuffled(body), ...shuffled(approvals)]);
      expect({ seed, ...other }).toEqual({ seed, ...expected });
      seen.add(expected.status);
    }
    expect([...seen].sort()).toEqual(['INCOMPLETE', 'INVALID', 'VALID']);
  });

  it('is deterministic', () => {
    const evidence = recorded(complete);
    expect(judge(evidence)).toEqual(judge([...evidence].reverse()));
  });
});
