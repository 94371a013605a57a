import {
  GovgateError,
  type PolicySummary,
  type ProfileStorePort,
  type ProfileVersionRecord,
  type RequirementProfile,
} from '@govgate/core';
import { and, asc, eq, max } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { UNAVAILABLE, guarded, sqlState } from './errors.js';
import { activeProfiles, profileVersions } from './schema.js';

type Row = typeof profileVersions.$inferSelect;

function toRecord(row: Row): ProfileVersionRecord {
  let document: RequirementProfile;
  try {
    document = JSON.parse(row.document) as RequirementProfile;
  } catch (cause) {
    throw new GovgateError(
      UNAVAILABLE,
      `profile_versions(${row.tenant}, ${row.id}, ${row.version}) holds a document that is not JSON`,
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
 * Requirement profile versions and each tenant's active one, in Postgres, under the
 * policy store's rules: a second save of (id, version) returns the stored record when
 * the digest matches and is a CONFLICT otherwise; activating a version never saved is
 * PROFILE_NOT_FOUND (the foreign key of active_profiles).
 *
 * @example
 * const profiles = new PostgresProfileStore(sql);
 * await profiles.saveVersion(record);
 * await profiles.activate('acme', record.id, record.version);
 */
export class PostgresProfileStore implements ProfileStorePort {
  private readonly db: PostgresJsDatabase;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
  }

  private byKey(tenant: string, id: string, version: number) {
    return and(
      eq(profileVersions.tenant, tenant),
      eq(profileVersions.id, id),
      eq(profileVersions.version, version),
    );
  }

  saveVersion(record: ProfileVersionRecord): Promise<ProfileVersionRecord> {
    return guarded(`could not save profile '${record.id}' version ${record.version}`, async () => {
      const inserted = await this.db
        .insert(profileVersions)
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
            .from(profileVersions)
            .where(this.byKey(record.tenant, record.id, record.version))
        )[0];
      if (row === undefined)
        throw new GovgateError(UNAVAILABLE, 'the profile version vanished while being saved');
      if (row.digest !== record.digest)
        throw new GovgateError(
          'CONFLICT',
          `profile '${record.id}' version ${record.version} already exists with other content`,
        );
      return toRecord(row);
    });
  }

  getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<ProfileVersionRecord | undefined> {
    return guarded(`could not read profile '${id}' version ${version}`, async () => {
      const rows = await this.db
        .select()
        .from(profileVersions)
        .where(this.byKey(tenant, id, version));
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  listVersions(tenant: string, id: string): Promise<readonly ProfileVersionRecord[]> {
    return guarded(`could not list the versions of profile '${id}'`, async () => {
      const rows = await this.db
        .select()
        .from(profileVersions)
        .where(and(eq(profileVersions.tenant, tenant), eq(profileVersions.id, id)))
        .orderBy(asc(profileVersions.version));
      return rows.map(toRecord);
    });
  }

  listProfiles(tenant: string): Promise<readonly PolicySummary[]> {
    return guarded('could not list profiles', async () => {
      const latest = await this.db
        .select({ id: profileVersions.id, latestVersion: max(profileVersions.version) })
        .from(profileVersions)
        .where(eq(profileVersions.tenant, tenant))
        .groupBy(profileVersions.id);
      const active = (
        await this.db.select().from(activeProfiles).where(eq(activeProfiles.tenant, tenant))
      )[0];
      return latest
        .map(({ id, latestVersion }): PolicySummary => {
          const summary = { id, latestVersion: latestVersion ?? 0 };
          return active?.profileId === id ? { ...summary, activeVersion: active.version } : summary;
        })
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  activate(tenant: string, id: string, version: number): Promise<void> {
    return guarded(`could not activate profile '${id}' version ${version}`, async () => {
      try {
        await this.db
          .insert(activeProfiles)
          .values({ tenant, profileId: id, version })
          .onConflictDoUpdate({ target: activeProfiles.tenant, set: { profileId: id, version } });
      } catch (error) {
        // The foreign key to profile_versions: that version was never saved.
        if (sqlState(error) === '23503')
          throw new GovgateError(
            'PROFILE_NOT_FOUND',
            `profile '${id}' version ${version} does not exist`,
            { cause: error },
          );
        throw error;
      }
    });
  }

  deactivate(tenant: string): Promise<void> {
    return guarded('could not deactivate the profile', async () => {
      await this.db.delete(activeProfiles).where(eq(activeProfiles.tenant, tenant));
    });
  }

  getActive(tenant: string): Promise<ProfileVersionRecord | undefined> {
    return guarded('could not read the active profile', async () => {
      const rows = await this.db
        .select({ version: profileVersions })
        .from(activeProfiles)
        .innerJoin(
          profileVersions,
          and(
            eq(profileVersions.tenant, activeProfiles.tenant),
            eq(profileVersions.id, activeProfiles.profileId),
            eq(profileVersions.version, activeProfiles.version),
          ),
        )
        .where(eq(activeProfiles.tenant, tenant));
      return rows[0] === undefined ? undefined : toRecord(rows[0].version);
    });
  }
}
