import type { RequirementProfile } from '../compliance/profile.js';
import { GovgateError } from '../errors.js';
import { canonicalDigest } from '../ledger/canonical-json.js';
import type { PolicyDocument } from '../policy/policy-document.js';
import type {
  ApiKeyRecord,
  EvidenceIndexPort,
  EvidenceIndexRow,
  KeyStorePort,
  PolicyStorePort,
  PolicySummary,
  PolicyVersionRecord,
  ProfileStorePort,
  ProfileVersionRecord,
  RateLimitStorePort,
  TenantStorePort,
  UsageStorePort,
  VersionedStore,
  WorkflowRecord,
  WorkflowStorePort,
} from '../ports.js';
import { seedPolicy } from './builders.js';
import { jestGlobals } from './jest-globals.js';

/** What a store contract's factory returns: the store(s) under test and a teardown. */
export interface StoreHarness<S> {
  readonly store: S;
  teardown(): Promise<void>;
}

export interface ContractOptions {
  /** Per-test timeout in ms (default 30 s). */
  readonly timeoutMs?: number;
}

let serial = 0;
/** A tenant id no other test of the run uses. */
const freshTenant = (): string => `c${++serial}-${Math.random().toString(36).slice(2, 8)}`;
const at = (ms: number): string => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

function harnessed<S>(factory: () => Promise<StoreHarness<S>>, timeout: number): () => S {
  const { beforeAll, afterAll } = jestGlobals();
  let harness: StoreHarness<S> | undefined;
  beforeAll(async () => {
    harness = await factory();
  }, timeout);
  afterAll(async () => {
    await harness?.teardown();
  }, timeout);
  return () => {
    if (harness === undefined) throw new Error('store harness is not ready');
    return harness.store;
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return GovgateError.is(error) ? error.code : `not a GovgateError: ${String(error)}`;
  }
}

/** A saved version as the stores hold it, for any versioned document. */
function versionOf<D extends { readonly id: string; readonly version: number }>(
  tenant: string,
  document: D,
  createdAt = at(0),
) {
  return {
    tenant,
    id: document.id,
    version: document.version,
    digest: canonicalDigest(document),
    document,
    createdAt,
    createdBy: 'contract',
  };
}

/** What tells a policy store's suite from a profile store's. */
interface VersionedKind<D, S> {
  /** `policy store`, `profile store`: the describe's title. */
  readonly title: string;
  readonly notFound: 'POLICY_NOT_FOUND' | 'PROFILE_NOT_FOUND';
  /** Version 1 of a document; `v2`: version 2 of the same id (other content). */
  readonly v1: D;
  readonly v2: D;
  /** `v1` with other content under the same id and version. */
  readonly changed: D;
  /** `v1` under another id, sorting before v1's. */
  readonly another: D;
  readonly list: (store: S, tenant: string) => Promise<readonly PolicySummary[]>;
}

/**
 * The suite of a store of immutable document versions with one active per tenant:
 * saving again is a no-op with the same digest and a CONFLICT with another; activating
 * what was never saved is `notFound`; nothing of one tenant shows through another.
 */
function versionStoreContract<
  D extends { readonly id: string; readonly version: number },
  R extends { readonly tenant: string; readonly version: number },
  S extends VersionedStore<R>,
