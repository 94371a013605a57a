import type { ApiKeyRecord, KeyStorePort } from '../ports.js';
import { hashMatches, hashSecret, parseApiKey, secretDigest } from './api-key.js';

export type AuthFailure = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'wrong_secret';

export type Authentication =
  | { readonly ok: true; readonly key: ApiKeyRecord; readonly viaPreviousSecret: boolean }
  | { readonly ok: false; readonly reason: AuthFailure };

// Compared against when the key id is unknown, so that unknown ids cost the same.
const DUMMY_HASH = hashSecret('govgate-unknown-key');

/**
 * Authenticates a presented `ggk_<id>_<secret>` key: one lookup by id, then a
 * constant-time comparison of the secret's hash with the stored hash (and, during a
 * rotation's grace period, with the previous one). Both comparisons always run.
 *
 * @example
 * const auth = await authenticate(keys, header.slice('Bearer '.length), Date.now());
 * if (!auth.ok) return reply(401);
 */
export async function authenticate(
  keys: KeyStorePort,
  presented: string,
  nowMs: number,
): Promise<Authentication> {
  const parsed = parseApiKey(presented);
  if (parsed === undefined) return { ok: false, reason: 'malformed' };
  const key = await keys.findById(parsed.id);
  const digest = secretDigest(parsed.secret);
  const current = hashMatches(digest, key?.secretHash ?? DUMMY_HASH);
  const previous = hashMatches(digest, key?.previousSecretHash ?? DUMMY_HASH);
  if (key === undefined) return { ok: false, reason: 'unknown' };
  const graceOpen =
    key.previousValidUntil !== undefined && Date.parse(key.previousValidUntil) > nowMs;
  if (!current && !(previous && graceOpen)) return { ok: false, reason: 'wrong_secret' };
  if (key.revokedAt !== undefined && Date.parse(key.revokedAt) <= nowMs)
    return { ok: false, reason: 'revoked' };
  if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= nowMs)
    return { ok: false, reason: 'expired' };
  return { ok: true, key, viaPreviousSecret: !current };
}
