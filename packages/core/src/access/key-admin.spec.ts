import { beforeEach, describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import type { AppendRequest, LedgerEntry } from '../ledger/entry.js';
import { verifyLedger } from '../ledger/verify.js';
import type { KeyStorePort, LedgerPort } from '../ports.js';
import { InMemoryLedger } from '../testing/in-memory-ledger.js';
import { InMemoryKeyStore, InMemoryTenantStore, ManualClock } from '../testing/in-memory-stores.js';
import { authenticate } from './authenticate.js';
import { KeyAdmin } from './key-admin.js';

const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => (GovgateError.is(error) ? error.code : String(error)),
  );

async function entriesOf(ledger: LedgerPort, tenant: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for await (const { entry } of ledger.read(tenant)) entries.push(entry);
  return entries;
}

describe('KeyAdmin', () => {
  let clock: ManualClock;
  let keys: InMemoryKeyStore;
  let ledger: InMemoryLedger;
  let admin: KeyAdmin;
  /** When set, the ledger refuses appends of these types. */
  let refuse: Set<string>;

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    keys = new InMemoryKeyStore();
    ledger = new InMemoryLedger(clock);
    refuse = new Set();
    const tenants = new InMemoryTenantStore();
    await tenants.create({
      id: 'acme',
      name: 'Acme',
      createdAt: new Date(clock.now()).toISOString(),
    });
    const guarded: Pick<LedgerPort, 'append'> = {
      append: (tenant: string, requests: readonly AppendRequest[]) =>
        requests.some((r) => refuse.has(r.type))
          ? Promise.reject(new Error('disk full'))
          : ledger.append(tenant, requests),
    };
    admin = new KeyAdmin({ keys, tenants, ledger: guarded, clock });
  });

  it('records creation, rotation and revocation in the key tenant chain, without secrets', async () => {
    const created = await admin.create(
      { tenant: 'acme', role: 'client', name: 'ci', rateLimit: { capacity: 10, perSeconds: 60 } },
      'key:admin0000000001',
    );
    clock.advance(1000);
    const rotated = await admin.rotate(created.record, 60, 'key:admin0000000001');
    clock.advance(1000);
    const revoked = await admin.revoke(rotated.record, 'cli:ops');

    const entries = await entriesOf(ledger, 'acme');
    expect(entries.map((e) => [e.type, e.subject, e.actor])).toEqual([
      ['key.created', created.record.id, 'key:admin0000000001'],
      ['key.rotated', created.record.id, 'key:admin0000000001'],
      ['key.revoked', created.record.id, 'cli:ops'],
    ]);
    expect(entries[0]?.data).toEqual({
      key: { id: created.record.id, name: 'ci', role: 'client', rateLimit: '10/60s' },
    });
    expect(entries[1]?.data).toEqual({
      key: { id: created.record.id },
      previousValidUntil: rotated.record.previousValidUntil,
    });
    expect(entries[2]?.data).toEqual({ key: { id: created.record.id }, at: revoked.revokedAt });
    const text = JSON.stringify(entries);
    for (const secret of [
      created.key,
      rotated.key,
      created.record.secretHash,
      rotated.record.secretHash,
    ])
      expect(text).not.toContain(secret);
    expect((await verifyLedger(ledger, 'acme')).ok).toBe(true);
  });

  it('issues a working key and rotates it with a grace period for the old secret', async () => {
    const created = await admin.create({ tenant: 'acme', role: 'auditor', name: 'a' }, 'system');
    const rotated = await admin.rotate(created.record, 60, 'system');
    expect(rotated.record.id).toBe(created.record.id);
    expect((await authenticate(keys, rotated.key, clock.now())).ok).toBe(true);
    expect((await authenticate(keys, created.key, clock.now())).ok).toBe(true);
    expect((await authenticate(keys, created.key, clock.now() + 61_000)).ok).toBe(false);
  });

  it('changes nothing when the ledger cannot record the change', async () => {
    refuse = new Set(['key.created', 'key.rotated', 'key.revoked']);
    expect(
      await codeOf(admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system')),
    ).toBe('LEDGER_UNAVAILABLE');
    expect(await keys.list('acme')).toEqual([]);

    refuse = new Set();
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system');
    refuse = new Set(['key.rotated', 'key.revoked']);
    expect(await codeOf(admin.rotate(created.record, 60, 'system'))).toBe('LEDGER_UNAVAILABLE');
    expect(await codeOf(admin.revoke(created.record, 'system'))).toBe('LEDGER_UNAVAILABLE');
    expect(await keys.findById(created.record.id)).toEqual(created.record);
    expect((await authenticate(keys, created.key, clock.now())).ok).toBe(true);
    expect((await entriesOf(ledger, 'acme')).map((e) => e.type)).toEqual(['key.created']);
  });

  it('corrects the recorded entry when the store then fails, and throws the store error', async () => {
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system');
    const failing: KeyStorePort = {
      create: keys.create.bind(keys),
      findById: keys.findById.bind(keys),
      list: keys.list.bind(keys),
      touch: keys.touch.bind(keys),
      rotate: () => Promise.reject(new GovgateError('STORE_UNAVAILABLE', 'database is down')),
      revoke: keys.revoke.bind(keys),
    };
    const broken = new KeyAdmin({
      keys: failing,
      tenants: { get: () => Promise.resolve({ id: 'acme', name: 'Acme', createdAt: '' }) },
      ledger,
      clock,
    });
    expect(await codeOf(broken.rotate(created.record, 60, 'system'))).toBe('STORE_UNAVAILABLE');
    const entries = await entriesOf(ledger, 'acme');
    expect(entries.map((e) => e.type)).toEqual(['key.created', 'key.rotated', 'audit.correction']);
    expect(entries[2]?.data).toEqual({
      corrects: 2,
      reason: 'the key.rotated change did not take effect: database is down',
    });
  });

  it('keeps the first revocation time and records nothing when a revoked key is revoked again', async () => {
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system');
    const first = await admin.revoke(created.record, 'system');
    clock.advance(5000);
    const size = (await ledger.head('acme')).size;
    expect(await admin.revoke(first, 'system')).toEqual(first);
    // a record read before the revocation changes nothing either
    expect(await admin.revoke(created.record, 'other')).toEqual(first);
    expect((await ledger.head('acme')).size).toBe(size);
    const revocations = (await entriesOf(ledger, 'acme')).filter((e) => e.type === 'key.revoked');
    expect(revocations.map((e) => e.data)).toEqual([
      { key: { id: created.record.id }, at: first.revokedAt },
    ]);
  });

  it('records one revocation when the same key is revoked concurrently', async () => {
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system');
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd'].map((actor) => admin.revoke(created.record, actor)),
    );
    expect(new Set(answers.map((a) => a.revokedAt)).size).toBe(1);
    expect((await entriesOf(ledger, 'acme')).map((e) => e.type)).toEqual([
      'key.created',
      'key.revoked',
    ]);
  });

  it('corrects its entry and answers the revoked key when another process revoked it first', async () => {
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system');
    // Two processes: each its own view of the one store, so nothing holds one back.
    const viewOf = (): KeyStorePort => ({
      create: (r) => keys.create(r),
      findById: (id) => keys.findById(id),
      list: (t) => keys.list(t),
      touch: (t, id, at) => keys.touch(t, id, at),
      rotate: (t, id, hash, until) => keys.rotate(t, id, hash, until),
      revoke: (t, id, at, options) => keys.revoke(t, id, at, options),
    });
    const tenants = { get: () => Promise.resolve({ id: 'acme', name: 'Acme', createdAt: '' }) };
    const [one, two] = await Promise.all(
      ['p1', 'p2'].map((actor) =>
        new KeyAdmin({ keys: viewOf(), tenants, ledger, clock }).revoke(created.record, actor),
      ),
    );
    expect(one?.revokedAt).toBeDefined();
    expect(two).toEqual(one);
    const entries = await entriesOf(ledger, 'acme');
    expect(entries.map((e) => e.type)).toEqual([
      'key.created',
      'key.revoked',
      'key.revoked',
      'audit.correction',
    ]);
    expect(entries[3]?.data).toEqual({
      corrects: 3,
      reason: `the key.revoked change did not take effect: key '${created.record.id}' is already revoked`,
    });
  });

  it('refuses to revoke a key the tenant does not have (KEY_INVALID) and records nothing', async () => {
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 'system');
    const size = (await ledger.head('acme')).size;
    expect(await codeOf(admin.revoke({ ...created.record, tenant: 'globex' }, 's'))).toBe(
      'KEY_INVALID',
    );
    expect(await codeOf(admin.revoke({ ...created.record, id: 'zzzzzzzzzzzzzzzz' }, 's'))).toBe(
      'KEY_INVALID',
    );
    expect((await ledger.head('acme')).size).toBe(size);
    expect((await ledger.head('globex')).size).toBe(0);
    expect((await keys.findById(created.record.id))?.revokedAt).toBeUndefined();
  });

  it('refuses a missing tenant, platform on a non-admin key and rotating a revoked key', async () => {
    expect(await codeOf(admin.create({ tenant: 'nope', role: 'client', name: 'x' }, 's'))).toBe(
      'TENANT_INVALID',
    );
    expect(
      await codeOf(
        admin.create({ tenant: 'acme', role: 'client', name: 'x', platform: true }, 's'),
      ),
    ).toBe('KEY_INVALID');
    const created = await admin.create({ tenant: 'acme', role: 'client', name: 'x' }, 's');
    const revoked = await admin.revoke(created.record, 's');
    expect(await codeOf(admin.rotate(revoked, 60, 's'))).toBe('CONFLICT');
    expect((await entriesOf(ledger, 'acme')).map((e) => e.type)).toEqual([
      'key.created',
      'key.revoked',
    ]);
  });

  it('without a ledger (no writer to be had) makes the change unrecorded', async () => {
    const unrecorded = new KeyAdmin({
      keys,
      tenants: { get: () => Promise.resolve({ id: 'acme', name: '', createdAt: '' }) },
      clock,
    });
    const created = await unrecorded.create({ tenant: 'acme', role: 'client', name: 'x' }, 's');
    expect(await keys.findById(created.record.id)).toEqual(created.record);
    expect(await entriesOf(ledger, 'acme')).toEqual([]);
  });
});