>(
  name: string,
  factory: () => Promise<StoreHarness<S>>,
  options: ContractOptions,
  kind: VersionedKind<D, S>,
): void {
  const { describe, it, expect } = jestGlobals();
  const timeout = options.timeoutMs ?? 30_000;
  const record = (tenant: string, document: D, createdAt?: string): R =>
    versionOf(tenant, document, createdAt) as unknown as R;
  const { v1, v2, notFound } = kind;
  const id = v1.id;
  describe(`${kind.title} contract: ${name}`, () => {
    const store = harnessed(factory, timeout);

    it(
      'saves a version and reads it back unchanged',
      async () => {
        const tenant = freshTenant();
        const saved = record(tenant, v2);
        expect(await store().saveVersion(saved)).toEqual(saved);
        expect(await store().getVersion(tenant, id, 2)).toEqual(saved);
        expect(await store().getVersion(tenant, id, 3)).toBeUndefined();
      },
      timeout,
    );

    it(
      'treats saving identical content again as a no-op and other content under the same version as a CONFLICT',
      async () => {
        const tenant = freshTenant();
        const first = record(tenant, v1);
        await store().saveVersion(first);
        expect(await store().saveVersion({ ...first, createdAt: at(5) })).toEqual(first);
        expect(await codeOf(store().saveVersion(record(tenant, kind.changed)))).toBe('CONFLICT');
        expect(await store().getVersion(tenant, id, 1)).toEqual(first);
      },
      timeout,
    );

    it(
      'with ifAbsent saves only a version not stored yet: one stored, of any content, is a CONFLICT',
      async () => {
        const tenant = freshTenant();
        const first = record(tenant, v1);
        expect(await store().saveVersion(first, { ifAbsent: true })).toEqual(first);
        for (const again of [{ ...first, createdAt: at(5) }, record(tenant, kind.changed)])
          expect(await codeOf(store().saveVersion(again, { ifAbsent: true }))).toBe('CONFLICT');
        expect(await store().getVersion(tenant, id, 1)).toEqual(first);
        // of saves racing with ifAbsent, exactly one creates the version
        const racing = await Promise.allSettled(
          Array.from({ length: 8 }, (_, n) =>
            store().saveVersion(record(tenant, v2, at(n)), { ifAbsent: true }),
          ),
        );
        expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of racing)
          if (r.status === 'rejected')
            expect((r.reason as { code?: string }).code).toBe('CONFLICT');
      },
      timeout,
    );

    it(
      'lists versions in order and documents with their latest and active versions',
      async () => {
        const tenant = freshTenant();
        await store().saveVersion(record(tenant, v2));
        await store().saveVersion(record(tenant, v1));
        await store().saveVersion(record(tenant, kind.another));
        expect((await store().listVersions(tenant, id)).map((r) => r.version)).toEqual([1, 2]);
        expect(await kind.list(store(), tenant)).toEqual([
          { id: kind.another.id, latestVersion: 1 },
          { id, latestVersion: 2 },
        ]);
        await store().activate(tenant, id, 1);
        expect(await kind.list(store(), tenant)).toEqual([
          { id: kind.another.id, latestVersion: 1 },
          { id, latestVersion: 2, activeVersion: 1 },
        ]);
      },
      timeout,
    );

    it(
      'activates a saved version, switches, and deactivates',
      async () => {
        const tenant = freshTenant();
        expect(await store().getActive(tenant)).toBeUndefined();
        const first = record(tenant, v1);
        await store().saveVersion(first);
        await store().saveVersion(record(tenant, v2));
        await store().activate(tenant, id, 1);
        expect(await store().getActive(tenant)).toEqual(first);
        await store().activate(tenant, id, 2);
        expect((await store().getActive(tenant))?.version).toBe(2);
        await store().deactivate(tenant);
        expect(await store().getActive(tenant)).toBeUndefined();
      },
      timeout,
    );

    it(
      `refuses to activate a version that was never saved (${notFound}) and keeps the active one`,
      async () => {
        const tenant = freshTenant();
        await store().saveVersion(record(tenant, v1));
        await store().activate(tenant, id, 1);
        expect(await codeOf(store().activate(tenant, id, 9))).toBe(notFound);
        expect(await codeOf(store().activate(tenant, 'unknown', 1))).toBe(notFound);
        expect((await store().getActive(tenant))?.version).toBe(1);
      },
      timeout,
    );

    it(
      'activates from the expected active version only (compare-and-set): otherwise a CONFLICT that changes nothing',
      async () => {
        const tenant = freshTenant();
        const other = kind.another.id;
        for (const document of [v1, v2, kind.another])
          await store().saveVersion(record(tenant, document));
        await store().activate(tenant, id, 1, null);
        expect((await store().getActive(tenant))?.version).toBe(1);
        expect(await codeOf(store().activate(tenant, id, 2, null))).toBe('CONFLICT');
        expect(await codeOf(store().activate(tenant, id, 2, { id, version: 2 }))).toBe('CONFLICT');
        expect(await codeOf(store().activate(tenant, id, 2, { id: other, version: 1 }))).toBe(
          'CONFLICT',
        );
        expect(await store().getActive(tenant)).toMatchObject({ id, version: 1 });
        await store().activate(tenant, other, 1, { id, version: 1 });
        expect(await store().getActive(tenant)).toMatchObject({ id: other, version: 1 });
        expect(await codeOf(store().activate(tenant, id, 9, { id: other, version: 1 }))).toBe(
          notFound,
        );
        expect(await codeOf(store().activate(tenant, id, 9, { id, version: 1 }))).toBe(notFound);
        expect(await store().getActive(tenant)).toMatchObject({ id: other, version: 1 });
      },
      timeout,
    );

    it(
      'lets exactly one of several concurrent activations from the same state succeed',
      async () => {
        const tenant = freshTenant();
        for (const document of [v1, v2, kind.another])
          await store().saveVersion(record(tenant, document));
        const targets = (n: number) =>
          n % 2 === 0 ? { id, version: 2 } : { id: kind.another.id, version: 1 };
        // from none active, then from version 1
        for (const expected of [null, { id, version: 1 }]) {
          if (expected !== null) {
            await store().deactivate(tenant);
            await store().activate(tenant, id, 1);
          }
          const outcomes = await Promise.all(
            Array.from({ length: 8 }, (_, n) =>
              codeOf(store().activate(tenant, targets(n).id, targets(n).version, expected)),
            ),
          );
          expect(outcomes.filter((code) => code === undefined)).toHaveLength(1);
          expect(outcomes.filter((code) => code === 'CONFLICT')).toHaveLength(7);
          expect(await store().getActive(tenant)).toMatchObject(
            targets(outcomes.indexOf(undefined)),
          );
        }
      },
      timeout,
    );

    it(
      "finds nothing of tenant A through tenant B's view",
      async () => {
        const a = freshTenant();
        const b = freshTenant();
        await store().saveVersion(record(a, v1));
        await store().activate(a, id, 1);
        expect(await store().getVersion(b, id, 1)).toBeUndefined();
        expect(await store().listVersions(b, id)).toEqual([]);
        expect(await kind.list(store(), b)).toEqual([]);
        expect(await store().getActive(b)).toBeUndefined();
        expect(await codeOf(store().activate(b, id, 1))).toBe(notFound);
        expect((await store().getActive(a))?.tenant).toBe(a);
      },
      timeout,
    );
  });
}

