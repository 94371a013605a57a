import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { InMemoryLedger } from '../testing/in-memory-ledger.js';
import { evidenceEntry, evidenceOf } from './evidence.js';

describe('evidence', () => {
  it('becomes an evidence entry whose subject is the run', () => {
    const request = evidenceEntry(
      {
        runId: 'release-42',
        type: 'eval.accuracy',
        data: { value: 0.93 },
        artifactSha256: 'a'.repeat(64),
      },
      'key:ci',
    );
    expect(request).toEqual({
      type: 'evidence',
      actor: 'key:ci',
      subject: 'release-42',
      data: {
        artifactSha256: 'a'.repeat(64),
        data: { value: 0.93 },
        runId: 'release-42',
        type: 'eval.accuracy',
      },
    });
  });

  it('names every problem of bad evidence', () => {
    try {
      evidenceEntry({ runId: '', type: 'Eval', data: [], artifactSha256: 'xyz', extra: 1 }, 'k');
      throw new Error('expected a throw');
    } catch (error) {
      expect(GovgateError.is(error, 'EVIDENCE_INVALID')).toBe(true);
      expect((error as GovgateError).details.map((d) => d.pointer)).toEqual(
        expect.arrayContaining(['/runId', '/type', '/data', '/artifactSha256', '/extra']),
      );
    }
  });

  it('is read back from a ledger entry, and other entries are not evidence', async () => {
    const ledger = new InMemoryLedger();
    const request = evidenceEntry(
      { runId: 'r', type: 'approval', data: { approver: 'a@x' }, profile: 'p@2' },
      'k',
    );
    const [decision, entry] = await ledger.append('acme', [
      { type: 'decision', actor: 'k', data: {} },
      request,
    ]);
    expect(evidenceOf(entry!)).toEqual({
      runId: 'r',
      type: 'approval',
      data: { approver: 'a@x' },
      profile: 'p@2',
      seq: 2,
      ts: entry!.ts,
      actor: 'k',
    });
    expect(evidenceOf(decision!)).toBeUndefined();
  });
});
