/**
 * The drizzle-orm schema of govgate's Postgres storage. drizzle-kit reads this file
 * to generate the SQL migrations in `drizzle/`, so it imports nothing but drizzle.
 * Timestamps given by callers are kept as the ISO text they came as: the ports
 * promise records read back exactly as written.
 */
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';

/** Ledger entries, one row per entry, `bytes` exactly as sealed. Insert-only (triggers). */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    tenant: text('tenant').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    bytes: text('bytes').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.seq] })],
);

/** Each tenant's chain head, locked `FOR UPDATE` by every append transaction. */
export const ledgerHeads = pgTable('ledger_heads', {
  tenant: text('tenant').primaryKey(),
  size: bigint('size', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/**
 * Immutable saved versions of a tenant's documents (policies, requirement profiles);
 * `document` is the JSON text as saved. One shape for both, so one store serves both.
 */
function documentVersions(table: string, idColumn: string) {
  return pgTable(
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

/** The active version of each tenant that has one; the foreign key names a saved version. */
function activeDocument(
  table: string,
  idColumn: string,
  versions: ReturnType<typeof documentVersions>,
) {
  return pgTable(
    table,
    {
      tenant: text('tenant').primaryKey(),
      documentId: text(idColumn).notNull(),
      version: integer('version').notNull(),
    },
    (t) => [
      foreignKey({
        columns: [t.tenant, t.documentId, t.version],
        foreignColumns: [versions.tenant, versions.documentId, versions.version],
      }),
    ],
  );
}

/** Immutable saved policy versions; `document` is the JSON text as saved. */
export const policyVersions = documentVersions('policy_versions', 'id');

/** The active policy version of each tenant that has one. */
export const activePolicies = activeDocument('active_policies', 'policy_id', policyVersions);

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
});

/** API keys: the secret is never stored, only its hash. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenant: text('tenant').notNull(),
    role: text('role').notNull(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
    lastUsedAt: text('last_used_at'),
    rateLimitCapacity: integer('rate_limit_capacity'),
    rateLimitPerSeconds: integer('rate_limit_per_seconds'),
    previousSecretHash: text('previous_secret_hash'),
    previousValidUntil: text('previous_valid_until'),
    platform: boolean('platform').notNull().default(false),
  },
  (t) => [index('api_keys_tenant_idx').on(t.tenant)],
);

/** Token buckets, shared by every service instance. */
export const rateLimitBuckets = pgTable(
  'rate_limit_buckets',
  {
    tenant: text('tenant').notNull(),
    bucket: text('bucket').notNull(),
    tokens: doublePrecision('tokens').notNull(),
    updatedMs: bigint('updated_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.bucket] })],
);

/** Usage per tenant, key and UTC day: one column per counter of core's USAGE_COUNTERS. */
export const usageCounters = pgTable(
  'usage_counters',
  {
    tenant: text('tenant').notNull(),
    keyId: text('key_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    requests: bigint('requests', { mode: 'number' }).notNull().default(0),
    decisions: bigint('decisions', { mode: 'number' }).notNull().default(0),
    allowed: bigint('allowed', { mode: 'number' }).notNull().default(0),
    denied: bigint('denied', { mode: 'number' }).notNull().default(0),
    rejected: bigint('rejected', { mode: 'number' }).notNull().default(0),
    rateLimited: bigint('rate_limited', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.day, t.keyId] })],
);

/**
 * Which ledger entries are evidence of which run: derived from the ledger, rebuildable
 * from it. One row per (tenant, seq); a run's rows are found by the second index.
 */
export const evidenceIndex = pgTable(
  'evidence_index',
  {
    tenant: text('tenant').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    runId: text('run_id').notNull(),
    type: text('type').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenant, t.seq] }),
    index('evidence_index_run_idx').on(t.tenant, t.runId, t.seq),
  ],
);

/** Up to which seq each tenant's chain was scanned into the evidence index. */
export const evidenceWatermarks = pgTable('evidence_watermarks', {
  tenant: text('tenant').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
});

/** Immutable saved requirement profile versions; `document` is the JSON text as saved. */
export const profileVersions = documentVersions('profile_versions', 'id');

/** The active requirement profile version of each tenant that has one. */
export const activeProfiles = activeDocument('active_profiles', 'profile_id', profileVersions);

/** Assessment workflows; `created_seq` (an identity) is the creation order. */
export const workflows = pgTable(
  'workflows',
  {
    tenant: text('tenant').notNull(),
    id: text('id').notNull(),
    createdSeq: bigint('created_seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
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
