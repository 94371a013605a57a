import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { GovgateError } from '../errors.js';
import { canonicalJson, sha256Hex } from '../ledger/canonical-json.js';
import {
  verifyCheckpoint,
  type CheckpointSignerPort,
  type SignedCheckpoint,
} from '../ledger/checkpoint.js';
import { computeEntryHash, parseStoredEntry, type StoredEntry } from '../ledger/entry.js';
import { leafHash } from '../ledger/merkle.js';
import { verifyInclusionProof } from '../ledger/verify.js';
import type { InclusionProof } from '../ports.js';

export const EVIDENCE_PACK_SCHEMA = 'govgate.evidence_pack.v1';

/** One entry of a pack: its stored canonical bytes and its audit path in the checkpoint's tree. */
export interface PackEntry {
  readonly seq: number;
  readonly bytes: string;
  /** Sibling hashes (hex) from the leaf up to the checkpoint's root. */
  readonly proof: readonly string[];
}

/**
 * Everything an auditor needs to check a run's evidence offline: the entries as
 * stored, an inclusion proof of each against one signed checkpoint, and digests.
 */
export interface EvidencePack {
  readonly schema: typeof EVIDENCE_PACK_SCHEMA;
  readonly tenant: string;
  readonly runId: string;
  readonly createdAt: string;
  readonly entries: readonly PackEntry[];
  readonly checkpoint: SignedCheckpoint;
  readonly publicKeyId: string;
  /** SHA-256 over the entries' bytes in seq order, each followed by a newline. */
  readonly eventsContentSha256: string;
  /** SHA-256 of the canonical JSON of the pack without this field and `signature`. */
  readonly bundleSha256: string;
  /**
   * Ed25519 signature (base64), by the checkpoint's key, over
   * `govgate.evidence_pack.v1\n<bundleSha256>`: the exporter vouches for the pack as a
   * whole, so an entry taken out (digests recomputed) no longer verifies.
   */
  readonly signature: string;
}

/** A pack before it is signed: what `buildEvidencePack` assembles. */
export type UnsignedEvidencePack = Omit<EvidencePack, 'signature'>;

/** The bytes a pack's signature covers. */
export function packSignatureMessage(bundleSha256: string): Buffer {
  return Buffer.from(`${EVIDENCE_PACK_SCHEMA}\n${bundleSha256}`, 'utf8');
}

/**
 * Signs an assembled pack with the key that signed its checkpoint.
 *
 * @example
 * const pack = await signEvidencePack(buildEvidencePack(input), signer);
 */
export async function signEvidencePack(
  pack: UnsignedEvidencePack,
  signer: CheckpointSignerPort,
): Promise<EvidencePack> {
  if (signer.keyId !== pack.publicKeyId)
    throw new Error(`the pack's checkpoint was signed by ${pack.publicKeyId}, not ${signer.keyId}`);
  const signature = await signer.sign(packSignatureMessage(pack.bundleSha256));
  return { ...pack, signature: Buffer.from(signature).toString('base64') };
}

/** The digest over a pack's entries: their bytes in seq order, newline-terminated. */
export function eventsContentSha256(entries: readonly { readonly bytes: string }[]): string {
  return sha256Hex(entries.map((e) => `${e.bytes}\n`).join(''));
}

/**
 * Assembles a pack from the run's stored entries, their inclusion proofs (all at the
 * checkpoint's size) and the checkpoint. Pure: the use case gathers the inputs.
 *
 * @example
 * const pack = buildEvidencePack({ tenant, runId, entries, proofs, checkpoint, createdAt: new Date().toISOString() });
 */
export function buildEvidencePack(input: {
  readonly tenant: string;
  readonly runId: string;
  readonly entries: readonly StoredEntry[];
  readonly proofs: readonly InclusionProof[];
  readonly checkpoint: SignedCheckpoint;
  readonly createdAt: string;
}): UnsignedEvidencePack {
  const proofs = new Map(input.proofs.map((p) => [p.seq, p]));
  const entries = [...input.entries]
    .sort((a, b) => a.entry.seq - b.entry.seq)
    .map((stored): PackEntry => {
      const proof = proofs.get(stored.entry.seq);
      if (proof === undefined || proof.size !== input.checkpoint.size)
        throw new Error(
          `no inclusion proof of seq ${stored.entry.seq} at size ${input.checkpoint.size}`,
        );
      return { seq: stored.entry.seq, bytes: stored.bytes, proof: proof.path };
    });
  const body = {
    schema: EVIDENCE_PACK_SCHEMA,
    tenant: input.tenant,
    runId: input.runId,
    createdAt: input.createdAt,
    entries,
    checkpoint: input.checkpoint,
    publicKeyId: input.checkpoint.keyId,
    eventsContentSha256: eventsContentSha256(entries),
  } as const;
  return { ...body, bundleSha256: sha256Hex(canonicalJson(body)) };
}

