import {
  GovgateError,
  type PolicySummary,
  type ProfileStorePort,
  type ProfileVersionRecord,
  type RequirementProfile,
} from '@govgate/core';
import { and, asc, eq, max } from 'drizzle-orm';
import { STORE_UNAVAILABLE, guarded, type SqliteDatabase } from './database.js';
import { activeProfiles, profileVersions } from './schema.js';

type VersionRow = typeof profileVersions.$inferSelect;

function toRecord(row: VersionRow): ProfileVersionRecord {
  let document: RequirementProfile;
  try {
    document = JSON.parse(row.document) as RequirementProfile;
  } catch (cause) {
    throw new GovgateError(
      STORE_UNAVAILABLE,
      `profile_versions(${row.tenant}, ${row.profileId}, ${row.version}) holds a document that is not JSON`,
      { cause },
    );
  }
  return {
    tenant: row.tenant,
    id: row.profileId,
    version: row.version,
    digest: row.digest,
    document,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

/**
 * Requirement profile versions and each tenant's active version in SQLite, under the
 * policy store's rules: versions are immutable, saving an existing (id, version) with
 * other content is a CONFLICT, activating an unknown version is PROFILE_NOT_FOUND.
 *
 * @example
 * const profiles = new SqliteProfileStore(db);
 * await profiles.saveVersion(record);
 * await profiles.activate('acme', record.id, record.version);
 */
export class SqliteProfileStore implements ProfileStorePort {
  constructor(private readonly db: SqliteDatabase) {}

  private find(tenant: string, id: string, version: number): VersionRow | undefined {
    return this.db.orm
      .select()
      .from(profileVersions)
      .where(
        and(
          eq(profileVersions.tenant, tenant),
          eq(profileVersions.profileId, id),
          eq(profileVersions.version, version),
        ),
      )
      .get();
  }

  saveVersion(record: ProfileVersionRecord): Promise<ProfileVersionRecord> {
    return guarded(`save profile '${record.id}' version ${record.version}`, () =>
      this.db.orm.transaction(
        (tx) => {
          const inserted = tx
            .insert(profileVersions)
            .values({
              tenant: record.tenant,
              profileId: record.id,
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
            throw new GovgateError('CONFLICT', `profile '${record.id}' could not be saved`);
          if (inserted.changes === 0 && stored.digest !== record.digest)
            throw new GovgateError(
              'CONFLICT',
              `profile '${record.id}' version ${record.version} already exists with other content`,
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
  ): Promise<ProfileVersionRecord | undefined> {
    return guarded(`read profile '${id}' version ${version}`, () => {
      const row = this.find(tenant, id, version);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  listVersions(tenant: string, id: string): Promise<readonly ProfileVersionRecord[]> {
    return guarded(`list the versions of profile '${id}'`, () =>
      this.db.orm
        .select()
        .from(profileVersions)
        .where(and(eq(profileVersions.tenant, tenant), eq(profileVersions.profileId, id)))
        .orderBy(asc(profileVersions.version))
        .all()
        .map(toRecord),
    );
  }

  listProfiles(tenant: string): Promise<readonly PolicySummary[]> {
    return guarded('list profiles', () => {
      const latest = this.db.orm
        .select({ id: profileVersions.profileId, latestVersion: max(profileVersions.version) })
        .from(profileVersions)
        .where(eq(profileVersions.tenant, tenant))
        .groupBy(profileVersions.profileId)
        .all();
      const active = this.activeRow(tenant);
      return latest
        .map(({ id, latestVersion }): PolicySummary => {
          const summary = { id, latestVersion: latestVersion ?? 0 };
          return active?.profileId === id ? { ...summary, activeVersion: active.version } : summary;
        })
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  private activeRow(tenant: string): { profileId: string; version: number } | undefined {
    return this.db.orm
      .select({ profileId: activeProfiles.profileId, version: activeProfiles.version })
      .from(activeProfiles)
      .where(eq(activeProfiles.tenant, tenant))
      .get();
  }

  activate(tenant: string, id: string, version: number): Promise<void> {
    return guarded(`activate profile '${id}' version ${version}`, () => {
      this.db.orm.transaction(
        (tx) => {
          if (this.find(tenant, id, version) === undefined)
            throw new GovgateError(
              'PROFILE_NOT_FOUND',
              `profile '${id}' version ${version} does not exist`,
            );
          tx.insert(activeProfiles)
            .values({ tenant, profileId: id, version })
            .onConflictDoUpdate({ target: activeProfiles.tenant, set: { profileId: id, version } })
            .run();
        },
        { behavior: 'immediate' },
      );
    });
  }

  deactivate(tenant: string): Promise<void> {
    return guarded('deactivate the active profile', () => {
      this.db.orm.delete(activeProfiles).where(eq(activeProfiles.tenant, tenant)).run();
    });
  }

  getActive(tenant: string): Promise<ProfileVersionRecord | undefined> {
    return guarded('read the active profile', () => {
      const active = this.activeRow(tenant);
      if (active === undefined) return undefined;
      const row = this.find(tenant, active.profileId, active.version);
      return row === undefined ? undefined : toRecord(row);
    });
  }
}
