import { connect, type PostgresConnectOptions, type Sql } from './connection.js';
import { PostgresEvidenceIndex } from './evidence-index.js';
import { PostgresKeyStore, PostgresTenantStore } from './key-store.js';
import { migrate, migrationStatus, type MigrationStatus } from './migrate.js';
import { PostgresLedger, type PostgresLedgerOptions } from './postgres-ledger.js';
import { PostgresPolicyStore } from './policy-store.js';
import { PostgresProfileStore } from './profile-store.js';
import { PostgresRateLimitStore } from './rate-limit-store.js';
import { PostgresUsageStore } from './usage-store.js';
import { PostgresWorkflowStore } from './workflow-store.js';

/** Every port this package implements, ready to bind (see `postgresModule`). */
export interface PostgresStores {
  readonly ledger: PostgresLedger;
  readonly policies: PostgresPolicyStore;
  readonly tenants: PostgresTenantStore;
  readonly keys: PostgresKeyStore;
  readonly rateLimits: PostgresRateLimitStore;
  readonly usage: PostgresUsageStore;
  readonly evidenceIndex: PostgresEvidenceIndex;
  readonly profiles: PostgresProfileStore;
  readonly workflows: PostgresWorkflowStore;
}

export interface OpenPostgresOptions extends PostgresConnectOptions {
  readonly ledger?: PostgresLedgerOptions;
}

/** The opened clients and the stores built on them. */
export interface PostgresDatabase {
  /** The client of `url`. */
  readonly sql: Sql;
  /** The client of `ledgerUrl`, or the same client as `sql` without one. */
  readonly ledgerSql: Sql;
  readonly stores: PostgresStores;
  /** Applies pending migrations to the database(s): both when the ledger has its own. */
  migrate(): Promise<void>;
  /** Migration status of the store database and of the ledger database. */
  migrationStatus(): Promise<{ readonly store: MigrationStatus; readonly ledger: MigrationStatus }>;
  /** Commits queued ledger appends, then ends the clients. */
  close(): Promise<void>;
}

/**
 * Connects to Postgres (and to a separate ledger database when `ledgerUrl` is given)
 * and builds every store. A malformed or unreachable connection string is a
 * STORE_UNAVAILABLE GovgateError naming the setting, with the password masked.
 *
 * @example
 * const db = await openPostgres({
 *   url: process.env.GOVGATE_DATABASE_URL!,
 *   ledgerUrl: process.env.GOVGATE_LEDGER_URL,
 *   settingNames: { url: 'GOVGATE_DATABASE_URL', ledgerUrl: 'GOVGATE_LEDGER_URL' },
 * });
 * await db.migrate();
 * const [entry] = await db.stores.ledger.append('acme', [{ type: 'decision', actor: 'k1', data: {} }]);
 * await db.close();
 */
export async function openPostgres(options: OpenPostgresOptions): Promise<PostgresDatabase> {
  const names = { url: 'url', ledgerUrl: 'ledgerUrl', ...options.settingNames };
  const sql = await connect(options.url, names.url, options);
  let ledgerSql = sql;
  if (options.ledgerUrl !== undefined) {
    try {
      ledgerSql = await connect(options.ledgerUrl, names.ledgerUrl, options);
    } catch (error) {
      await sql.end({ timeout: 5 });
      throw error;
    }
  }
  const separate = ledgerSql !== sql;
  const stores: PostgresStores = {
    ledger: new PostgresLedger(ledgerSql, options.ledger),
    policies: new PostgresPolicyStore(sql),
    tenants: new PostgresTenantStore(sql),
    keys: new PostgresKeyStore(sql),
    rateLimits: new PostgresRateLimitStore(sql),
    usage: new PostgresUsageStore(sql),
    // Derived compliance data lives with the stores, never on the ledger's client.
    evidenceIndex: new PostgresEvidenceIndex(sql),
    profiles: new PostgresProfileStore(sql),
    workflows: new PostgresWorkflowStore(sql),
  };
  return {
    sql,
    ledgerSql,
    stores,
    migrate: async () => {
      await migrate(sql);
      if (separate) await migrate(ledgerSql);
    },
    migrationStatus: async () => {
      const store = await migrationStatus(sql);
      return { store, ledger: separate ? await migrationStatus(ledgerSql) : store };
    },
    close: async () => {
      try {
        await stores.ledger.close();
      } finally {
        await sql.end({ timeout: 5 });
        if (separate) await ledgerSql.end({ timeout: 5 });
      }
    },
  };
}
