import type { PolicySource, PolicyStorePort, PolicySummary } from '@govgate/core';
import type { SqliteDatabase } from './database.js';
import { activePolicies, policyVersions } from './schema.js';
import { SqliteVersionStore } from './sqlite-version-store.js';

/**
 * Policy versions and each tenant's active version in SQLite. Versions are immutable:
 * saving an existing (id, version) with other content is a CONFLICT.
 *
 * @example
 * const policies = new SqlitePolicyStore(db);
 * await policies.saveVersion(record);
 * await policies.activate('acme', record.id, record.version);
 */
export class SqlitePolicyStore extends SqliteVersionStore<PolicySource> implements PolicyStorePort {
  constructor(db: SqliteDatabase) {
    super(
      db,
      { versions: policyVersions, active: activePolicies },
      { noun: 'policy', notFound: 'POLICY_NOT_FOUND' },
    );
  }

  listPolicies(tenant: string): Promise<readonly PolicySummary[]> {
    return this.summaries(tenant);
  }
}
