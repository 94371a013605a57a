import {
  EVIDENCE_INDEX,
  KEY_STORE,
  LEDGER,
  POLICY_STORE,
  PROFILE_STORE,
  RATE_LIMIT_STORE,
  TENANT_STORE,
  USAGE_STORE,
  WORKFLOW_STORE,
  type EvidenceIndexPort,
  type KeyStorePort,
  type LedgerPort,
  type PolicyStorePort,
  type ProfileStorePort,
  type RateLimitStorePort,
  type TenantStorePort,
  type UsageStorePort,
  type WorkflowStorePort,
} from '@govgate/core';
import { ContainerModule } from 'inversify';
import type { SqliteDatabase } from './database.js';
import { SqliteEvidenceIndex } from './sqlite-evidence-index.js';
import { SqliteKeyStore, SqliteTenantStore } from './sqlite-key-store.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqlitePolicyStore } from './sqlite-policy-store.js';
import { SqliteProfileStore } from './sqlite-profile-store.js';
import { SqliteRateLimitStore } from './sqlite-rate-limit-store.js';
import { SqliteUsageStore } from './sqlite-usage-store.js';
import { SqliteWorkflowStore } from './sqlite-workflow-store.js';

/** The stores `sqliteModule` binds; `ledger` is optional (the ledger may live elsewhere). */
export interface SqliteStores {
  readonly ledger?: LedgerPort;
  readonly policies: PolicyStorePort;
  readonly tenants: TenantStorePort;
  readonly keys: KeyStorePort;
  readonly rateLimits: RateLimitStorePort;
  readonly usage: UsageStorePort;
  readonly evidenceIndex: EvidenceIndexPort;
  readonly profiles: ProfileStorePort;
  readonly workflows: WorkflowStorePort;
}

/**
 * Every SQLite store on one database (the ledger too unless `ledger: false`, e.g.
 * when the file ledger is used).
 *
 * @example
 * const db = openSqlite({ file: './data/govgate.db' });
 * migrate(db);
 * const stores = sqliteStores(db);
 */
export function sqliteStores(db: SqliteDatabase, options: { ledger?: boolean } = {}): SqliteStores {
  const stores = {
    policies: new SqlitePolicyStore(db),
    tenants: new SqliteTenantStore(db),
    keys: new SqliteKeyStore(db),
    rateLimits: new SqliteRateLimitStore(db),
    usage: new SqliteUsageStore(db),
    evidenceIndex: new SqliteEvidenceIndex(db),
    profiles: new SqliteProfileStore(db),
    workflows: new SqliteWorkflowStore(db),
  };
  return options.ledger === false ? stores : { ...stores, ledger: new SqliteLedger(db) };
}

/**
 * Binds core's port tokens to the given store instances (LEDGER only when a ledger is
 * given). The database is opened, migrated and closed by the composition root.
 *
 * @example
 * const container = new Container();
 * container.loadSync(sqliteModule(sqliteStores(db)));
 * container.get<KeyStorePort>(KEY_STORE);
 */
export function sqliteModule(stores: SqliteStores): ContainerModule {
  return new ContainerModule(({ bind }) => {
    if (stores.ledger !== undefined) bind(LEDGER).toConstantValue(stores.ledger);
    bind(POLICY_STORE).toConstantValue(stores.policies);
    bind(TENANT_STORE).toConstantValue(stores.tenants);
    bind(KEY_STORE).toConstantValue(stores.keys);
    bind(RATE_LIMIT_STORE).toConstantValue(stores.rateLimits);
    bind(USAGE_STORE).toConstantValue(stores.usage);
    bind(EVIDENCE_INDEX).toConstantValue(stores.evidenceIndex);
    bind(PROFILE_STORE).toConstantValue(stores.profiles);
    bind(WORKFLOW_STORE).toConstantValue(stores.workflows);
  });
}
