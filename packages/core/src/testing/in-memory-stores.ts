import { GovgateError } from '../errors.js';
import { checkUsage, checkUsageQuery, zeroCounts } from '../metering/usage.js';
import { MemoryRateLimitStore } from '../metering/memory-rate-limit-store.js';
import { isTenantId } from '../schema/patterns.js';
import {
  activeChanged,
  isExpectedActive,
  revokeRefused,
  versionExists,
} from '../stored-document.js';
import type { WorkflowState } from '../compliance/workflow.js';
import type {
  ApiKeyRecord,
  ClockPort,
  DocumentKind,
  DocumentVersion,
  EvidenceIndexPort,
  EvidenceIndexRow,
  IdPort,
  KeyStorePort,
  PolicyStorePort,
  PolicySummary,
  PolicyVersionRecord,
  ProfileStorePort,
  ProfileVersionRecord,
  SaveVersionOptions,
  TenantRecord,
  TenantStorePort,
  UsageCounts,
  UsageQuery,
  UsageRow,
  UsageStorePort,
  VersionRef,
  WorkflowRecord,
  WorkflowStorePort,
} from '../ports.js';
import { USAGE_COUNTERS } from '../ports.js';

/**
 * Immutable document versions and each tenant's active one, in memory: saving an
 * existing (id, version) returns the stored record when the digest matches and is a
 * CONFLICT otherwise; activating a version never saved is `notFound`.
 */
class InMemoryVersions<R extends DocumentVersion<unknown>> {
  private readonly versions = new Map<string, R>();
  private readonly active = new Map<string, { id: string; version: number }>();

  constructor(private readonly kind: DocumentKind) {}

  private static key(tenant: string, id: string, version: number): string {
    return `${tenant}\u0000${id}\u0000${version}`;
  }

  saveVersion(record: R, options: SaveVersionOptions = {}): Promise<R> {
    const key = InMemoryVersions.key(record.tenant, record.id, record.version);
    const existing = this.versions.get(key);
    if (existing !== undefined) {
      if (options.ifAbsent === true)
        return Promise.reject(versionExists(this.kind, record.id, record.version));
      if (existing.digest === record.digest) return Promise.resolve(existing);
      return Promise.reject(
        new GovgateError(
          'CONFLICT',
          `${this.kind.noun} '${record.id}' version ${record.version} already exists with other content`,
        ),
      );
    }
    this.versions.set(key, record);
    return Promise.resolve(record);
  }

  getVersion(tenant: string, id: string, version: number): Promise<R | undefined> {
    return Promise.resolve(this.versions.get(InMemoryVersions.key(tenant, id, version)));
  }

  listVersions(tenant: string, id: string): Promise<readonly R[]> {
    const list = [...this.versions.values()].filter((r) => r.tenant === tenant && r.id === id);
    return Promise.resolve(list.sort((a, b) => a.version - b.version));
  }

  /** Every document id of the tenant with its latest and (if any) active version. */
  protected summaries(tenant: string): Promise<readonly PolicySummary[]> {
    const latest = new Map<string, number>();
    for (const r of this.versions.values())
      if (r.tenant === tenant) latest.set(r.id, Math.max(r.version, latest.get(r.id) ?? 0));
    const active = this.active.get(tenant);
    const out = [...latest].map(([id, latestVersion]) =>
      active?.id === id
        ? { id, latestVersion, activeVersion: active.version }
        : { id, latestVersion },
    );
    return Promise.resolve(out.sort((a, b) => a.id.localeCompare(b.id)));
  }

  activate(
    tenant: string,
    id: string,
    version: number,
    expected?: VersionRef | null,
  ): Promise<void> {
    if (!this.versions.has(InMemoryVersions.key(tenant, id, version)))
      return Promise.reject(
        new GovgateError(
          this.kind.notFound,
          `${this.kind.noun} '${id}' version ${version} does not exist`,
        ),
      );
    if (expected !== undefined && !isExpectedActive(this.active.get(tenant), expected))
      return Promise.reject(activeChanged(this.kind, tenant, expected));
    this.active.set(tenant, { id, version });
    return Promise.resolve();
  }

  deactivate(tenant: string): Promise<void> {
    this.active.delete(tenant);
    return Promise.resolve();
  }

  getActive(tenant: string): Promise<R | undefined> {
    const active = this.active.get(tenant);
    return Promise.resolve(
      active === undefined
        ? undefined
        : this.versions.get(InMemoryVersions.key(tenant, active.id, active.version)),
    );
  }
}

