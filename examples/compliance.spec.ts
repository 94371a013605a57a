import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  compileProfile,
  EVIDENCE_TYPES,
  judgeRun,
  parseDocumentText,
  REGULATION_CATALOGS,
  type EvidenceInput,
  type RecordedEvidence,
  type RequirementProfile,
} from '@govgate/core';

const dir = join(__dirname, 'compliance');
const load = (file: string): unknown =>
  parseDocumentText(readFileSync(join(dir, file), 'utf8'), 'yaml');

const profile = load('model-release.profile.yaml') as RequirementProfile;
const run = load('model-release.run.yaml') as {
  runId: string;
  evidence: Omit<EvidenceInput, 'runId'>[];
};
const samples = load('evidence-types.yaml') as { examples: { type: string }[] };

describe('the compliance examples', () => {
  it('has a valid requirement profile', () => {
    expect(compileProfile(profile).ref).toMatchObject({ id: 'model-release', version: 1 });
  });

  it('judges the example run VALID, and INCOMPLETE without its last approval', () => {
    const start = Date.parse('2026-11-30T09:00:00Z');
    const recorded: RecordedEvidence[] = run.evidence.map((e, i) => ({
      ...e,
      runId: run.runId,
      seq: 10 + i,
      ts: new Date(start + i * 60_000).toISOString(),
      actor: 'key:pipeline',
    }));
    const compiled = compileProfile(profile);
    const now = start + 86_400_000;
    expect(judgeRun(compiled, run.runId, recorded, now).status).toBe('VALID');
    const partial = judgeRun(compiled, run.runId, recorded.slice(0, -1), now);
    expect(partial.status).toBe('INCOMPLETE');
    expect(partial.missing).toEqual([expect.objectContaining({ type: 'approval', needed: 1 })]);
  });

  it('shows an example of every evidence type, once each', () => {
    const shown = samples.examples.map((e) => e.type);
    expect([...shown].sort()).toEqual([...EVIDENCE_TYPES].sort());
  });

  it('covers every evidence type a regulation catalog refers to with a profile or an example', () => {
    const known = new Set<string>([
      ...profile.requires.map((r) => r.type),
      profile.approvals?.type ?? 'approval',
      ...run.evidence.map((e) => e.type),
      ...samples.examples.map((e) => e.type),
    ]);
    const referenced = REGULATION_CATALOGS.flatMap((c) =>
      c.controls.flatMap((control) =>
        control.evidenceTypes.map((t) => `${c.code} ${control.id}: ${t}`),
      ),
    );
    const unknown = referenced.filter((r) => !known.has(r.split(': ')[1] as string));
    expect(unknown).toEqual([]);
  });
});
