import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseDocumentText, verifyPack, type EvidencePack } from '@govgate/core';
import type { RunningService } from '../server.js';
import { client, start, tempDir, testConfig, type Client } from './harness.js';

const examples = join(__dirname, '..', '..', '..', '..', 'examples', 'compliance');
const profileYaml = readFileSync(join(examples, 'model-release.profile.yaml'), 'utf8');
const run = parseDocumentText(
  readFileSync(join(examples, 'model-release.run.yaml'), 'utf8'),
  'yaml',
) as {
  runId: string;
  evidence: { type: string; data: Record<string, unknown> }[];
};

describe('compliance over HTTP: the model release example', () => {
  const data = tempDir();
  let service: RunningService;
  let admin: Client;
  let pipeline: Client;
  let auditor: Client;
  let other: Client;

  beforeAll(async () => {
    service = await start(testConfig(data.dir));
    admin = client(service.url, service.bootstrap.adminKey);
    const keyOf = async (body: object) =>
      (await admin.post('/v1/admin/keys', body)).body.key as string;
    pipeline = client(service.url, await keyOf({ role: 'client', name: 'pipeline' }));
    auditor = client(service.url, await keyOf({ role: 'auditor', name: 'auditor' }));
    await admin.post('/v1/admin/tenants', { id: 'other' });
    other = client(
      service.url,
      await keyOf({ tenant: 'other', role: 'admin', name: 'other admin' }),
    );
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    data.remove();
  });

  it('saves the requirement profile from YAML', async () => {
    const saved = await admin.post('/v1/profiles', profileYaml, {
      'content-type': 'application/yaml',
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ id: 'model-release', version: 1 });
    const invalid = await admin.post('/v1/profiles', {
      id: 'x',
      version: 1,
      requires: [{ type: 'Bad' }],
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('PROFILE_INVALID');
  });

  it('answers saving the same profile version again with 200 and records nothing', async () => {
    const before = (await service.runtime.ledger.head('default')).size;
    const again = await admin.post('/v1/profiles', profileYaml, {
      'content-type': 'application/yaml',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: 'model-release', version: 1 });
    expect(again.headers.get('location')).toBe('/v1/profiles/model-release/versions/1');
    expect((await service.runtime.ledger.head('default')).size).toBe(before);
  });

  it('walks the run from INCOMPLETE to VALID as the evidence comes in', async () => {
    const statuses: string[] = [];
    for (const [i, evidence] of run.evidence.entries()) {
      const recorded = await pipeline.post('/v1/evidence', { runId: run.runId, ...evidence });
      expect(recorded.status).toBe(201);
      const verdict = await auditor.get(`/v1/runs/${run.runId}/verdict`);
      expect(verdict.status).toBe(200);
      statuses.push(verdict.body.status as string);
      if (i === 0)
        expect(verdict.body.missing.map((m: { type: string }) => m.type)).toContain('bias.audit');
    }
    expect(statuses).toEqual([
      ...Array<string>(run.evidence.length - 1).fill('INCOMPLETE'),
      'VALID',
    ]);
    const verdict = await auditor.get(`/v1/runs/${run.runId}/verdict`);
    expect(verdict.body).toMatchObject({
      status: 'VALID',
      profile: { id: 'model-release', version: 1 },
      counts: { evidence: run.evidence.length, approvals: 2 },
    });
  });

  it('exports a pack that verifies offline, and rejects it tampered', async () => {
    const answer = await auditor.get(`/v1/runs/${run.runId}/pack`);
    expect(answer.status).toBe(200);
    const pack = answer.body as EvidencePack;
    const key = (await auditor.get('/v1/ledger/public-key')).body.publicKeyPem as string;
    expect(verifyPack(pack, key)).toEqual({ ok: true, entries: run.evidence.length, failures: [] });
    writeFileSync(join(data.dir, 'pack.json'), JSON.stringify(pack));
    const tampered = {
      ...pack,
      entries: pack.entries.map((e, i) =>
        i === 0 ? { ...e, bytes: e.bytes.replace('0.934', '0.999') } : e,
      ),
    };
    const report = verifyPack(tampered, key);
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'entry_hash', seq: pack.entries[0]?.seq }),
      ]),
    );
  });

  it('turns evidence recorded after the approvals into INVALID', async () => {
    const late = 'release-late';
    for (const evidence of run.evidence.slice(0, -2))
      await pipeline.post('/v1/evidence', { runId: late, ...evidence });
    await pipeline.post('/v1/evidence', { runId: late, ...run.evidence.at(-2) });
    await pipeline.post('/v1/evidence', {
      runId: late,
      type: 'eval.accuracy',
      data: { value: 0.95 },
    });
    await pipeline.post('/v1/evidence', { runId: late, ...run.evidence.at(-1) });
    const verdict = await auditor.get(`/v1/runs/${late}/verdict`);
    expect(verdict.body.status).toBe('INVALID');
    expect(verdict.body.reasons.map((r: { code: string }) => r.code)).toContain(
      'evidence_after_approval',
    );
  });

  it('refuses invalid evidence naming the fields, and stores nothing', async () => {
    const before = (await service.runtime.ledger.head('default')).size;
    const bad = await pipeline.post('/v1/evidence', {
      runId: '',
      type: 'Eval Accuracy',
      data: 3,
      extra: true,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('EVIDENCE_INVALID');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/runId', '/type', '/data', '/extra']),
    );
    expect((await service.runtime.ledger.head('default')).size).toBe(before);
  });

  it('refuses evidence naming a profile (version) the tenant does not have with 404 at /profile, and records nothing', async () => {
    const before = (await service.runtime.ledger.head('default')).size;
    for (const profile of ['nope@1', 'nope', 'model-release@9']) {
      const answer = await pipeline.post('/v1/evidence', {
        runId: 'names-no-profile',
        type: 'eval.accuracy',
        data: { value: 0.9 },
        profile,
      });
      expect([profile, answer.status, answer.body.code]).toEqual([
        profile,
        404,
        'PROFILE_NOT_FOUND',
      ]);
      expect(answer.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/profile']);
    }
    expect((await service.runtime.ledger.head('default')).size).toBe(before);
    expect(
      await service.runtime.evidenceIndex.list('default', { runId: 'names-no-profile' }),
    ).toEqual([]);
  });

  it('reports control coverage of the run per regulation with the evidence seqs', async () => {
    const regulations = await auditor.get('/v1/regulations');
    expect(regulations.body.regulations.map((r: { code: string }) => r.code)).toEqual(
      expect.arrayContaining([
        'eu-ai-act',
        'iso-42001',
        'iso-27001',
        'soc2',
        'hipaa',
        'nist-ai-rmf',
      ]),
    );
    const controls = await auditor.get('/v1/regulations/eu-ai-act/controls');
    expect(controls.body.controls.length).toBeGreaterThan(10);
    const coverage = await auditor.get(`/v1/coverage?runId=${run.runId}&regulation=eu-ai-act`);
    expect(coverage.status).toBe(200);
    const report = coverage.body.coverage[0];
    expect(report.regulation).toBe('eu-ai-act');
    const satisfied = report.controls.filter((c: { status: string }) => c.status === 'satisfied');
    expect(satisfied.length).toBeGreaterThan(0);
    for (const c of satisfied) expect(c.seqs.length).toBeGreaterThan(0);
    expect((await auditor.get('/v1/regulations/gdpr/controls')).status).toBe(404);
  });

  it('moves an assessment through its workflow, each transition on record, refusing invalid ones', async () => {
    const created = await admin.post('/v1/workflows', {
      regulation: 'eu-ai-act',
      title: 'Triage model 2026',
    });
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('draft');
    const id = created.body.id as string;
    for (const to of [
      'in_progress',
      'under_review',
      'rejected',
      'in_progress',
      'under_review',
      'approved',
    ]) {
      const moved = await admin.post(`/v1/workflows/${id}/transitions`, {
        to,
        comment: `to ${to}`,
      });
      expect([to, moved.status, moved.body.state]).toEqual([to, 200, to]);
    }
    const refused = await admin.post(`/v1/workflows/${id}/transitions`, {
      to: 'in_progress',
      comment: 'again',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WORKFLOW_TRANSITION_INVALID');
    const transitions: unknown[] = [];
    for await (const { entry } of service.runtime.ledger.read('default'))
      if (entry.type === 'workflow.transition' && entry.subject === id)
        transitions.push(entry.data);
    expect(transitions).toHaveLength(6);
    expect(transitions[5]).toMatchObject({
      from: 'under_review',
      to: 'approved',
      comment: 'to approved',
    });
    const listed = await auditor.get('/v1/workflows?regulation=eu-ai-act');
    expect(listed.body.workflows.map((w: { id: string }) => w.id)).toEqual([id]);
  });

  it('judges a run by the active profile or by ?profile=, and shows the version a verdict names', async () => {
    const light = await admin.post('/v1/profiles', {
      id: 'light',
      version: 1,
      requires: [{ type: 'eval.accuracy', where: { path: 'data.value', gte: 0.5 } }],
    });
    expect(light.status).toBe(201);
    expect((await admin.post('/v1/profiles/light/versions/1/activate')).status).toBe(200);
    const recorded = await pipeline.post('/v1/evidence', {
      runId: 'light-run-1',
      type: 'eval.accuracy',
      data: { value: 0.8 },
    });
    expect(recorded.status).toBe(201);
    const byActive = await auditor.get('/v1/runs/light-run-1/verdict');
    expect(byActive.body).toMatchObject({ status: 'VALID', profile: { id: 'light', version: 1 } });
    const byQuery = await auditor.get('/v1/runs/light-run-1/verdict?profile=model-release@1');
    // 0.8 is below model-release's 0.9
    expect(byQuery.body).toMatchObject({
      status: 'INVALID',
      profile: { id: 'model-release', version: 1 },
    });
    const version = await auditor.get('/v1/profiles/light/versions/1');
    expect(version.status).toBe(200);
    expect(version.body).toMatchObject({
      id: 'light',
      version: 1,
      active: true,
      digest: byActive.body.profile.digest,
      document: { id: 'light', version: 1 },
    });
    expect((await auditor.get('/v1/profiles/light/versions/2')).status).toBe(404);
    // coverage across the tenant's evidence, not one run
    const coverage = await auditor.get('/v1/coverage?regulation=eu-ai-act');
    expect(coverage.status).toBe(200);
    const seqs = (coverage.body.coverage[0].controls as { seqs: number[] }[]).flatMap(
      (c) => c.seqs,
    );
    expect(seqs).toContain(recorded.body.seq);
    // an assessment of a regulation govgate has no catalog of
    const unknown = await admin.post('/v1/workflows', { regulation: 'gdpr', title: 'x' });
    expect(unknown.status).toBe(404);
  });

  it('answers activating the active profile version with 200 and records nothing, and lists inactive profiles with activeVersion null', async () => {
    expect((await admin.post('/v1/profiles/light/versions/1/activate')).status).toBe(200);
    const before = (await service.runtime.ledger.head('default')).size;
    const answers = await Promise.all(
      [1, 2, 3].map(() => admin.post('/v1/profiles/light/versions/1/activate')),
    );
    for (const answer of answers) expect([answer.status, answer.body.active]).toEqual([200, true]);
    expect((await service.runtime.ledger.head('default')).size).toBe(before);
    const listed = (await auditor.get('/v1/profiles')).body.profiles as { id: string }[];
    expect(listed.find((p) => p.id === 'light')).toEqual({
      id: 'light',
      latestVersion: 1,
      activeVersion: 1,
    });
    expect(listed.find((p) => p.id === 'model-release')).toEqual({
      id: 'model-release',
      latestVersion: 1,
      activeVersion: null,
    });
  });

  it('shows none of it to another tenant', async () => {
    expect((await other.get(`/v1/runs/${run.runId}/verdict`)).status).toBe(404);
    expect((await other.get(`/v1/runs/${run.runId}/pack`)).status).toBe(404);
    expect((await other.get('/v1/profiles')).body.profiles).toEqual([]);
    expect((await other.post('/v1/profiles/model-release/versions/1/activate')).status).toBe(404);
    expect((await other.get('/v1/profiles/model-release/versions/1')).status).toBe(404);
    expect((await other.get('/v1/workflows')).body.workflows).toEqual([]);
    const wf = (await admin.get('/v1/workflows')).body.workflows[0].id as string;
    expect(
      (await other.post(`/v1/workflows/${wf}/transitions`, { to: 'in_progress', comment: 'x' }))
        .status,
    ).toBe(404);
    const coverage = await other.get(`/v1/coverage?runId=${run.runId}`);
    for (const report of coverage.body.coverage)
      for (const c of report.controls) expect(c.seqs).toEqual([]);
    // What other writes under default's names stays other's own.
    const before = (await auditor.get(`/v1/runs/${run.runId}/verdict`)).body;
    expect(
      (
        await other.post('/v1/evidence', {
          runId: run.runId,
          type: 'approval',
          data: { approver: 'alice@example.com' },
        })
      ).status,
    ).toBe(201);
    expect((await auditor.get(`/v1/runs/${run.runId}/verdict`)).body.counts).toEqual(before.counts);
    const profileOfDefault = (await auditor.get('/v1/profiles/model-release/versions/1')).body;
    expect(
      (await other.post('/v1/profiles', { id: 'model-release', version: 1, requires: [] })).status,
    ).toBe(201);
    expect((await auditor.get('/v1/profiles/model-release/versions/1')).body).toEqual(
      profileOfDefault,
    );
    const workflowsOfDefault = (await auditor.get('/v1/workflows')).body;
    expect(
      (await other.post('/v1/workflows', { regulation: 'eu-ai-act', title: 'theirs' })).status,
    ).toBe(201);
    expect((await auditor.get('/v1/workflows')).body).toEqual(workflowsOfDefault);
  });
});
