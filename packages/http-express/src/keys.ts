import {
  generateApiKey,
  GovgateError,
  type ApiKeyRecord,
  type RateLimitSpec,
  type Role,
} from '@govgate/core';
import type { Runtime } from './runtime.js';

export interface NewKey {
  readonly tenant: string;
  readonly role: Role;
  readonly name: string;
  readonly rateLimit?: RateLimitSpec;
  readonly expiresAt?: string;
  /** The platform permission (manage tenants); admin keys only. */
  readonly platform?: boolean;
}

/** A key as handed out: the full text (shown once) and the stored record. */
export interface IssuedKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

/**
 * Creates a key for an existing tenant (the HTTP API and the CLI share this).
 *
 * @example
 * const { key } = await createKey(runtime, { tenant: 'acme', role: 'client', name: 'ci' });
 */
export async function createKey(
  runtime: Pick<Runtime, 'keys' | 'tenants' | 'clock'>,
  input: NewKey,
): Promise<IssuedKey> {
  if ((await runtime.tenants.get(input.tenant)) === undefined)
    throw new GovgateError('TENANT_INVALID', `no tenant '${input.tenant}'`, {
      details: [{ pointer: '/tenant', message: 'must name an existing tenant' }],
    });
  if (input.platform === true && input.role !== 'admin')
    throw new GovgateError('KEY_INVALID', 'only an admin key may hold the platform permission');
  const { key, id, secretHash } = generateApiKey();
  const record: ApiKeyRecord = {
    id,
    tenant: input.tenant,
    role: input.role,
    name: input.name,
    secretHash,
    createdAt: new Date(runtime.clock.now()).toISOString(),
    ...(input.rateLimit === undefined ? {} : { rateLimit: input.rateLimit }),
    ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
    ...(input.platform === true ? { platform: true } : {}),
  };
  await runtime.keys.create(record);
  return { key, record };
}

/**
 * Gives a key a new secret; the old one stays valid for `graceSeconds`.
 *
 * @example
 * const { key } = await rotateKey(runtime, record, 3600);
 */
export async function rotateKey(
  runtime: Pick<Runtime, 'keys' | 'clock'>,
  record: ApiKeyRecord,
  graceSeconds: number,
): Promise<IssuedKey> {
  if (record.revokedAt !== undefined)
    throw new GovgateError('CONFLICT', `key '${record.id}' is revoked and cannot be rotated`);
  const fresh = generateApiKey();
  // The id stays (records, usage and rate limits refer to it): only the secret changes.
  const key = `ggk_${record.id}_${fresh.key.slice(`ggk_${fresh.id}_`.length)}`;
  const rotated = await runtime.keys.rotate(
    record.tenant,
    record.id,
    fresh.secretHash,
    new Date(runtime.clock.now() + graceSeconds * 1000).toISOString(),
  );
  return { key, record: rotated };
}
