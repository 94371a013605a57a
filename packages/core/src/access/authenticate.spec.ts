import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ApiKeyRecord } from '../ports.js';
import { InMemoryKeyStore } from '../testing/in-memory-stores.js';
import { generateApiKey, hashSecret } from './api-key.js';
import { authenticate } from './authenticate.js';

const now = Date.UTC(2026, 5, 1);
const iso = (ms: number) => new Date(ms).toISOString();

describe('authenticate', () => {
  let keys: InMemoryKeyStore;
  let key: string;
  let record: ApiKeyRecord;

  beforeEach(async () => {
    keys = new InMemoryKeyStore();
    const generated = generateApiKey();
    key = generated.key;
    record = {
      id: generated.id,
      tenant: 'acme',
      role: 'client',
      name: 'ci',
      secretHash: generated.secretHash,
      createdAt: iso(now - 1000),
    };
    await keys.create(record);
  });

  it('accepts a valid key and names its record (and so its tenant)', async () => {
    expect(await authenticate(keys, key, now)).toEqual({
      ok: true,
      key: record,
      viaPreviousSecret: false,
    });
  });

  it.each([
    ['malformed', 'Bearer nonsense'],
    ['unknown', `ggk_${'z'.repeat(16)}_${'A'.repeat(43)}`],
  ])('refuses a %s key', async (reason, presented) => {
    expect(await authenticate(keys, presented, now)).toEqual({ ok: false, reason });
  });

  it('refuses the right id with a wrong secret', async () => {
    const wrong = `${key.slice(0, 21)}${'A'.repeat(43)}`;
    expect(await authenticate(keys, wrong, now)).toEqual({ ok: false, reason: 'wrong_secret' });
  });

  it('refuses a revoked key and an expired key', async () => {
    await keys.revoke('acme', record.id, iso(now - 1));
    expect(await authenticate(keys, key, now)).toEqual({ ok: false, reason: 'revoked' });
    const other = generateApiKey();
    await keys.create({
      ...record,
      id: other.id,
      secretHash: other.secretHash,
      expiresAt: iso(now),
    });
    expect(await authenticate(keys, other.key, now)).toEqual({ ok: false, reason: 'expired' });
  });

  it('accepts the previous secret during a rotation’s grace period, and not after', async () => {
    const next = generateApiKey();
    await keys.rotate('acme', record.id, hashSecret(next.key.slice(21)), iso(now + 60_000));
    expect(await authenticate(keys, key, now)).toMatchObject({ ok: true, viaPreviousSecret: true });
    expect(await authenticate(keys, `${key.slice(0, 21)}${next.key.slice(21)}`, now)).toMatchObject(
      { ok: true, viaPreviousSecret: false },
    );
    expect(await authenticate(keys, key, now + 60_000)).toEqual({
      ok: false,
      reason: 'wrong_secret',
    });
  });
});
