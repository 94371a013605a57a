/**
 * @govgate/adapter-sqlite — govgate's embedded default storage on SQLite (drizzle-orm
 * + better-sqlite3): the ledger with insert-only triggers and group-committed
 * appends, policy versions, tenants, API keys, rate-limit buckets, usage counters,
 * and for compliance the evidence index, requirement profile versions and workflows.
 */
export { defaultMigrationsFolder, migrate, migrationStatus, openSqlite } from './database.js';
export type {
  MigrateOptions,
  MigrationStatus,
  OpenSqliteOptions,
  SqliteDatabase,
} from './database.js';
export { SqliteLedger } from './sqlite-ledger.js';
export type { SqliteLedgerOptions } from './sqlite-ledger.js';
export { SqlitePolicyStore } from './sqlite-policy-store.js';
export { SqliteKeyStore, SqliteTenantStore } from './sqlite-key-store.js';
export { SqliteRateLimitStore } from './sqlite-rate-limit-store.js';
export { SqliteUsageStore } from './sqlite-usage-store.js';
export { SqliteEvidenceIndex } from './sqlite-evidence-index.js';
export { SqliteProfileStore } from './sqlite-profile-store.js';
export { SqliteWorkflowStore } from './sqlite-workflow-store.js';
export { sqliteModule, sqliteStores } from './module.js';
export type { SqliteStores } from './module.js';
export {
  activePolicies,
  activeProfiles,
  apiKeys,
  evidenceIndex,
  evidenceWatermarks,
  ledgerEntries,
  ledgerHeads,
  policyVersions,
  profileVersions,
  rateLimitBuckets,
  tenants,
  usageCounters,
  workflows,
} from './schema.js';
