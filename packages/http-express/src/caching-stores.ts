import type {
  ApiKeyRecord,
  ClockPort,
  KeyStorePort,
  PolicyStorePort,
  PolicySummary,
  PolicyVersionRecord,
  SaveVersionOptions,
  VersionRef,
} from '@govgate/core';

/**
 * How long a cached key or active policy may be used before it is read again. Changes
 * made through this process take effect at once (the caches are cleared); so do
 * changes by other processes on SQLite (a ChangeProbe sees their commits); changes by
 * other instances on Postgres take effect within this time.
 */
export const STORE_CACHE_MS = 1000;

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

/**
 * Tells a cache that the store changed behind its back: a number that moves when
 * another connection commits (SQLite's `PRAGMA data_version`). With one, cached
 * values are dropped as soon as anything else writes; without one, after `ttlMs`.
 */
export type ChangeProbe = () => number;

/** Drops everything when the probe moved since the last look. */
class Freshness {
  private seen: number | undefined;
  constructor(private readonly probe: ChangeProbe | undefined) {}
  /** True when the cache must be dropped. */
  stale(): boolean {
    if (this.probe === undefined) return false;
    const now = this.probe();
    const stale = this.seen !== undefined && now !== this.seen;
    this.seen = now;
    return stale;
  }
}

/**
 * A probe read at most once per event-loop turn: the requests handled in one turn
 * share one look, and the next turn sees any commit made before it.
 */
export function oncePerTurn(probe: ChangeProbe): ChangeProbe {
  let value: number | undefined;
  return () => {
    if (value === undefined) {
      value = probe();
      setImmediate(() => {
        value = undefined;
      });
    }
    return value;
  };
}

const MAX_ENTRIES = 100_000;

/**
 * Key lookups, the first read of every request, served from memory for up to
 * `ttlMs`; rotating or revoking through this store forgets the key at once.
 */
export class CachingKeyStore implements KeyStorePort {
  private readonly byId = new Map<string, Cached<ApiKeyRecord | undefined>>();
  private readonly freshness: Freshness;

  constructor(
    private readonly inner: KeyStorePort,
    private readonly clock: ClockPort,
    probe?: ChangeProbe,
    private readonly ttlMs = STORE_CACHE_MS,
  ) {
    this.freshness = new Freshness(probe);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const now = this.clock.now();
    if (this.freshness.stale()) this.byId.clear();
    const hit = this.byId.get(id);
    if (hit !== undefined && hit.until > now) return hit.value;
    const value = await this.inner.findById(id);
    if (this.byId.size >= MAX_ENTRIES) this.byId.clear();
    this.byId.set(id, { value, until: now + this.ttlMs });
    return value;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.byId.delete(record.id);
    await this.inner.create(record);
  }

  list(tenant: string): Promise<readonly ApiKeyRecord[]> {
    return this.inner.list(tenant);
  }

  async rotate(
    tenant: string,
    id: string,
    secretHash: string,
    graceUntil: string,
  ): Promise<ApiKeyRecord> {
    this.byId.delete(id);
    try {
      return await this.inner.rotate(tenant, id, secretHash, graceUntil);
    } finally {
      this.byId.delete(id);
    }
  }

  async revoke(
    tenant: string,
    id: string,
    at: string,
    options?: { readonly ifNotRevoked?: boolean },
  ): Promise<ApiKeyRecord> {
    this.byId.delete(id);
    try {
      return await this.inner.revoke(tenant, id, at, options);
    } finally {
      this.byId.delete(id);
    }
  }

  touch(tenant: string, id: string, at: string): Promise<void> {
    return this.inner.touch(tenant, id, at);
  }
}

/**
 * The active policy of each tenant, read on every check, served from memory for up
 * to `ttlMs`; saving, activating or deactivating through this store clears it.
 * Decisions record the digest of the policy they were made with, so a decision made
 * during that window is still exactly accounted for.
 */
export class CachingPolicyStore implements PolicyStorePort {
  private readonly active = new Map<string, Cached<PolicyVersionRecord | undefined>>();
  private readonly freshness: Freshness;

  constructor(
    private readonly inner: PolicyStorePort,
    private readonly clock: ClockPort,
    probe?: ChangeProbe,
    private readonly ttlMs = STORE_CACHE_MS,
  ) {
    this.freshness = new Freshness(probe);
  }

  async getActive(tenant: string): Promise<PolicyVersionRecord | undefined> {
    const now = this.clock.now();
    if (this.freshness.stale()) this.active.clear();
    const hit = this.active.get(tenant);
    if (hit !== undefined && hit.until > now) return hit.value;
    const value = await this.inner.getActive(tenant);
    if (this.active.size >= MAX_ENTRIES) this.active.clear();
    this.active.set(tenant, { value, until: now + this.ttlMs });
    return value;
  }

  async activate(
    tenant: string,
    id: string,
    version: number,
    expected?: VersionRef | null,
  ): Promise<void> {
    this.active.delete(tenant);
    try {
      await this.inner.activate(tenant, id, version, expected);
    } finally {
      this.active.delete(tenant);
    }
  }

  async deactivate(tenant: string): Promise<void> {
    this.active.delete(tenant);
    try {
      await this.inner.deactivate(tenant);
    } finally {
      this.active.delete(tenant);
    }
  }

  saveVersion(
    record: PolicyVersionRecord,
    options?: SaveVersionOptions,
  ): Promise<PolicyVersionRecord> {
    return this.inner.saveVersion(record, options);
  }

  getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<PolicyVersionRecord | undefined> {
    return this.inner.getVersion(tenant, id, version);
  }

  listVersions(tenant: string, id: string): Promise<readonly PolicyVersionRecord[]> {
    return this.inner.listVersions(tenant, id);
  }

  listPolicies(tenant: string): Promise<readonly PolicySummary[]> {
    return this.inner.listPolicies(tenant);
  }
}