/**
 * The jest suite every PolicyStorePort implementation runs.
 *
 * @example
 * policyStoreContract('SqlitePolicyStore', async () => ({ store: new SqlitePolicyStore(db), teardown: async () => db.close() }));
 */
export function policyStoreContract(
  name: string,
  factory: () => Promise<StoreHarness<PolicyStorePort>>,
  options: ContractOptions = {},
): void {
  const v1 = seedPolicy();
  versionStoreContract<PolicyDocument, PolicyVersionRecord, PolicyStorePort>(
    name,
    factory,
    options,
    {
      title: 'policy store',
      notFound: 'POLICY_NOT_FOUND',
      v1,
      v2: { ...v1, version: 2, threshold: 80, description: 'é and 😀 survive storage' },
      changed: { ...v1, threshold: 10 },
      another: { ...v1, id: 'another' },
      list: (store, tenant) => store.listPolicies(tenant),
    },
  );
}

function aKey(tenant: string, id: string, changes: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    tenant,
    role: 'client',
    name: `key ${id}`,
    secretHash: 'a'.repeat(64),
    createdAt: at(0),
    ...changes,
  };
}

/** The jest suite every KeyStorePort + TenantStorePort implementation runs. */
export function keyStoreContract(
  name: string,
  factory: () => Promise<StoreHarness<{ keys: KeyStorePort; tenants: TenantStorePort }>>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = jestGlobals();
  const timeout = options.timeoutMs ?? 30_000;
  describe(`key store contract: ${name}`, () => {
    const stores = harnessed(factory, timeout);
    const keyId = () =>
      `k${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}`
        .slice(0, 16)
        .padEnd(16, '0');

    it(
      'creates tenants, reads them back and refuses a duplicate (CONFLICT)',
      async () => {
        const id = freshTenant();
        const record = { id, name: 'Acme Corp', createdAt: at(0) };
        expect(await stores().tenants.create(record)).toEqual(record);
        expect(await stores().tenants.get(id)).toEqual(record);
        expect((await stores().tenants.list()).some((t) => t.id === id)).toBe(true);
        expect(await codeOf(stores().tenants.create({ ...record, name: 'again' }))).toBe(
          'CONFLICT',
        );
        expect(await stores().tenants.get(freshTenant())).toBeUndefined();
      },
      timeout,
    );

    it(
      'creates a key, finds it by id in one lookup, and refuses a duplicate id (CONFLICT)',
      async () => {
        const tenant = freshTenant();
        const key = aKey(tenant, keyId(), {
          role: 'admin',
          expiresAt: at(86_400_000),
          rateLimit: { capacity: 50, perSeconds: 60 },
        });
        await stores().keys.create(key);
        expect(await stores().keys.findById(key.id)).toEqual(key);
        expect(await codeOf(stores().keys.create({ ...key, tenant: freshTenant() }))).toBe(
          'CONFLICT',
        );
        expect(await stores().keys.findById(keyId())).toBeUndefined();
      },
      timeout,
    );

    it(
      'rotates: the new hash is current and the previous one stays valid until the grace period ends',
      async () => {
        const tenant = freshTenant();
        const key = aKey(tenant, keyId());
        await stores().keys.create(key);
        const rotated = await stores().keys.rotate(tenant, key.id, 'b'.repeat(64), at(3_600_000));
        expect(rotated).toMatchObject({
          secretHash: 'b'.repeat(64),
          previousSecretHash: 'a'.repeat(64),
          previousValidUntil: at(3_600_000),
        });
        expect(await stores().keys.findById(key.id)).toEqual(rotated);
      },
      timeout,
    );

    it(
      'revokes and keeps the record, the first revocation time winning',
      async () => {
        const tenant = freshTenant();
        const key = aKey(tenant, keyId());
        await stores().keys.create(key);
        expect((await stores().keys.revoke(tenant, key.id, at(10))).revokedAt).toBe(at(10));
        expect((await stores().keys.revoke(tenant, key.id, at(20))).revokedAt).toBe(at(10));
        expect((await stores().keys.findById(key.id))?.revokedAt).toBe(at(10));
      },
      timeout,
    );

    it(
      'revokes only a key not yet revoked when asked to (compare-and-set): otherwise a CONFLICT, the first time kept',
      async () => {
        const tenant = freshTenant();
        const key = aKey(tenant, keyId());
        await stores().keys.create(key);
        const cas = { ifNotRevoked: true } as const;
        expect((await stores().keys.revoke(tenant, key.id, at(10), cas)).revokedAt).toBe(at(10));
        expect(await codeOf(stores().keys.revoke(tenant, key.id, at(20), cas))).toBe('CONFLICT');
        expect(await stores().keys.findById(key.id)).toEqual({ ...key, revokedAt: at(10) });
        expect(await codeOf(stores().keys.revoke(tenant, keyId(), at(30), cas))).toBe(
          'KEY_INVALID',
        );
        const theirs = aKey(freshTenant(), keyId());
        await stores().keys.create(theirs);
        expect(await codeOf(stores().keys.revoke(tenant, theirs.id, at(30), cas))).toBe(
          'KEY_INVALID',
        );
        expect(await stores().keys.findById(theirs.id)).toEqual(theirs);
      },
      timeout,
    );

    it(
      'lets exactly one of several concurrent compare-and-set revocations succeed',
      async () => {
        const tenant = freshTenant();
        const key = aKey(tenant, keyId());
        await stores().keys.create(key);
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, n) =>
            codeOf(stores().keys.revoke(tenant, key.id, at(n + 1), { ifNotRevoked: true })),
          ),
        );
        expect(outcomes.filter((code) => code === undefined)).toHaveLength(1);
        expect(outcomes.filter((code) => code === 'CONFLICT')).toHaveLength(7);
        expect((await stores().keys.findById(key.id))?.revokedAt).toBe(
          at(outcomes.indexOf(undefined) + 1),
        );
      },
      timeout,
    );

    it(
      'records when a key was last used',
      async () => {
        const tenant = freshTenant();
        const key = aKey(tenant, keyId());
        await stores().keys.create(key);
        await stores().keys.touch(tenant, key.id, at(99));
        expect((await stores().keys.findById(key.id))?.lastUsedAt).toBe(at(99));
      },
      timeout,
    );

    it(
      'keeps the platform flag, present only when true, through rotate, revoke and touch',
      async () => {
        const tenant = freshTenant();
        const platform = aKey(tenant, keyId(), { role: 'admin', platform: true });
        const plain = aKey(tenant, keyId(), { role: 'admin' });
        const unset = aKey(tenant, keyId(), { role: 'admin', platform: false });
        for (const key of [platform, plain, unset]) await stores().keys.create(key);

        expect(await stores().keys.findById(platform.id)).toEqual(platform);
        const listed = new Map((await stores().keys.list(tenant)).map((k) => [k.id, k]));
        expect(listed.get(platform.id)?.platform).toBe(true);
        for (const key of [plain, unset]) {
          expect(Object.hasOwn((await stores().keys.findById(key.id)) ?? {}, 'platform')).toBe(
            false,
          );
          expect(Object.hasOwn(listed.get(key.id) ?? {}, 'platform')).toBe(false);
        }

        const rotated = await stores().keys.rotate(tenant, platform.id, 'b'.repeat(64), at(60));
        expect(rotated.platform).toBe(true);
        await stores().keys.touch(tenant, platform.id, at(70));
        expect((await stores().keys.findById(platform.id))?.platform).toBe(true);
        expect((await stores().keys.revoke(tenant, platform.id, at(80))).platform).toBe(true);
        expect((await stores().keys.findById(platform.id))?.platform).toBe(true);
        expect(
          Object.hasOwn(await stores().keys.revoke(tenant, plain.id, at(80)), 'platform'),
        ).toBe(false);
      },
      timeout,
    );

    it(
      "lists a tenant's keys and none of another tenant's",
      async () => {
        const a = freshTenant();
        const b = freshTenant();
        const ka = aKey(a, keyId());
        await stores().keys.create(ka);
        await stores().keys.create(aKey(b, keyId()));
        expect((await stores().keys.list(a)).map((k) => k.id)).toEqual([ka.id]);
        expect(await stores().keys.list(freshTenant())).toEqual([]);
      },
      timeout,
    );

    it(
      "cannot change tenant A's key through tenant B (KEY_INVALID, nothing changed)",
      async () => {
        const a = freshTenant();
        const b = freshTenant();
        const key = aKey(a, keyId());
        await stores().keys.create(key);
        expect(await codeOf(stores().keys.revoke(b, key.id, at(1)))).toBe('KEY_INVALID');
        expect(await codeOf(stores().keys.rotate(b, key.id, 'c'.repeat(64), at(1)))).toBe(
          'KEY_INVALID',
        );
        await stores().keys.touch(b, key.id, at(1));
        expect(await stores().keys.findById(key.id)).toEqual(key);
      },
      timeout,
    );
  });
}

