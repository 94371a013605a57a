import type { PolicySource, PolicyStorePort, PolicySummary } from '@govgate/core';
import type { Sql } from './connection.js';
import { activePolicies, policyVersions } from './schema.js';
import { PostgresVersionStore } from './version-store.js';

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
export class PostgresPolicyStore
  extends PostgresVersionStore<PolicySource>
  implements PolicyStorePort
{
  constructor(sql: Sql) {
    super(
      sql,
      { versions: policyVersions, active: activePolicies },
      { noun: 'policy', notFound: 'POLICY_NOT_FOUND' },
    );
  }

  listPolicies(tenant: string): Promise<readonly PolicySummary[]> {
    return this.summaries(tenant);
  }
}
