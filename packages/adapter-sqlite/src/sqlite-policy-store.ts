import {
  GovgateError,
  type PolicyDocument,
  type PolicyStorePort,
  type PolicySummary,
  type PolicyVersionRecord,
} from '@govgate/core';
import { and, asc, eq, max, sql } from 'drizzle-orm';
import { guarded, type SqliteDatabase } from './database.js';
import { activePolicies, policyVersions } from './schema.js';

type VersionRow = typeof policyVersions.$inferSelect;

function toRecord(row: VersionRow): PolicyVersionRecord {
  return {
    tenant: row.tenant,
    id: row.policyId,
    version: row.version,
    digest: row.digest,
    document: JSON.parse(row.document) as PolicyDocument,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

/**
 * Policy versions and each tenant's active version in SQLite. Versions are immutable:
 * saving an existing (id, version) with other content is a CONFLICT.
 *
 * @example
 * const policies = new SqlitePolicyStore(db);
 * await policies.saveVersion(record);
 * await policies.activate('acme', record.id, record.version);
 */
export class SqlitePolicyStore implements PolicyStorePort {
  private activeQuery: ReturnType<SqlitePolicyStore['prepareActive']> | undefined;
  /** Versions never change: parsed records are kept by (tenant, id, version, digest). */
  private readonly records = new Map<string, PolicyVersionRecord>();

  constructor(private readonly db: SqliteDatabase) {}

  private prepareActive() {
    return this.db.orm
      .select({
        policyId: activePolicies.policyId,
        version: activePolicies.version,
        digest: policyVersions.digest,
      })
      .from(activePolicies)
      .innerJoin(
        policyVersions,
        and(
          eq(policyVersions.tenant, activePolicies.tenant),
          eq(policyVersions.policyId, activePolicies.policyId),
          eq(policyVersions.version, activePolicies.version),
        ),
      )
      .where(eq(activePolicies.tenant, sql.placeholder('tenant')))
      .prepare();
  }

  private find(tenant: string, id: string, version: number): VersionRow | undefined {
    return this.db.orm
      .select()
      .from(policyVersions)
      .where(
        and(
          eq(policyVersions.tenant, tenant),
          eq(policyVersions.policyId, id),
          eq(policyVersions.version, version),
        ),
      )
      .get();
  }

  saveVersion(record: PolicyVersionRecord): Promise<PolicyVersionRecord> {
    return guarded(`save policy '${record.id}' version ${record.version}`, () =>
      this.db.orm.transaction(
        (tx) => {
          const inserted = tx
            .insert(policyVersions)
            .values({
              tenant: record.tenant,
              policyId: record.id,
              version: record.version,
              digest: record.digest,
              document: JSON.stringify(record.document),
              createdAt: record.createdAt,
              createdBy: record.createdBy,
            })
            .onConflictDoNothing()
            .run();
          const stored = this.find(record.tenant, record.id, record.version);
          if (stored === undefined)
            throw new GovgateError('CONFLICT', `policy '${record.id}' could not be saved`);
          if (inserted.changes === 0 && stored.digest !== record.digest)
            throw new GovgateError(
              'CONFLICT',
              `policy '${record.id}' version ${record.version} already exists with other content`,
            );
          return toRecord(stored);
        },
        { behavior: 'immediate' },
      ),
    );
  }

  getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<PolicyVersionRecord | undefined> {
    return guarded(`read policy '${id}' version ${version}`, () => {
      const row = this.find(tenant, id, version);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  listVersions(tenant: string, id: string): Promise<readonly PolicyVersionRecord[]> {
    return guarded(`list the versions of policy '${id}'`, () =>
      this.db.orm
        .select()
        .from(policyVersions)
        .where(and(eq(policyVersions.tenant, tenant), eq(policyVersions.policyId, id)))
        .orderBy(asc(policyVersions.version))
        .all()
        .map(toRecord),
    );
  }

  listPolicies(tenant: string): Promise<readonly PolicySummary[]> {
    return guarded('list policies', () => {
      const latest = this.db.orm
        .select({ id: policyVersions.policyId, latestVersion: max(policyVersions.version) })
        .from(policyVersions)
        .where(eq(policyVersions.tenant, tenant))
        .groupBy(policyVersions.policyId)
        .all();
      const active = this.activeRow(tenant);
      return latest
        .map(({ id, latestVersion }): PolicySummary => {
          const summary = { id, latestVersion: latestVersion ?? 0 };
          return active?.policyId === id ? { ...summary, activeVersion: active.version } : summary;
        })
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  private activeRow(tenant: string): { policyId: string; version: number } | undefined {
    return this.db.orm
      .select({ policyId: activePolicies.policyId, version: activePolicies.version })
      .from(activePolicies)
      .where(eq(activePolicies.tenant, tenant))
      .get();
  }

  activate(tenant: string, id: string, version: number): Promise<void> {
    return guarded(`activate policy '${id}' version ${version}`, () => {
      this.db.orm.transaction(
        (tx) => {
          if (this.find(tenant, id, version) === undefined)
            throw new GovgateError(
              'POLICY_NOT_FOUND',
              `policy '${id}' version ${version} does not exist`,
            );
          tx.insert(activePolicies)
            .values({ tenant, policyId: id, version })
            .onConflictDoUpdate({ target: activePolicies.tenant, set: { policyId: id, version } })
            .run();
        },
        { behavior: 'immediate' },
      );
    });
  }

  deactivate(tenant: string): Promise<void> {
    return guarded('deactivate the active policy', () => {
      this.db.orm.delete(activePolicies).where(eq(activePolicies.tenant, tenant)).run();
    });
  }

  getActive(tenant: string): Promise<PolicyVersionRecord | undefined> {
    return guarded('read the active policy', () => {
      // The hot path of every check: one prepared read; the document is parsed once
      // per version (prepared on first use, so a database without migrations fails
      // here with a clear error rather than at construction).
      this.activeQuery ??= this.prepareActive();
      const active = this.activeQuery.get({ tenant });
      if (active === undefined) return undefined;
      const key = `${tenant}\u0000${active.policyId}\u0000${active.version}\u0000${active.digest}`;
      const cached = this.records.get(key);
      if (cached !== undefined) return cached;
      const row = this.find(tenant, active.policyId, active.version);
      if (row === undefined) return undefined;
      const record = toRecord(row);
      if (this.records.size >= 1024) this.records.clear();
      this.records.set(key, record);
      return record;
    });
  }
}