/** Policy versions in memory, per tenant. */
export class InMemoryPolicyStore
  extends InMemoryVersions<PolicyVersionRecord>
  implements PolicyStorePort
{
  constructor() {
    super({ noun: 'policy', notFound: 'POLICY_NOT_FOUND' });
  }

  listPolicies(tenant: string): Promise<readonly PolicySummary[]> {
    return this.summaries(tenant);
  }
}

/** API key records in memory. */
export class InMemoryKeyStore implements KeyStorePort {
  private readonly keys = new Map<string, ApiKeyRecord>();

  create(record: ApiKeyRecord): Promise<void> {
    if (this.keys.has(record.id))
      return Promise.reject(new GovgateError('CONFLICT', `key '${record.id}' already exists`));
    // As the database stores do: `platform` is present only when true.
    const { platform, ...rest } = record;
    this.keys.set(record.id, platform === true ? { ...rest, platform } : rest);
    return Promise.resolve();
  }

  findById(id: string): Promise<ApiKeyRecord | undefined> {
    return Promise.resolve(this.keys.get(id));
  }

  list(tenant: string): Promise<readonly ApiKeyRecord[]> {
    return Promise.resolve([...this.keys.values()].filter((k) => k.tenant === tenant));
  }

  private update(
    tenant: string,
    id: string,
    change: (r: ApiKeyRecord) => ApiKeyRecord,
  ): Promise<ApiKeyRecord> {
    const record = this.keys.get(id);
    if (record === undefined || record.tenant !== tenant)
      return Promise.reject(
        new GovgateError('KEY_INVALID', `no key '${id}' for tenant '${tenant}'`),
      );
    const next = change(record);
    this.keys.set(id, next);
    return Promise.resolve(next);
  }

  rotate(
    tenant: string,
    id: string,
    secretHash: string,
    graceUntil: string,
  ): Promise<ApiKeyRecord> {
    return this.update(tenant, id, (r) => ({
      ...r,
      secretHash,
      previousSecretHash: r.secretHash,
      previousValidUntil: graceUntil,
    }));
  }

  revoke(
    tenant: string,
    id: string,
    at: string,
    options: { readonly ifNotRevoked?: boolean } = {},
  ): Promise<ApiKeyRecord> {
    const record = this.keys.get(id);
    if (
      options.ifNotRevoked === true &&
      record?.tenant === tenant &&
      record.revokedAt !== undefined
    )
      return Promise.reject(revokeRefused(tenant, id, true));
    return this.update(tenant, id, (r) =>
      r.revokedAt === undefined ? { ...r, revokedAt: at } : r,
    );
  }

  touch(tenant: string, id: string, at: string): Promise<void> {
    const record = this.keys.get(id);
    if (record !== undefined && record.tenant === tenant)
      this.keys.set(id, { ...record, lastUsedAt: at });
    return Promise.resolve();
  }
}

/** Token buckets in memory (one process): core's MemoryRateLimitStore under its testing name. */
export class InMemoryRateLimitStore extends MemoryRateLimitStore {}

/** Tenants in memory. */
export class InMemoryTenantStore implements TenantStorePort {
  private readonly tenants = new Map<string, TenantRecord>();

  create(record: TenantRecord): Promise<TenantRecord> {
    if (!isTenantId(record.id))
      return Promise.reject(
        new GovgateError('TENANT_INVALID', `'${String(record.id)}' is not a valid tenant id`),
      );
    if (this.tenants.has(record.id))
      return Promise.reject(new GovgateError('CONFLICT', `tenant '${record.id}' already exists`));
    this.tenants.set(record.id, record);
    return Promise.resolve(record);
  }

  get(id: string): Promise<TenantRecord | undefined> {
    return Promise.resolve(this.tenants.get(id));
  }