/** The jest suite every RateLimitStorePort implementation runs. */
export function rateLimitContract(
  name: string,
  factory: () => Promise<StoreHarness<RateLimitStorePort>>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = jestGlobals();
  const timeout = options.timeoutMs ?? 30_000;
  describe(`rate limit contract: ${name}`, () => {
    const store = harnessed(factory, timeout);
    const now = Date.UTC(2026, 0, 1);

    it(
      'gives exactly 100 successes to 8 concurrent takers against a bucket of 100',
      async () => {
        const tenant = freshTenant();
        const spec = { capacity: 100, perSeconds: 3600 };
        const results = await Promise.all(
          Array.from({ length: 8 }, async () => {
            let allowed = 0;
            for (let n = 0; n < 25; n++)
              if ((await store().take(tenant, 'key-1', spec, now)).allowed) allowed++;
            return allowed;
          }),
        );
        expect(results.reduce((a, b) => a + b, 0)).toBe(100);
      },
      timeout,
    );

    it(
      'reports what is left, when to retry, and refills with time',
      async () => {
        const tenant = freshTenant();
        const spec = { capacity: 2, perSeconds: 2 };
        expect(await store().take(tenant, 'b', spec, now)).toMatchObject({
          allowed: true,
          remaining: 1,
        });
        expect(await store().take(tenant, 'b', spec, now)).toMatchObject({
          allowed: true,
          remaining: 0,
        });
        expect(await store().take(tenant, 'b', spec, now)).toMatchObject({
          allowed: false,
          remaining: 0,
          retryAfterMs: 1000,
        });
        expect(await store().take(tenant, 'b', spec, now + 1000)).toMatchObject({
          allowed: true,
          remaining: 0,
        });
        expect(await store().take(tenant, 'b', spec, now + 60_000)).toMatchObject({
          allowed: true,
          remaining: 1,
        });
      },
      timeout,
    );

    it(
      "keeps tenant A's bucket apart from tenant B's bucket of the same name",
      async () => {
        const a = freshTenant();
        const b = freshTenant();
        const spec = { capacity: 1, perSeconds: 3600 };
        expect((await store().take(a, 'shared', spec, now)).allowed).toBe(true);
        expect((await store().take(a, 'shared', spec, now)).allowed).toBe(false);
        expect((await store().take(b, 'shared', spec, now)).allowed).toBe(true);
      },
      timeout,
    );
  });
}

