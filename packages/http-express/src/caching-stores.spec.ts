import { describe, expect, it } from '@jest/globals';
import type { ApiKeyRecord, PolicyVersionRecord } from '@govgate/core';
import { InMemoryKeyStore, InMemoryPolicyStore, ManualClock } from '@govgate/core/testing';
import { CachingKeyStore, CachingPolicyStore } from './caching-stores.js';

const key: ApiKeyRecord = {
  id: 'abcdefghijklmnop',
  tenant: 'acme',
  role: 'client',
  name: 'k',
  secretHash: 'a'.repeat(64),
  createdAt: '2026-01-01T00:00:00.000Z',
};

function policy(version: number): PolicyVersionRecord {
  return {
    tenant: 'acme',
    id: 'p',
    version,
    digest: String(version).repeat(64).slice(0, 64),
    document: { id: 'p', version, threshold: 50, rules: [] },
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'x',
  };
}

describe('CachingKeyStore', () => {
  it('serves a key from memory until the TTL, and forgets it when revoked through it', async () => {
    const inner = new InMemoryKeyStore();
    await inner.create(key);
    const clock = new ManualClock();
    const keys = new CachingKeyStore(inner, clock, undefined, 1000);
    expect((await keys.findById(key.id))?.revokedAt).toBeUndefined();
    await inner.revoke('acme', key.id, '2026-01-01T00:00:01.000Z'); // behind its back
    expect((await keys.findById(key.id))?.revokedAt).toBeUndefined();
    clock.advance(1000);
    expect((await keys.findById(key.id))?.revokedAt).toBeDefined();
    const other = { ...key, id: 'bbbbbbbbbbbbbbbb' };
    await keys.create(other);
    await keys.findById(other.id);
    await keys.revoke('acme', other.id, '2026-01-01T00:00:02.000Z');
    expect((await keys.findById(other.id))?.revokedAt).toBeDefined();
  });

  it('drops everything at once when the change probe moves', async () => {
    const inner = new InMemoryKeyStore();
    await inner.create(key);
    let version = 1;
    const keys = new CachingKeyStore(inner, new ManualClock(), () => version, 60_000);
    await keys.findById(key.id);
    await inner.revoke('acme', key.id, '2026-01-01T00:00:01.000Z');
    expect((await keys.findById(key.id))?.revokedAt).toBeUndefined();
    version = 2;
    expect((await keys.findById(key.id))?.revokedAt).toBeDefined();
  });
});

describe('CachingPolicyStore', () => {
  it('caches the active policy per tenant and clears it on activation through it', async () => {
    const inner = new InMemoryPolicyStore();
    await inner.saveVersion(policy(1));
    await inner.saveVersion(policy(2));
    await inner.activate('acme', 'p', 1);
    const clock = new ManualClock();
    const store = new CachingPolicyStore(inner, clock, undefined, 1000);
    expect((await store.getActive('acme'))?.version).toBe(1);
    await inner.activate('acme', 'p', 2);
    expect((await store.getActive('acme'))?.version).toBe(1);
    clock.advance(1000);
    expect((await store.getActive('acme'))?.version).toBe(2);
    await store.activate('acme', 'p', 1);
    expect((await store.getActive('acme'))?.version).toBe(1);
    await store.deactivate('acme');
    expect(await store.getActive('acme')).toBeUndefined();
  });
});