  list(): Promise<readonly TenantRecord[]> {
    return Promise.resolve([...this.tenants.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
  }
}

/** Usage counters in memory. */
export class InMemoryUsageStore implements UsageStorePort {
  private readonly rows = new Map<string, UsageRow>();

  add(tenant: string, keyId: string, day: string, counts: UsageCounts): Promise<void> {
    const problem = checkUsage(day, counts);
    if (problem !== undefined) return Promise.reject(problem);
    const key = `${tenant}\u0000${keyId}\u0000${day}`;
    const row = this.rows.get(key) ?? { tenant, keyId, day, counts: zeroCounts() };
    const next = { ...row.counts };
    for (const c of USAGE_COUNTERS) next[c] += counts[c] ?? 0;
    this.rows.set(key, { ...row, counts: next });
    return Promise.resolve();
  }

  list(tenant: string, query: UsageQuery = {}): Promise<readonly UsageRow[]> {
    const problem = checkUsageQuery(query);
    if (problem !== undefined) return Promise.reject(problem);
    const rows = [...this.rows.values()].filter(
      (r) =>
        r.tenant === tenant &&
        (query.keyId === undefined || r.keyId === query.keyId) &&
        (query.fromDay === undefined || r.day >= query.fromDay) &&
        (query.toDay === undefined || r.day <= query.toDay),
    );
    return Promise.resolve(
      rows.sort((a, b) =>
        a.day === b.day ? (a.keyId < b.keyId ? -1 : 1) : a.day < b.day ? -1 : 1,
      ),
    );
  }
}

/** The evidence index in memory: rows per tenant by seq, the first row of a seq kept. */
export class InMemoryEvidenceIndex implements EvidenceIndexPort {
  private readonly rows = new Map<string, Map<number, EvidenceIndexRow>>();
  private readonly watermarks = new Map<string, number>();

  add(tenant: string, rows: readonly EvidenceIndexRow[]): Promise<void> {
    let bySeq = this.rows.get(tenant);
    if (bySeq === undefined) {
      bySeq = new Map();
      this.rows.set(tenant, bySeq);
    }
    for (const { runId, seq, type } of rows)
      if (!bySeq.has(seq)) bySeq.set(seq, { runId, seq, type });
    return Promise.resolve();
  }

  list(
    tenant: string,
    query: { readonly runId?: string } = {},
  ): Promise<readonly EvidenceIndexRow[]> {
    const rows = [...(this.rows.get(tenant)?.values() ?? [])].filter(
      (r) => query.runId === undefined || r.runId === query.runId,
    );
    return Promise.resolve(rows.sort((a, b) => a.seq - b.seq));
  }

  watermark(tenant: string): Promise<number> {
    return Promise.resolve(this.watermarks.get(tenant) ?? 0);
  }

  setWatermark(tenant: string, seq: number): Promise<void> {
    this.watermarks.set(tenant, Math.max(seq, this.watermarks.get(tenant) ?? 0));
    return Promise.resolve();
  }
}

/** Requirement profile versions in memory, per tenant (the policy store's rules). */
export class InMemoryProfileStore
  extends InMemoryVersions<ProfileVersionRecord>
  implements ProfileStorePort
{
  constructor() {
    super({ noun: 'profile', notFound: 'PROFILE_NOT_FOUND' });
  }

  listProfiles(tenant: string): Promise<readonly PolicySummary[]> {
    return this.summaries(tenant);
  }
}

/** Assessment workflows in memory, per tenant, in creation order. */
export class InMemoryWorkflowStore implements WorkflowStorePort {
  // A Map iterates in insertion order: the creation order `list` promises.
  private readonly workflows = new Map<string, WorkflowRecord>();

  private static key(tenant: string, id: string): string {
    return `${tenant}\u0000${id}`;
  }

  create(record: WorkflowRecord): Promise<WorkflowRecord> {
    const key = InMemoryWorkflowStore.key(record.tenant, record.id);
    if (this.workflows.has(key))
      return Promise.reject(new GovgateError('CONFLICT', `workflow '${record.id}' already exists`));
    this.workflows.set(key, record);
    return Promise.resolve(record);
  }

  get(tenant: string, id: string): Promise<WorkflowRecord | undefined> {
    return Promise.resolve(this.workflows.get(InMemoryWorkflowStore.key(tenant, id)));
  }

  list(
    tenant: string,
    query: { readonly regulation?: string } = {},
  ): Promise<readonly WorkflowRecord[]> {
    return Promise.resolve(
      [...this.workflows.values()].filter(
        (w) =>
          w.tenant === tenant &&
          (query.regulation === undefined || w.regulation === query.regulation),
      ),
    );
  }

  transition(
    tenant: string,
    id: string,
    from: WorkflowState,
    to: WorkflowState,
    at: string,
  ): Promise<WorkflowRecord> {
    const key = InMemoryWorkflowStore.key(tenant, id);
    const current = this.workflows.get(key);
    if (current === undefined)
      return Promise.reject(
        new GovgateError('CONFLICT', `no workflow '${id}' for tenant '${tenant}'`),
      );
    if (current.state !== from)
      return Promise.reject(
        new GovgateError('CONFLICT', `workflow '${id}' is ${current.state}, not ${from}`),
      );
    const next = { ...current, state: to, updatedAt: at };
    this.workflows.set(key, next);
    return Promise.resolve(next);
  }
}

/** A clock that stands still until told to move. */
export class ManualClock implements ClockPort {
  constructor(private ms = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

/** Ids `<prefix>0001`, `<prefix>0002`, ...: predictable for tests. */
export class SequentialIds implements IdPort {
  private n = 0;
  next(prefix = ''): string {
    this.n += 1;
    return `${prefix}${String(this.n).padStart(4, '0')}`;
  }
}