/** The jest suite every UsageStorePort implementation runs. */
export function usageContract(
  name: string,
  factory: () => Promise<StoreHarness<UsageStorePort>>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = jestGlobals();
  const timeout = options.timeoutMs ?? 30_000;
  describe(`usage contract: ${name}`, () => {
    const store = harnessed(factory, timeout);

    it(
      'adds counts atomically under concurrency',
      async () => {
        const tenant = freshTenant();
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let n = 0; n < 25; n++)
              await store().add(tenant, 'key-1', '2026-01-01', {
                requests: 1,
                decisions: 1,
                denied: n % 5 === 0 ? 1 : 0,
              });
          }),
        );
        expect(await store().list(tenant)).toEqual([
          {
            tenant,
            keyId: 'key-1',
            day: '2026-01-01',
            counts: {
              requests: 200,
              decisions: 200,
              allowed: 0,
              denied: 40,
              rejected: 0,
              rateLimited: 0,
            },
          },
        ]);
      },
      timeout,
    );

    it(
      'lists by key and by day range, in day then key order',
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, 'k2', '2026-01-02', { requests: 2 });
        await store().add(tenant, 'k1', '2026-01-02', { requests: 1 });
        await store().add(tenant, 'k1', '2026-01-01', { requests: 5 });
        await store().add(tenant, 'k1', '2026-01-03', { rateLimited: 1 });
        const all = await store().list(tenant);
        expect(all.map((r) => `${r.day}/${r.keyId}`)).toEqual([
          '2026-01-01/k1',
          '2026-01-02/k1',
          '2026-01-02/k2',
          '2026-01-03/k1',
        ]);
        expect(
          (
            await store().list(tenant, { keyId: 'k1', fromDay: '2026-01-02', toDay: '2026-01-02' })
          ).map((r) => r.counts.requests),
        ).toEqual([1]);
      },
      timeout,
    );

    it(
      'refuses a malformed day or counter (REQUEST_INVALID) and records nothing',
      async () => {
        const tenant = freshTenant();
        expect(await codeOf(store().add(tenant, 'k', '2026-13-01', { requests: 1 }))).toBe(
          'REQUEST_INVALID',
        );
        expect(await codeOf(store().add(tenant, 'k', '2026-01-01', { requests: -1 }))).toBe(
          'REQUEST_INVALID',
        );
        expect(await codeOf(store().add(tenant, 'k', '2026-01-01', { bogus: 1 } as never))).toBe(
          'REQUEST_INVALID',
        );
        expect(await store().list(tenant)).toEqual([]);
      },
      timeout,
    );

    it(
      'refuses a day that is not a calendar date, or a range that ends before it starts (REQUEST_INVALID naming the field)',
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, 'k', '2026-12-03', { requests: 1 });
        const pointersOf = async (promise: Promise<unknown>) => {
          const error = await promise.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(GovgateError.is(error, 'REQUEST_INVALID')).toBe(true);
          return (error as GovgateError).details.map((d) => d.pointer);
        };
        expect(await pointersOf(store().list(tenant, { fromDay: '2026-13-45' }))).toEqual([
          '/fromDay',
        ]);
        expect(await pointersOf(store().list(tenant, { toDay: '2026-02-30' }))).toEqual(['/toDay']);
        expect(
          await pointersOf(store().list(tenant, { fromDay: '2026-12-05', toDay: '2026-12-01' })),
        ).toEqual(['/fromDay', '/toDay']);
        expect(await pointersOf(store().add(tenant, 'k', '2026-02-30', { requests: 1 }))).toEqual([
          '/day',
        ]);
        expect(
          (await store().list(tenant, { fromDay: '2026-12-03', toDay: '2026-12-03' })).map(
            (r) => r.counts.requests,
          ),
        ).toEqual([1]);
        expect(await store().list(tenant)).toHaveLength(1);
      },
      timeout,
    );

    it(
      "finds nothing of tenant A through tenant B's view",
      async () => {
        const a = freshTenant();
        await store().add(a, 'k', '2026-01-01', { requests: 1 });
        expect(await store().list(freshTenant())).toEqual([]);
        expect(await store().list(freshTenant(), { keyId: 'k' })).toEqual([]);
      },
      timeout,
    );
  });
}

