import type { PolicySummary, ProfileStorePort, RequirementProfile } from '@govgate/core';
import type { SqliteDatabase } from './database.js';
import { activeProfiles, profileVersions } from './schema.js';
import { SqliteVersionStore } from './sqlite-version-store.js';

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
export class SqliteProfileStore
  extends SqliteVersionStore<RequirementProfile>
  implements ProfileStorePort
{
  constructor(db: SqliteDatabase) {
    super(
      db,
      { versions: profileVersions, active: activeProfiles },
      { noun: 'profile', notFound: 'PROFILE_NOT_FOUND' },
    );
  }

  listProfiles(tenant: string): Promise<readonly PolicySummary[]> {
    return this.summaries(tenant);
  }
}
