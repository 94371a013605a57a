import { describe, expect, it } from '@jest/globals';
import { createGovernance, type ApiKeyRecord, type PolicyVersionRecord } from '@govgate/core';
import {
  InMemoryKeyStore,
  InMemoryLedger,
  InMemoryPolicyStore,
  ManualClock,
  seedPolicy,
} from '@govgate/core/testing';
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

describe('activations through caching stores of two instances over one database', () => {
  it('are not answered from a stale cache: activating the version cached as active activates it', async () => {
    const shared = new InMemoryPolicyStore(); // the database both instances use
    const ledger = new InMemoryLedger();
    const clock = new ManualClock();
    const storeA = new CachingPolicyStore(shared, clock, undefined, 1000);
    const storeB = new CachingPolicyStore(shared, clock, undefined, 1000);
    const a = createGovernance({ ledger, policies: storeA, clock });
    const b = createGovernance({ ledger, policies: storeB, clock });
    await a.savePolicy('acme', seedPolicy());
    await a.savePolicy('acme', { ...seedPolicy(), version: 2 });
    await a.activatePolicy('acme', 'default', 1);
    expect((await storeB.getActive('acme'))?.version).toBe(1); // B caches version 1
    await a.activatePolicy('acme', 'default', 2);
    expect((await storeA.getActive('acme'))?.version).toBe(2); // A caches version 2
    const before = (await ledger.head('acme')).size;
    // B's cache still says 1 is active; the store says 2: 1 is activated and recorded
    expect((await b.activatePolicy('acme', 'default', 1)).version).toBe(1);
    expect((await shared.getActive('acme'))?.version).toBe(1);
    const entries = [];
    for await (const stored of ledger.read('acme', { fromSeq: before + 1 })) entries.push(stored);
    expect(entries.map((e) => e.entry.type)).toEqual(['policy.activated']);
    expect(entries[0]?.entry.data).toMatchObject({
      policy: { id: 'default', version: 1 },
      previous: { id: 'default', version: 2 },
    });
    // A's cache still says 2: asking A for 1, which is active, records nothing
    expect((await a.activatePolicy('acme', 'default', 1)).version).toBe(1);
    expect((await ledger.head('acme')).size).toBe(before + 1);
    expect((await shared.getActive('acme'))?.version).toBe(1);
  });
});