/** The jest suite every EvidenceIndexPort implementation runs. */
export function evidenceIndexContract(
  name: string,
  factory: () => Promise<StoreHarness<EvidenceIndexPort>>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = jestGlobals();
  const timeout = options.timeoutMs ?? 30_000;
  describe(`evidence index contract: ${name}`, () => {
    const store = harnessed(factory, timeout);
    const row = (seq: number, runId = 'run-1', type = 'eval.accuracy'): EvidenceIndexRow => ({
      runId,
      seq,
      type,
    });

    it(
      'lists the rows of a tenant in seq order whatever order they were added in',
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, [row(7, 'run-2'), row(3), row(12, 'run-1', 'approval')]);
        await store().add(tenant, [row(5, 'run-2', 'sbom')]);
        expect(await store().list(tenant)).toEqual([
          row(3),
          row(5, 'run-2', 'sbom'),
          row(7, 'run-2'),
          row(12, 'run-1', 'approval'),
        ]);
      },
      timeout,
    );

    it(
      "lists one run's rows, in seq order, when asked for a runId",
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, [row(4, 'run-b'), row(2, 'run-a'), row(3, 'run-b'), row(1)]);
        expect(await store().list(tenant, { runId: 'run-b' })).toEqual([
          row(3, 'run-b'),
          row(4, 'run-b'),
        ]);
        expect(await store().list(tenant, { runId: 'run-none' })).toEqual([]);
      },
      timeout,
    );

    it(
      'keeps one row per seq when the same rows are added again, or twice in one call',
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, [row(1), row(2)]);
        await store().add(tenant, [row(1), row(2)]);
        await store().add(tenant, [row(3), row(3)]);
        expect(await store().list(tenant)).toEqual([row(1), row(2), row(3)]);
      },
      timeout,
    );

    it(
      'keeps the row first added for a seq when another row comes for the same seq',
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, [row(1, 'run-1', 'approval')]);
        await store().add(tenant, [row(1, 'run-2', 'sbom'), row(2)]);
        expect(await store().list(tenant)).toEqual([row(1, 'run-1', 'approval'), row(2)]);
      },
      timeout,
    );

    it(
      'accepts an empty batch and a batch of 20 000 rows in one call',
      async () => {
        const tenant = freshTenant();
        await store().add(tenant, []);
        expect(await store().list(tenant)).toEqual([]);
        const rows = Array.from({ length: 20_000 }, (_, n) => row(n + 1, `run-${n % 7}`));
        await store().add(tenant, rows);
        const listed = await store().list(tenant);
        expect(listed).toHaveLength(20_000);
        expect(listed[19_999]).toEqual(rows[19_999]);
        expect(await store().list(tenant, { runId: 'run-3' })).toHaveLength(2857);
      },
      timeout,
    );

    it(
      'starts the watermark at 0 and only ever raises it',
      async () => {
        const tenant = freshTenant();
        expect(await store().watermark(tenant)).toBe(0);
        await store().setWatermark(tenant, 5);
        expect(await store().watermark(tenant)).toBe(5);
        await store().setWatermark(tenant, 3);
        expect(await store().watermark(tenant)).toBe(5);
        await store().setWatermark(tenant, 9);
        expect(await store().watermark(tenant)).toBe(9);
      },
      timeout,
    );

    it(
      'keeps the highest watermark when raised concurrently',
      async () => {
        const tenant = freshTenant();
        await Promise.all([4, 17, 9, 1, 16, 12].map((seq) => store().setWatermark(tenant, seq)));
        expect(await store().watermark(tenant)).toBe(17);
      },
      timeout,
    );

    it(
      "finds nothing of tenant A through tenant B's view, and B's rows leave A's alone",
      async () => {
        const a = freshTenant();
        const b = freshTenant();
        await store().add(a, [row(1), row(2)]);
        await store().setWatermark(a, 2);
        expect(await store().list(b)).toEqual([]);
        expect(await store().list(b, { runId: 'run-1' })).toEqual([]);
        expect(await store().watermark(b)).toBe(0);
        await store().add(b, [row(1, 'run-b', 'sbom')]);
        await store().setWatermark(b, 1);
        expect(await store().list(a)).toEqual([row(1), row(2)]);
        expect(await store().list(b)).toEqual([row(1, 'run-b', 'sbom')]);
        expect(await store().watermark(a)).toBe(2);
      },
      timeout,
    );
  });
}