export type PackFailureCode =
  | 'public_key_invalid'
  | 'malformed'
  | 'bundle_digest'
  | 'pack_signature'
  | 'events_digest'
  | 'checkpoint_signature'
  | 'public_key_mismatch'
  | 'entry_unparseable'
  | 'entry_not_canonical'
  | 'entry_hash'
  | 'entry_seq'
  | 'entry_tenant'
  | 'entry_run'
  | 'entry_order'
  | 'inclusion_proof';

export interface PackFailure {
  readonly code: PackFailureCode;
  readonly message: string;
  /** The entry concerned, for entry failures. */
  readonly seq?: number;
}

export interface PackReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly failures: readonly PackFailure[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function packSignatureVerifies(digest: unknown, signature: unknown, publicKeyPem: string): boolean {
  if (typeof digest !== 'string' || typeof signature !== 'string') return false;
  try {
    const key = createPublicKey(publicKeyPem);
    return (
      key.asymmetricKeyType === 'ed25519' &&
      verify(null, packSignatureMessage(digest), key, Buffer.from(signature, 'base64'))
    );
  } catch {
    return false;
  }
}

/**
 * KEY_INVALID naming what is wrong when `publicKeyPem` is not a key packs can be
 * verified with (an Ed25519 public key, PEM: what GET /v1/ledger/public-key gives as
 * `publicKeyPem`); undefined when it is one. Check a key a user supplies with this
 * before verifying, so that a wrong file is not reported as a pack that fails.
 *
 * @example
 * const problem = checkPackPublicKey(readFileSync('key.pem', 'utf8'));
 * if (problem !== undefined) throw problem;
 */
export function checkPackPublicKey(publicKeyPem: unknown): GovgateError | undefined {
  let problem: string | undefined;
  if (typeof publicKeyPem !== 'string') problem = 'must be text';
  else if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(publicKeyPem))
    problem = 'is a private key: verifying needs only the public key (SPKI PEM)';
  else {
    let key: KeyObject | undefined;
    try {
      key = createPublicKey(publicKeyPem);
    } catch {
      problem = 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)';
    }
    if (key !== undefined && key.asymmetricKeyType !== 'ed25519')
      problem = `is a key of type ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`;
  }
  if (problem === undefined) return undefined;
  return new GovgateError('KEY_INVALID', `the public key ${problem}`, {
    details: [{ pointer: '/publicKeyPem', message: problem }],
  });
}

/**
 * Verifies an evidence pack with nothing but the pack and the signer's public key
 * (SPKI PEM), and reports every check that fails: the bundle and events digests, the
 * checkpoint's signature, and for each entry its canonical form, hash, tenant, run,
 * order and inclusion in the checkpoint's tree. The pack is untrusted input: any
 * shape problem is a `malformed` failure, never an exception. A key that is not an
 * Ed25519 public key in PEM (see `checkPackPublicKey`) is the one failure
 * `public_key_invalid`, and nothing of the pack is checked: it is not the pack's fault.
 *
 * @example
 * const report = verifyPack(JSON.parse(readFileSync('pack.json', 'utf8')), publicKeyPem);
 * if (!report.ok) for (const f of report.failures) console.error(f.code, f.message);
 */
