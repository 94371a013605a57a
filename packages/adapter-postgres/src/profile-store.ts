import type { PolicySummary, ProfileStorePort, RequirementProfile } from '@govgate/core';
import type { Sql } from './connection.js';
import { activeProfiles, profileVersions } from './schema.js';
import { PostgresVersionStore } from './version-store.js';

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
export class PostgresProfileStore
  extends PostgresVersionStore<RequirementProfile>
  implements ProfileStorePort
{
  constructor(sql: Sql) {
    super(
      sql,
      { versions: profileVersions, active: activeProfiles },
      { noun: 'profile', notFound: 'PROFILE_NOT_FOUND' },
    );
  }

  listProfiles(tenant: string): Promise<readonly PolicySummary[]> {
    return this.summaries(tenant);
  }
}