function aProfile(changes: Partial<RequirementProfile> = {}): RequirementProfile {
  return {
    id: 'release',
    version: 1,
    description: 'é and 😀 survive storage',
    requires: [
      { type: 'eval.accuracy', where: { path: 'data.value', gte: 0.9 } },
      { type: 'sbom', description: 'a software bill of materials' },
    ],
    approvals: { approvers: ['alice@example.com', 'bob@example.com'], min: 1 },
    maxAgeDays: 30,
    ...changes,
  };
}

/**
 * The jest suite every ProfileStorePort implementation runs: the policy store's
 * rules, with PROFILE_NOT_FOUND for an unknown version.
 *
 * @example
 * profileStoreContract('SqliteProfileStore', async () => ({ store: new SqliteProfileStore(db), teardown: async () => db.close() }));
 */
export function profileStoreContract(
  name: string,
  factory: () => Promise<StoreHarness<ProfileStorePort>>,
  options: ContractOptions = {},
): void {
  const v1 = aProfile();
  versionStoreContract<RequirementProfile, ProfileVersionRecord, ProfileStorePort>(
    name,
    factory,
    options,
    {
      title: 'profile store',
      notFound: 'PROFILE_NOT_FOUND',
      v1,
      v2: aProfile({ version: 2, maxAgeDays: 7 }),
      changed: { ...v1, maxAgeDays: 1 },
      another: { ...v1, id: 'audit' },
      list: (store, tenant) => store.listProfiles(tenant),
    },
  );
}

function aWorkflow(
  tenant: string,
  id: string,
  changes: Partial<WorkflowRecord> = {},
): WorkflowRecord {
  return {
    tenant,
    id,
    regulation: 'eu-ai-act',
    title: `Assessment ${id}: é and 😀 survive storage`,
    state: 'draft',
    createdAt: at(0),
    createdBy: 'contract',
    updatedAt: at(0),
    ...changes,
  };
}

/**
 * The jest suite every WorkflowStorePort implementation runs: `transition` is a
 * compare-and-set, and a CONFLICT leaves the workflow as it was.
 *
 * @example
 * workflowStoreContract('SqliteWorkflowStore', async () => ({ store: new SqliteWorkflowStore(db), teardown: async () => db.close() }));
 */
