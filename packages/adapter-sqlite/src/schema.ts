/**
 * The SQLite schema of govgate's stores, as drizzle-orm tables. Migrations in
 * `drizzle/` are generated from this file with drizzle-kit; the insert-only triggers
 * of the ledger are a hand-written migration beside them.
 */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Ledger entries, one row per entry, insert-only (triggers abort UPDATE and DELETE).
 * `bytes` is the canonical JSON exactly as sealed; `seq` orders the rows.
 */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    tenant: text('tenant').notNull(),
    seq: integer('seq').notNull(),
    bytes: text('bytes').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.seq] })],
);

/**
 * Each tenant's chain head, recorded apart from the entries so that cutting entries
 * off the end is detectable. A trigger lets it only advance onto an existing entry.
 */
export const ledgerHeads = sqliteTable('ledger_heads', {
  tenant: text('tenant').primaryKey(),
  size: integer('size').notNull(),
  hash: text('hash').notNull(),
});

/**
 * Immutable versions of a tenant's documents (policies, requirement profiles):
 * `document` is the JSON. One shape for both, so one store implementation serves both.
 */
function documentVersions(table: string, idColumn: string) {
  return sqliteTable(
    table,
    {
      tenant: text('tenant').notNull(),
      documentId: text(idColumn).notNull(),
      version: integer('version').notNull(),
      digest: text('digest').notNull(),
      document: text('document').notNull(),
      createdAt: text('created_at').notNull(),
      createdBy: text('created_by').notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenant, t.documentId, t.version] })],
  );
}

/** The active version of a tenant's document (at most one row per tenant). */
function activeDocument(table: string, idColumn: string) {
  return sqliteTable(table, {
    tenant: text('tenant').primaryKey(),
    documentId: text(idColumn).notNull(),
    version: integer('version').notNull(),
  });
}

/** Immutable policy versions; `document` is the policy's JSON. */
export const policyVersions = documentVersions('policy_versions', 'policy_id');

/** The active policy version of a tenant (at most one row per tenant). */
export const activePolicies = activeDocument('active_policies', 'policy_id');

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
});

/** API keys: the secret is stored only as a hash. Looked up by id alone. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenant: text('tenant').notNull(),
    role: text('role', { enum: ['admin', 'client', 'auditor'] }).notNull(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
    lastUsedAt: text('last_used_at'),
    rateCapacity: integer('rate_capacity'),
    ratePerSeconds: real('rate_per_seconds'),
    previousSecretHash: text('previous_secret_hash'),
    previousValidUntil: text('previous_valid_until'),
    platform: integer('platform', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('api_keys_tenant_idx').on(t.tenant, t.id)],
);

/** Token buckets: fractional tokens at `updated_ms`. */
export const rateLimitBuckets = sqliteTable(
  'rate_limit_buckets',
  {
    tenant: text('tenant').notNull(),
    bucket: text('bucket').notNull(),
    tokens: real('tokens').notNull(),
    updatedMs: integer('updated_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.bucket] })],
);

/** Usage counters per tenant, key and UTC day; one column per counter. */
export const usageCounters = sqliteTable(
  'usage_counters',
  {
    tenant: text('tenant').notNull(),
    keyId: text('key_id').notNull(),
    day: text('day').notNull(),
    requests: integer('requests').notNull().default(0),
    decisions: integer('decisions').notNull().default(0),
    allowed: integer('allowed').notNull().default(0),
    denied: integer('denied').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    rateLimited: integer('rate_limited').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.day, t.keyId] })],
);

/**
 * Which ledger entries are evidence of which run: derived from the ledger, rebuildable
 * from it. One row per (tenant, seq); a run's rows are found by the second index.
 */
export const evidenceIndex = sqliteTable(
  'evidence_index',
  {
    tenant: text('tenant').notNull(),
    seq: integer('seq').notNull(),
    runId: text('run_id').notNull(),
    type: text('type').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenant, t.seq] }),
    index('evidence_index_run_idx').on(t.tenant, t.runId, t.seq),
  ],
);

/** Up to which seq each tenant's chain was scanned into the evidence index. */
export const evidenceWatermarks = sqliteTable('evidence_watermarks', {
  tenant: text('tenant').primaryKey(),
  seq: integer('seq').notNull(),
});

/** Immutable requirement profile versions; `document` is the profile's JSON. */
export const profileVersions = documentVersions('profile_versions', 'profile_id');

/** The active requirement profile version of a tenant (at most one row per tenant). */
export const activeProfiles = activeDocument('active_profiles', 'profile_id');

/**
 * Assessment workflows. `created_seq` is the creation order (the insert takes the
 * highest one plus one under SQLite's single writer); rowids are not, VACUUM may
 * renumber them.
 */
export const workflows = sqliteTable(
  'workflows',
  {
    tenant: text('tenant').notNull(),
    id: text('id').notNull(),
    createdSeq: integer('created_seq').notNull(),
    regulation: text('regulation').notNull(),
    title: text('title').notNull(),
    state: text('state').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenant, t.id] }),
    index('workflows_created_idx').on(t.tenant, t.createdSeq),
  ],
);
