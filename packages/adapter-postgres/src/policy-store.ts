import {
  GovgateError,
  type PolicyDocument,
  type PolicyStorePort,
  type PolicySummary,
  type PolicyVersionRecord,
} from '@govgate/core';
import { and, asc, eq, max } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { UNAVAILABLE, guarded, sqlState } from './errors.js';
import { activePolicies, policyVersions } from './schema.js';

type Row = typeof policyVersions.$inferSelect;

function toRecord(row: Row): PolicyVersionRecord {
  let document: PolicyDocument;
  try {
    document = JSON.parse(row.document) as PolicyDocument;
  } catch (cause) {
    throw new GovgateError(
      UNAVAILABLE,
      `policy_versions(${row.tenant}, ${row.id}, ${row.version}) holds a document that is not JSON`,
      { cause },
    );
  }
  return {
    tenant: row.tenant,
    id: row.id,
    version: row.version,
    digest: row.digest,
    document,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

/**
 * Policy versions and each tenant's active one, in Postgres. Versions are immutable:
 * a second save of (id, version) returns the stored record when the digest matches
 * and is a CONFLICT otherwise.
 *
 * @example
 * const policies = new PostgresPolicyStore(sql);
 * await policies.saveVersion(record);
 * await policies.activate('acme', record.id, record.version);
 */
export class PostgresPolicyStore implements PolicyStorePort {
  private readonly db: PostgresJsDatabase;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
  }

  private byKey(tenant: string, id: string, version: number) {
    return and(
      eq(policyVersions.tenant, tenant),
      eq(policyVersions.id, id),
      eq(policyVersions.version, version),
    );
  }

  saveVersion(record: PolicyVersionRecord): Promise<PolicyVersionRecord> {
    return guarded(`could not save policy '${record.id}' version ${record.version}`, async () => {
      const inserted = await this.db
        .insert(policyVersions)
        .values({
          tenant: record.tenant,
          id: record.id,
          version: record.version,
          digest: record.digest,
          document: JSON.stringify(record.document),
          createdAt: record.createdAt,
          createdBy: record.createdBy,
        })
        .onConflictDoNothing()
        .returning();
      const row =
        inserted[0] ??
        (
          await this.db
            .select()
            .from(policyVersions)
            .where(this.byKey(record.tenant, record.id, record.version))
        )[0];
      if (row === undefined)
        throw new GovgateError(UNAVAILABLE, 'the policy version vanished while being saved');
      if (row.digest !== record.digest)
        throw new GovgateError(
          'CONFLICT',
          `policy '${record.id}' version ${record.version} already exists with other content`,
        );
      return toRecord(row);
    });
  }

  getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<PolicyVersionRecord | undefined> {
    return guarded(`could not read policy '${id}' version ${version}`, async () => {
      const rows = await this.db
        .select()
        .from(policyVersions)
        .where(this.byKey(tenant, id, version));
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  listVersions(tenant: string, id: string): Promise<readonly PolicyVersionRecord[]> {
    return guarded(`could not list the versions of policy '${id}'`, async () => {
      const rows = await this.db
        .select()
        .from(policyVersions)
        .where(and(eq(policyVersions.tenant, tenant), eq(policyVersions.id, id)))
        .orderBy(asc(policyVersions.version));
      return rows.map(toRecord);
    });
  }

  listPolicies(tenant: string): Promise<readonly PolicySummary[]> {
    return guarded('could not list policies', async () => {
      const latest = await this.db
        .select({ id: policyVersions.id, latestVersion: max(policyVersions.version) })
        .from(policyVersions)
        .where(eq(policyVersions.tenant, tenant))
        .groupBy(policyVersions.id);
      const active = (
        await this.db.select().from(activePolicies).where(eq(activePolicies.tenant, tenant))
      )[0];
      return latest
        .map(({ id, latestVersion }): PolicySummary => {
          const summary = { id, latestVersion: latestVersion ?? 0 };
          return active?.policyId === id ? { ...summary, activeVersion: active.version } : summary;
        })
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  activate(tenant: string, id: string, version: number): Promise<void> {
    return guarded(`could not activate policy '${id}' version ${version}`, async () => {
      try {
        await this.db
          .insert(activePolicies)
          .values({ tenant, policyId: id, version })
          .onConflictDoUpdate({ target: activePolicies.tenant, set: { policyId: id, version } });
      } catch (error) {
        // The foreign key to policy_versions: that version was never saved.
        if (sqlState(error) === '23503')
          throw new GovgateError(
            'POLICY_NOT_FOUND',
            `policy '${id}' version ${version} does not exist`,
            { cause: error },
          );
        throw error;
      }
    });
  }

  deactivate(tenant: string): Promise<void> {
    return guarded('could not deactivate the policy', async () => {
      await this.db.delete(activePolicies).where(eq(activePolicies.tenant, tenant));
    });
  }

  getActive(tenant: string): Promise<PolicyVersionRecord | undefined> {
    return guarded('could not read the active policy', async () => {
      const rows = await this.db
        .select({ version: policyVersions })
        .from(activePolicies)
        .innerJoin(
          policyVersions,
          and(
            eq(policyVersions.tenant, activePolicies.tenant),
            eq(policyVersions.id, activePolicies.policyId),
            eq(policyVersions.version, activePolicies.version),
          ),
        )
        .where(eq(activePolicies.tenant, tenant));
      return rows[0] === undefined ? undefined : toRecord(rows[0].version);
    });
  }
}
