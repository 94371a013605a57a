import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { GovgateError } from '../errors.js';
import type { LedgerPort } from '../ports.js';
import { isTenantId } from '../schema/patterns.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { LedgerEntry } from './entry.js';

/** A tree head of one tenant's ledger at a moment: what a checkpoint commits to. */
export interface Checkpoint {
  readonly tenant: string;
  /** Number of entries covered (entries 1..size). */
  readonly size: number;
  /** RFC 9162 root of those entries, lowercase hex. */
  readonly root: string;
  /** RFC 3339 UTC time of signing. */
  readonly ts: string;
}

/** A checkpoint with its Ed25519 signature over `checkpointMessage(checkpoint)`. */
export interface SignedCheckpoint extends Checkpoint {
  readonly keyId: string;
  /** base64 Ed25519 signature. */
  readonly signature: string;
}

/** Signs checkpoints. Implementations keep the private key (file, KMS, HSM). */
export interface CheckpointSignerPort {
  readonly keyId: string;
  /** The public key, SPKI PEM, for publication and offline verification. */
  readonly publicKeyPem: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}
export const CHECKPOINT_SIGNER = Symbol.for('govgate.CheckpointSigner');

const DOMAIN = 'govgate.checkpoint.v1\n';

/**
 * The exact bytes a checkpoint signature covers: a domain-separation line followed by
 * the RFC 8785 canonical JSON of `{ tenant, size, root, ts }`.
 */
export function checkpointMessage(cp: Checkpoint): Buffer {
  return Buffer.from(
    DOMAIN + canonicalJson({ tenant: cp.tenant, size: cp.size, root: cp.root, ts: cp.ts }),
    'utf8',
  );
}

/** Key id of an Ed25519 public key: first 16 hex digits of the SHA-256 of its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

/**
 * An Ed25519 signer from a PKCS#8 PEM private key (reading the key is the caller's I/O).
 *
 * @example
 * const signer = ed25519Signer(readFileSync('checkpoint-key.pem', 'utf8'));
 */
export function ed25519Signer(privateKeyPem: string): CheckpointSignerPort {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (cause) {
    throw new GovgateError('KEY_INVALID', 'the checkpoint signing key is not a PEM private key', {
      cause,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new GovgateError('KEY_INVALID', 'the checkpoint signing key must be Ed25519');
  const publicKey = createPublicKey(key);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (message) => Promise.resolve(sign(null, message, key)),
  };
}

/** Builds and signs the checkpoint of a tree head. */
export async function signCheckpoint(
  cp: Checkpoint,
  signer: CheckpointSignerPort,
): Promise<SignedCheckpoint> {
  const signature = await signer.sign(checkpointMessage(cp));
  return { ...cp, keyId: signer.keyId, signature: Buffer.from(signature).toString('base64') };
}

export type CheckpointCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Checks a signed checkpoint offline with the signer's public key (SPKI PEM): its
 * shape, that the key id matches the key, and the Ed25519 signature.
 */
export function verifyCheckpoint(value: unknown, publicKeyPem: string): CheckpointCheck {
  const cp = value as Partial<SignedCheckpoint> | null;
  if (cp === null || typeof cp !== 'object')
    return { ok: false, reason: 'checkpoint is not an object' };
  if (!isTenantId(cp.tenant)) return { ok: false, reason: 'tenant is missing or invalid' };
  if (!Number.isSafeInteger(cp.size) || (cp.size as number) < 0)
    return { ok: false, reason: 'size is not a non-negative integer' };
  if (typeof cp.root !== 'string' || !/^[0-9a-f]{64}$/.test(cp.root))
    return { ok: false, reason: 'root is not 64 lowercase hex digits' };
  if (typeof cp.ts !== 'string' || Number.isNaN(Date.parse(cp.ts)))
    return { ok: false, reason: 'ts is not a timestamp' };
  if (typeof cp.signature !== 'string' || typeof cp.keyId !== 'string')
    return { ok: false, reason: 'signature or keyId is missing' };
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return { ok: false, reason: 'the public key is not a PEM public key' };
  }
  if (key.asymmetricKeyType !== 'ed25519')
    return { ok: false, reason: 'the public key is not Ed25519' };
  if (keyIdOf(key) !== cp.keyId)
    return {
      ok: false,
      reason: `checkpoint was signed by key ${cp.keyId}, not by ${keyIdOf(key)}`,
    };
  const good = verify(
    null,
    checkpointMessage(cp as Checkpoint),
    key,
    Buffer.from(cp.signature, 'base64'),
  );
  return good ? { ok: true } : { ok: false, reason: 'signature does not verify' };
}

/**
 * Signs the current tree head of a tenant and appends it to the chain as a
 * `checkpoint` entry, so the history of checkpoints is itself in the ledger.
 *
 * @example
 * const { checkpoint } = await appendCheckpoint(ledger, 'acme', signer);
 */
export async function appendCheckpoint(
  ledger: LedgerPort,
  tenant: string,
  signer: CheckpointSignerPort,
  options: { actor?: string; now?: number } = {},
): Promise<{ checkpoint: SignedCheckpoint; entry: LedgerEntry }> {
  const head = await ledger.treeHead(tenant);
  const checkpoint = await signCheckpoint(
    {
      tenant,
      size: head.size,
      root: head.root,
      ts: new Date(options.now ?? Date.now()).toISOString(),
    },
    signer,
  );
  const [entry] = await ledger.append(tenant, [
    {
      type: 'checkpoint',
      actor: options.actor ?? 'system',
      data: {
        size: checkpoint.size,
        root: checkpoint.root,
        ts: checkpoint.ts,
        keyId: checkpoint.keyId,
        signature: checkpoint.signature,
      },
    },
  ]);
  if (entry === undefined)
    throw new GovgateError('LEDGER_UNAVAILABLE', 'the ledger returned no checkpoint entry');
  return { checkpoint, entry };
}
