import { generateKeyPairSync } from 'node:crypto';
import { appendCheckpoint, ed25519Signer } from '../../ledger/checkpoint.js';
import type { StoredEntry } from '../../ledger/entry.js';
import { InMemoryLedger } from '../../testing/in-memory-ledger.js';
import {
  evidenceEntry,
  evidenceOf,
  type EvidenceInput,
  type RecordedEvidence,
} from '../evidence.js';
import { buildEvidencePack, signEvidencePack, type EvidencePack } from '../pack.js';

/** The profile of the compliance issue's example. */
export const modelRelease = {
  id: 'model-release',
  version: 1,
  requires: [
    { type: 'eval.accuracy', where: { path: 'data.value', gte: 0.9 } },
    { type: 'data.provenance' },
    { type: 'bias.audit', where: { path: 'data.passed', equals: true } },
  ],
  approvals: { type: 'approval', approvers: ['alice@example.com', 'bob@example.com'], min: 2 },
  maxAgeDays: 90,
};

/** Recorded evidence as the ledger would give it back, one day apart from `start`. */
export function recorded(
  items: readonly Omit<EvidenceInput, 'runId'>[],
  options: { runId?: string; start?: number; firstSeq?: number } = {},
): RecordedEvidence[] {
  const start = options.start ?? Date.parse('2026-11-01T00:00:00Z');
  return items.map((item, i) => ({
    runId: options.runId ?? 'run-1',
    ...item,
    seq: (options.firstSeq ?? 1) + i,
    ts: new Date(start + i * 60_000).toISOString(),
    actor: 'key:test',
  }));
}

/** A ledger with a run's evidence among other entries, a checkpoint and a pack of it. */
export async function packFixture(): Promise<{
  pack: EvidencePack;
  publicKeyPem: string;
  otherPublicKeyPem: string;
  stored: StoredEntry[];
}> {
  const ledger = new InMemoryLedger();
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = ed25519Signer(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const other = generateKeyPairSync('ed25519')
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  await ledger.append('acme', [{ type: 'decision', actor: 'k', data: { allowed: true } }]);
  await ledger.append('acme', [
    evidenceEntry({ runId: 'r1', type: 'eval.accuracy', data: { value: 0.93 } }, 'k'),
  ]);
  await ledger.append('acme', [
    evidenceEntry({ runId: 'r2', type: 'eval.accuracy', data: { value: 0.5 } }, 'k'),
  ]);
  await ledger.append('acme', [
    evidenceEntry({ runId: 'r1', type: 'approval', data: { approver: 'alice@example.com' } }, 'k'),
  ]);
  const { checkpoint } = await appendCheckpoint(ledger, 'acme', signer, {
    now: Date.parse('2026-11-30T00:00:00Z'),
  });
  const stored: StoredEntry[] = [];
  for await (const s of ledger.read('acme'))
    if (evidenceOf(s.entry)?.runId === 'r1') stored.push(s);
  const proofs = await Promise.all(
    stored.map((s) => ledger.inclusionProof('acme', s.entry.seq, checkpoint.size)),
  );
  const pack = await signEvidencePack(
    buildEvidencePack({
      tenant: 'acme',
      runId: 'r1',
      entries: stored,
      proofs,
      checkpoint,
      createdAt: '2026-11-30T00:00:01.000Z',
    }),
    signer,
  );
  return { pack, publicKeyPem: signer.publicKeyPem, otherPublicKeyPem: other, stored };
}
