import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { ed25519Signer } from '../ledger/checkpoint.js';
import type { LedgerEntry } from '../ledger/entry.js';
import { InMemoryLedger } from '../testing/in-memory-ledger.js';
import {
  InMemoryEvidenceIndex,
  InMemoryProfileStore,
  InMemoryWorkflowStore,
  ManualClock,
} from '../testing/in-memory-stores.js';
import { modelRelease } from './__fixtures__/compliance.js';
import { createCompliance, type Compliance } from './compliance.js';
import { evidenceEntry } from './evidence.js';
import { verifyPack } from './pack.js';

const { privateKey } = generateKeyPairSync('ed25519');
const signer = ed25519Signer(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

describe('Compliance', () => {
  let ledger: InMemoryLedger;
  let index: InMemoryEvidenceIndex;
  let workflows: InMemoryWorkflowStore;
  let compliance: Compliance;
  const clock = new ManualClock(Date.parse('2026-11-30T00:00:00Z'));

  beforeEach(async () => {
    ledger = new InMemoryLedger();
    index = new InMemoryEvidenceIndex();
    workflows = new InMemoryWorkflowStore();
    compliance = createCompliance({
      ledger,
      evidenceIndex: index,
      profiles: new InMemoryProfileStore(),
      workflows,
      signer,
      clock,
    });
    await compliance.saveProfile('acme', modelRelease, 'admin');
    await compliance.activateProfile('acme', 'model-release', 1, 'admin');
  });

  const evidence = [
    { type: 'eval.accuracy', data: { value: 0.93 } },
    { type: 'data.provenance', data: { source: 'x' } },
    { type: 'bias.audit', data: { passed: true } },
    { type: 'approval', data: { approver: 'alice@example.com' } },
    { type: 'approval', data: { approver: 'bob@example.com' } },
  ];

  it('records evidence in the ledger, indexes it by run, and judges the run by the active profile', async () => {
    for (const e of evidence)
      await compliance.recordEvidence('acme', { runId: 'r1', ...e }, 'key:ci');
    await compliance.recordEvidence(
      'acme',
      { runId: 'r2', type: 'eval.accuracy', data: { value: 0.1 } },
      'key:ci',
    );
    expect((await index.list('acme', { runId: 'r1' })).map((r) => r.seq)).toEqual([3, 4, 5, 6, 7]);
    const verdict = await compliance.verdict('acme', 'r1');
    expect(verdict).toMatchObject({ status: 'VALID', basedOn: [3, 4, 5, 6, 7] });
    expect((await compliance.verdict('acme', 'r2')).status).toBe('INVALID');
  });

  it('rebuilds the index from the ledger after a crash between append and index', async () => {
    await ledger.append('acme', [
      evidenceEntry({ runId: 'r1', type: 'eval.accuracy', data: { value: 0.95 } }, 'k'),
    ]);
    expect(await index.list('acme', { runId: 'r1' })).toEqual([]);
    expect(await compliance.reindex('acme')).toEqual({ scanned: 3, indexed: 1 });
    expect(await index.list('acme', { runId: 'r1' })).toEqual([
      { runId: 'r1', seq: 3, type: 'eval.accuracy' },
    ]);
    expect(await index.watermark('acme')).toBe(3);
    expect(await compliance.reindex('acme')).toEqual({ scanned: 0, indexed: 0 });
  });

  it('judges by the profile the run names, and says when there is none', async () => {
    await compliance.saveProfile(
      'acme',
      { id: 'lenient', version: 1, requires: [{ type: 'eval.accuracy' }] },
      'admin',
    );
    await compliance.recordEvidence(
      'acme',
      { runId: 'r3', type: 'eval.accuracy', data: { value: 0.1 }, profile: 'lenient@1' },
      'k',
    );
    expect((await compliance.verdict('acme', 'r3')).profile.id).toBe('lenient');
    expect((await compliance.verdict('acme', 'r3', { profile: 'model-release' })).status).toBe(
      'INVALID',
    );
    await expect(compliance.verdict('acme', 'r3', { profile: 'nope' })).rejects.toMatchObject({
      code: 'PROFILE_NOT_FOUND',
    });
  });

  it.each([
    ['an unknown profile', 'nope', "no profile 'nope'"],
    ['an unknown profile with a version', 'nope@1', "profile 'nope' has no version 1"],
    [
      'a version the profile does not have',
      'model-release@2',
      "profile 'model-release' has no version 2",
    ],
  ])(
    'refuses evidence naming %s (PROFILE_NOT_FOUND at /profile) and records nothing',
    async (_what, profile, missing) => {
      const size = (await ledger.head('acme')).size;
      const error = await compliance
        .recordEvidence('acme', { runId: 'r1', type: 'x', data: {}, profile }, 'key:ci')
        .catch((e: unknown) => e);
      expect(GovgateError.is(error, 'PROFILE_NOT_FOUND')).toBe(true);
      expect((error as GovgateError).message).toContain(missing);
      expect((error as GovgateError).details).toEqual([
        { pointer: '/profile', message: expect.stringContaining(missing) as unknown },
      ]);
      expect((await ledger.head('acme')).size).toBe(size);
      expect(await index.list('acme')).toEqual([]);
    },
  );

  it('records evidence naming a profile the tenant has, with or without its version', async () => {
    await compliance.recordEvidence(
      'acme',
      { runId: 'r1', type: 'eval.accuracy', data: { value: 0.93 }, profile: 'model-release' },
      'key:ci',
    );
    await compliance.recordEvidence(
      'acme',
      { runId: 'r1', type: 'bias.audit', data: { passed: true }, profile: 'model-release@1' },
      'key:ci',
    );
    expect((await index.list('acme', { runId: 'r1' })).map((r) => r.type)).toEqual([
      'eval.accuracy',
      'bias.audit',
    ]);
    expect((await compliance.verdict('acme', 'r1')).profile).toMatchObject({
      id: 'model-release',
      version: 1,
    });
  });

  it('treats saving an identical profile again as a no-op and records nothing', async () => {
    const size = (await ledger.head('acme')).size;
    const again = await compliance.saveProfile('acme', modelRelease, 'admin');
    expect(again).toMatchObject({ created: false, record: { id: 'model-release', version: 1 } });
    expect((await ledger.head('acme')).size).toBe(size);
    const other = await compliance.saveProfile('acme', { ...modelRelease, version: 2 }, 'admin');
    expect(other).toMatchObject({ created: true, record: { version: 2 } });
    expect((await ledger.head('acme')).size).toBe(size + 1);
  });

  it('records nothing when the active profile version is activated again', async () => {
    const size = (await ledger.head('acme')).size;
    const record = await compliance.activateProfile('acme', 'model-release', 1, 'admin');
    expect(record).toMatchObject({ id: 'model-release', version: 1 });
    await Promise.all(
      ['a', 'b'].map((actor) => compliance.activateProfile('acme', 'model-release', 1, actor)),
    );
    expect((await ledger.head('acme')).size).toBe(size);
  });

  it('exports a pack proven against a checkpoint signed for it', async () => {
    for (const e of evidence)
      await compliance.recordEvidence('acme', { runId: 'r1', ...e }, 'key:ci');
    const pack = await compliance.pack('acme', 'r1', 'auditor');
    expect(verifyPack(pack, signer.publicKeyPem)).toMatchObject({ ok: true, entries: 5 });
    expect((await ledger.head('acme')).size).toBe(pack.checkpoint.size + 1);
    await expect(compliance.pack('acme', 'nothing')).rejects.toMatchObject({
      code: 'EVIDENCE_INVALID',
    });
  });

  it('moves workflows with a ledger entry per transition, and refuses invalid ones', async () => {
    const wf = await compliance.createWorkflow(
      'acme',
      { regulation: 'eu-ai-act', title: 'T' },
      'alice',
    );
    expect(wf.state).toBe('draft');
    await compliance.transition('acme', wf.id, 'in_progress', 'starting', 'alice');
    await expect(
      compliance.transition('acme', wf.id, 'approved', 'skip', 'alice'),
    ).rejects.toMatchObject({
      code: 'WORKFLOW_TRANSITION_INVALID',
    });
    const entries = [];
    for await (const { entry } of ledger.read('acme'))
      if (entry.subject === wf.id) entries.push(entry);
    expect(entries.map((e) => e.type)).toEqual(['workflow.created', 'workflow.transition']);
    await expect(
      compliance.transition('acme', 'wf_missing', 'in_progress', 'x', 'alice'),
    ).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
    expect(entries[1]).toMatchObject({
      actor: 'alice',
      data: { from: 'draft', to: 'in_progress', comment: 'starting' },
    });
  });

  it('changes no state when the ledger cannot record a transition', async () => {
    const wf = await compliance.createWorkflow(
      'acme',
      { regulation: 'eu-ai-act', title: 'T' },
      'alice',
    );
    await ledger.close();
    const error = await compliance
      .transition('acme', wf.id, 'in_progress', 'x', 'alice')
      .catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((await workflows.get('acme', wf.id))?.state).toBe('draft');
  });

  it('records a transition before it happens, and corrects it when a concurrent one won', async () => {
    const wf = await compliance.createWorkflow(
      'acme',
      { regulation: 'eu-ai-act', title: 'T' },
      'alice',
    );
    // Both read `draft`; the store's compare-and-set lets one through.
    const [first, second] = await Promise.allSettled([
      compliance.transition('acme', wf.id, 'in_progress', 'mine', 'alice'),
      compliance.transition('acme', wf.id, 'in_progress', 'mine too', 'bob'),
    ]);
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect((await workflows.get('acme', wf.id))?.state).toBe('in_progress');
    const entries: LedgerEntry[] = [];
    for await (const { entry } of ledger.read('acme'))
      if (entry.subject === wf.id) entries.push(entry);
    expect(entries.map((e) => e.type)).toEqual([
      'workflow.created',
      'workflow.transition',
      'workflow.transition',
      'audit.correction',
    ]);
    const loser = second.status === 'rejected' ? 'bob' : 'alice';
    const corrected = entries.find((e) => e.seq === entries[3]?.data.corrects);
    expect(corrected?.actor).toBe(loser);
    expect(entries[3]?.data.reason).toEqual(expect.stringContaining('did not take effect'));
  });

  it('records a profile version before saving it, and nothing changes when the ledger refuses', async () => {
    const profiles = new InMemoryProfileStore();
    const closed = new InMemoryLedger();
    await closed.close();
    const refused = createCompliance({
      ledger: closed,
      evidenceIndex: new InMemoryEvidenceIndex(),
      profiles,
      workflows: new InMemoryWorkflowStore(),
      clock,
    });
    const error = await refused.saveProfile('acme', modelRelease, 'admin').catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect(await profiles.getVersion('acme', 'model-release', 1)).toBeUndefined();
  });
});