export function workflowStoreContract(
  name: string,
  factory: () => Promise<StoreHarness<WorkflowStorePort>>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = jestGlobals();
  const timeout = options.timeoutMs ?? 30_000;
  describe(`workflow store contract: ${name}`, () => {
    const store = harnessed(factory, timeout);

    it(
      'creates a workflow and reads it back unchanged',
      async () => {
        const tenant = freshTenant();
        const record = aWorkflow(tenant, 'wf-1');
        expect(await store().create(record)).toEqual(record);
        expect(await store().get(tenant, 'wf-1')).toEqual(record);
        expect(await store().get(tenant, 'wf-2')).toBeUndefined();
      },
      timeout,
    );

    it(
      'refuses to create an id that exists (CONFLICT) and keeps the first',
      async () => {
        const tenant = freshTenant();
        const record = aWorkflow(tenant, 'wf-1');
        await store().create(record);
        expect(await codeOf(store().create(aWorkflow(tenant, 'wf-1', { title: 'again' })))).toBe(
          'CONFLICT',
        );
        expect(await store().get(tenant, 'wf-1')).toEqual(record);
      },
      timeout,
    );

    it(
      'lists in creation order, also when filtered by regulation',
      async () => {
        const tenant = freshTenant();
        const created = [
          aWorkflow(tenant, 'wf-c'),
          aWorkflow(tenant, 'wf-a', { regulation: 'iso-42001' }),
          aWorkflow(tenant, 'wf-d'),
          aWorkflow(tenant, 'wf-b'),
        ];
        for (const record of created) await store().create(record);
        expect((await store().list(tenant)).map((w) => w.id)).toEqual([
          'wf-c',
          'wf-a',
          'wf-d',
          'wf-b',
        ]);
        expect(await store().list(tenant, { regulation: 'eu-ai-act' })).toEqual([
          created[0],
          created[2],
          created[3],
        ]);
        expect(await store().list(tenant, { regulation: 'nist-ai-rmf' })).toEqual([]);
      },
      timeout,
    );

    it(
      'transitions from the expected state: the new state and time are stored, nothing else changes',
      async () => {
        const tenant = freshTenant();
        const record = aWorkflow(tenant, 'wf-1');
        await store().create(record);
        const moved = await store().transition(tenant, 'wf-1', 'draft', 'in_progress', at(60));
        expect(moved).toEqual({ ...record, state: 'in_progress', updatedAt: at(60) });
        expect(await store().get(tenant, 'wf-1')).toEqual(moved);
        expect(
          await store().transition(tenant, 'wf-1', 'in_progress', 'under_review', at(70)),
        ).toEqual({ ...record, state: 'under_review', updatedAt: at(70) });
      },
      timeout,
    );

    it(
      'refuses a transition from a state the workflow is no longer in (CONFLICT) and changes nothing',
      async () => {
        const tenant = freshTenant();
        const record = aWorkflow(tenant, 'wf-1');
        await store().create(record);
        await store().transition(tenant, 'wf-1', 'draft', 'in_progress', at(60));
        expect(
          await codeOf(store().transition(tenant, 'wf-1', 'draft', 'in_progress', at(70))),
        ).toBe('CONFLICT');
        expect(await store().get(tenant, 'wf-1')).toEqual({
          ...record,
          state: 'in_progress',
          updatedAt: at(60),
        });
      },
      timeout,
    );

    it(
      'refuses a transition of an unknown id (CONFLICT)',
      async () => {
        const tenant = freshTenant();
        expect(
          await codeOf(store().transition(tenant, 'wf-none', 'draft', 'in_progress', at(1))),
        ).toBe('CONFLICT');
        expect(await store().get(tenant, 'wf-none')).toBeUndefined();
      },
      timeout,
    );

    it(
      'lets exactly one of several concurrent transitions from the same state succeed',
      async () => {
        const tenant = freshTenant();
        await store().create(aWorkflow(tenant, 'wf-1', { state: 'under_review' }));
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, n) =>
            codeOf(
              store().transition(
                tenant,
                'wf-1',
                'under_review',
                n % 2 === 0 ? 'approved' : 'rejected',
                at(n + 1),
              ),
            ),
          ),
        );
        expect(outcomes.filter((code) => code === undefined)).toHaveLength(1);
        expect(outcomes.filter((code) => code === 'CONFLICT')).toHaveLength(7);
        const winner = outcomes.indexOf(undefined);
        expect(await store().get(tenant, 'wf-1')).toMatchObject({
          state: winner % 2 === 0 ? 'approved' : 'rejected',
          updatedAt: at(winner + 1),
        });
      },
      timeout,
    );

    it(
      "finds nothing of tenant A through tenant B's view and cannot move A's workflow (CONFLICT)",
      async () => {
        const a = freshTenant();
        const b = freshTenant();
        const record = aWorkflow(a, 'wf-1');
        await store().create(record);
        expect(await store().get(b, 'wf-1')).toBeUndefined();
        expect(await store().list(b)).toEqual([]);
        expect(await store().list(b, { regulation: 'eu-ai-act' })).toEqual([]);
        expect(await codeOf(store().transition(b, 'wf-1', 'draft', 'in_progress', at(1)))).toBe(
          'CONFLICT',
        );
        expect(await store().get(a, 'wf-1')).toEqual(record);
        const theirs = aWorkflow(b, 'wf-1', { title: "B's own" });
        expect(await store().create(theirs)).toEqual(theirs);
        expect(await store().get(a, 'wf-1')).toEqual(record);
        expect(await store().list(a)).toEqual([record]);
      },
      timeout,
    );
  });
}
