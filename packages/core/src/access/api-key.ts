import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** API keys look like `ggk_<id>_<secret>`: the id finds the record, the secret proves it. */
export const API_KEY_PREFIX = 'ggk_';
const ID_PATTERN = /^[a-z0-9]{16}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ParsedApiKey {
  readonly id: string;
  readonly secret: string;
}

/** Splits a presented key; undefined when it is not shaped like a govgate key. */
export function parseApiKey(presented: string): ParsedApiKey | undefined {
  if (!presented.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = presented.slice(API_KEY_PREFIX.length);
  const id = rest.slice(0, 16);
  const secret = rest.slice(17);
  if (rest[16] !== '_' || !ID_PATTERN.test(id) || !SECRET_PATTERN.test(secret)) return undefined;
  return { id, secret };
}

/** SHA-256 of the secret, hex. Secrets are 256 random bits, so a fast hash is enough. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The SHA-256 of a presented secret, to compare with stored hashes (`hashMatches`). */
export function secretDigest(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

/** Compares a presented secret's digest with a stored hash (hex) in constant time. */
export function hashMatches(digest: Buffer, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === digest.length && timingSafeEqual(digest, stored);
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  return hashMatches(secretDigest(secret), storedHash);
}

/**
 * A new key: the full text to hand out once, and what to store.
 *
 * @example
 * const { key, id, secretHash } = generateApiKey();
 */
export function generateApiKey(): { key: string; id: string; secretHash: string } {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const id = Array.from(randomBytes(16), (b) => alphabet[b % 36]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { key: `${API_KEY_PREFIX}${id}_${secret}`, id, secretHash: hashSecret(secret) };
}