export function verifyPack(value: unknown, publicKeyPem: string): PackReport {
  const failures: PackFailure[] = [];
  const fail = (code: PackFailureCode, message: string, seq?: number) =>
    failures.push(seq === undefined ? { code, message } : { code, message, seq });
  const keyProblem = checkPackPublicKey(publicKeyPem);
  if (keyProblem !== undefined) {
    fail('public_key_invalid', `${keyProblem.message}: the pack was not checked`);
    const count = isObject(value) && Array.isArray(value.entries) ? value.entries.length : 0;
    return { ok: false, entries: count, failures };
  }
  if (!isObject(value)) {
    fail('malformed', 'the pack is not a JSON object');
    return { ok: false, entries: 0, failures };
  }
  const pack = value;
  if (pack.schema !== EVIDENCE_PACK_SCHEMA)
    fail('malformed', `schema is ${JSON.stringify(pack.schema)}, not ${EVIDENCE_PACK_SCHEMA}`);
  if (typeof pack.tenant !== 'string' || typeof pack.runId !== 'string')
    fail('malformed', 'tenant and runId must be strings');
  const entries: unknown[] = Array.isArray(pack.entries) ? pack.entries : [];
  if (!Array.isArray(pack.entries)) fail('malformed', 'entries must be a list');

  const { bundleSha256, signature: packSignature, ...withoutBundle } = pack;
  let bundle: string | undefined;
  try {
    bundle = sha256Hex(canonicalJson(withoutBundle));
  } catch {
    fail('malformed', 'the pack has values JSON cannot represent');
  }
  if (bundle !== undefined && bundle !== bundleSha256)
    fail('bundle_digest', 'bundleSha256 does not match the pack: something in it was changed');
  if (!packSignatureVerifies(bundleSha256, packSignature, publicKeyPem))
    fail(
      'pack_signature',
      'the pack signature does not verify with the public key: the pack is not as it was exported',
    );

  const wellFormed = entries.filter(
    (e): e is PackEntry =>
      isObject(e) &&
      typeof e.bytes === 'string' &&
      Number.isSafeInteger(e.seq) &&
      Array.isArray(e.proof) &&
      e.proof.every((h) => typeof h === 'string'),
  );
  if (wellFormed.length !== entries.length)
    fail('malformed', 'every entry needs seq (integer), bytes (string) and proof (list of hashes)');
  if (eventsContentSha256(wellFormed) !== pack.eventsContentSha256)
    fail('events_digest', 'eventsContentSha256 does not match the entries');

  const checkpoint = pack.checkpoint as SignedCheckpoint | undefined;
  const signature = verifyCheckpoint(checkpoint, publicKeyPem);
  if (!signature.ok)
    fail('checkpoint_signature', `the checkpoint does not verify: ${signature.reason}`);
  if (isObject(checkpoint) && pack.publicKeyId !== checkpoint.keyId)
    fail('public_key_mismatch', 'publicKeyId is not the key id of the checkpoint');
  const cp = isObject(checkpoint) ? checkpoint : undefined;

  let previous = 0;
  for (const e of wellFormed) {
    if (e.seq <= previous)
      fail('entry_order', `seq ${e.seq} follows seq ${previous}: entries must ascend`, e.seq);
    previous = e.seq;
    const entry = parseStoredEntry(e.bytes);
    if (entry === undefined) {
      fail('entry_unparseable', `seq ${e.seq}: the bytes are not a ledger entry`, e.seq);
      continue;
    }
    let canonical: string | undefined;
    try {
      canonical = canonicalJson(JSON.parse(e.bytes));
    } catch {
      canonical = undefined;
    }
    if (canonical !== e.bytes)
      fail('entry_not_canonical', `seq ${e.seq}: the bytes are not RFC 8785 canonical JSON`, e.seq);
    if (computeEntryHash(entry) !== entry.hash)
      fail('entry_hash', `seq ${e.seq}: the entry's hash does not match its content`, e.seq);
    if (entry.seq !== e.seq)
      fail('entry_seq', `seq ${e.seq}: the entry says seq ${entry.seq}`, e.seq);
    if (entry.tenant !== pack.tenant)
      fail('entry_tenant', `seq ${e.seq}: the entry belongs to tenant '${entry.tenant}'`, e.seq);
    const runId = isObject(entry.data) ? entry.data.runId : undefined;
    if (entry.type !== 'evidence' || runId !== pack.runId)
      fail('entry_run', `seq ${e.seq}: not evidence of run '${String(pack.runId)}'`, e.seq);
    if (cp !== undefined) {
      const proof: InclusionProof = {
        seq: e.seq,
        size: Number(cp.size),
        leafHash: leafHash(e.bytes).toString('hex'),
        path: e.proof,
        root: String(cp.root),
      };
      if (e.seq > Number(cp.size) || !verifyInclusionProof(proof, { entryBytes: e.bytes }))
        fail(
          'inclusion_proof',
          `seq ${e.seq}: not included in the checkpoint's tree of ${String(cp.size)}`,
          e.seq,
        );
    }
  }
  return { ok: failures.length === 0, entries: entries.length, failures };
}
