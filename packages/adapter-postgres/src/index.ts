/**
 * @govgate/adapter-postgres — every storage port of govgate on PostgreSQL
 * (drizzle-orm + postgres.js): the insert-only ledger with per-tenant head rows,
 * policy versions, tenants, API keys, token buckets, usage counters, and for
 * compliance the evidence index, requirement profile versions and workflows.
 */
export { openPostgres } from './database.js';
export type { OpenPostgresOptions, PostgresDatabase, PostgresStores } from './database.js';
export { checkUrl, maskUrl } from './connection.js';
export type { PostgresConnectOptions, Sql } from './connection.js';
export { MIGRATIONS_FOLDER, migrate, migrationStatus } from './migrate.js';
export type { MigrateOptions, MigrationStatus } from './migrate.js';
export { PostgresLedger } from './postgres-ledger.js';
export type { PostgresLedgerOptions } from './postgres-ledger.js';
export { PostgresPolicyStore } from './policy-store.js';
export { PostgresKeyStore, PostgresTenantStore } from './key-store.js';
export { PostgresRateLimitStore } from './rate-limit-store.js';
export { PostgresUsageStore } from './usage-store.js';
export { PostgresEvidenceIndex } from './evidence-index.js';
export { PostgresProfileStore } from './profile-store.js';
export { PostgresWorkflowStore } from './workflow-store.js';
export { postgresModule } from './module.js';
