/**
 * @govgate/adapter-sqlite — govgate's embedded default storage on SQLite (drizzle-orm
 * + better-sqlite3): the ledger with insert-only triggers and group-committed
 * appends, policy versions, tenants, API keys, rate-limit buckets and usage counters.
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
export { sqliteModule, sqliteStores } from './module.js';
export type { SqliteStores } from './module.js';
export {
  activePolicies,
  apiKeys,
  ledgerEntries,
  ledgerHeads,
  policyVersions,
  rateLimitBuckets,
  tenants,
  usageCounters,
} from './schema.js';
