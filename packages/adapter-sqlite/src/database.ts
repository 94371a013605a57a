import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GovgateError, type GovgateErrorCode } from '@govgate/core';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate as drizzleMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

/** An open govgate SQLite database: the driver connection and its drizzle view. */
export interface SqliteDatabase {
  /** The better-sqlite3 connection (one per process; every store shares it). */
  readonly client: Database.Database;
  readonly orm: BetterSQLite3Database<typeof schema>;
  /** The file opened, or ':memory:'. */
  readonly file: string;
  close(): void;
}

export interface OpenSqliteOptions {
  /** A database file path, or ':memory:'. */
  readonly file: string;
  /** How long a write waits for another process's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Opens (creating if needed) a SQLite database for govgate: WAL journal for files,
 * `synchronous=FULL` (a commit is durable before it returns), a busy timeout and
 * foreign keys on. STORE_UNAVAILABLE naming the file when it cannot be opened.
 *
 * @example
 * const db = openSqlite({ file: './data/govgate.db' });
 * migrate(db);
 * const ledger = new SqliteLedger(db);
 */
export function openSqlite(options: OpenSqliteOptions): SqliteDatabase {
  const file = options.file;
  if (typeof file !== 'string' || file.length === 0)
    throw new GovgateError('STORE_UNAVAILABLE', 'openSqlite needs a file path or ":memory:"');
  let client: Database.Database;
  try {
    client = new Database(file);
  } catch (cause) {
    throw new GovgateError('STORE_UNAVAILABLE', `cannot open the SQLite database '${file}'`, {
      cause,
    });
  }
  try {
    if (file !== ':memory:') client.pragma('journal_mode = WAL');
    client.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    client.pragma('foreign_keys = ON');
    client.pragma('synchronous = FULL');
  } catch (cause) {
    client.close();
    throw new GovgateError('STORE_UNAVAILABLE', `cannot set up the SQLite database '${file}'`, {
      cause,
    });
  }
  const orm = drizzle({ client, schema });
  return {
    client,
    orm,
    file,
    close: () => {
      if (client.open) client.close();
    },
  };
}

/**
 * The committed migrations: `drizzle/` beside `src/` and `dist/`. `__dirname` exists
 * when the sources run as CommonJS (jest); the built package is ESM.
 *
 * @example
 * migrate(db, { migrationsFolder: defaultMigrationsFolder() }); // the same as migrate(db)
 */
export function defaultMigrationsFolder(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, '..', 'drizzle');
}

export interface MigrateOptions {
  /** Where the migrations are (default: the package's `drizzle/` folder). */
  readonly migrationsFolder?: string;
}

/**
 * Applies every pending migration, in one transaction.
 *
 * @example
 * const db = openSqlite({ file: './data/govgate.db' });
 * migrate(db);
 */
export function migrate(db: SqliteDatabase, options: MigrateOptions = {}): void {
  try {
    drizzleMigrate(db.orm, {
      migrationsFolder: options.migrationsFolder ?? defaultMigrationsFolder(),
      migrationsTable: MIGRATIONS_TABLE,
    });
  } catch (cause) {
    throw new GovgateError(
      'STORE_UNAVAILABLE',
      `could not migrate the SQLite database '${db.file}': ${messageOf(cause)}`,
      { cause },
    );
  }
}

export interface MigrationStatus {
  /** Migration tags (`0000_init`) applied to the database, oldest first. */
  readonly applied: readonly string[];
  /** Migration tags not applied yet, oldest first. */
  readonly pending: readonly string[];
  /** True when nothing is pending. */
  readonly upToDate: boolean;
}

interface Journal {
  readonly entries: readonly { readonly tag: string; readonly when: number }[];
}

/**
 * Which migrations are applied and which are pending (for readiness checks). A
 * migration counts as applied the way drizzle's migrator decides: when the database's
 * latest applied migration is not older than it.
 *
 * @example
 * const { upToDate, pending } = migrationStatus(db);
 * if (!upToDate) console.error(`run \`govgate migrate\`: ${pending.join(', ')} pending`);
 */
export function migrationStatus(db: SqliteDatabase, options: MigrateOptions = {}): MigrationStatus {
  const folder = options.migrationsFolder ?? defaultMigrationsFolder();
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  } catch (cause) {
    throw new GovgateError('STORE_UNAVAILABLE', `cannot read the migrations in '${folder}'`, {
      cause,
    });
  }
  let last = -Infinity;
  try {
    const table = db.client
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(MIGRATIONS_TABLE);
    if (table !== undefined) {
      const row = db.client
        .prepare(`SELECT MAX(CAST(created_at AS INTEGER)) AS last FROM "${MIGRATIONS_TABLE}"`)
        .get() as { last: number | null } | undefined;
      last = row?.last ?? -Infinity;
    }
  } catch (cause) {
    throw wrapSqliteError(cause, 'STORE_UNAVAILABLE', 'read the migration status');
  }
  const applied: string[] = [];
  const pending: string[] = [];
  for (const entry of journal.entries) (entry.when <= last ? applied : pending).push(entry.tag);
  return { applied, pending, upToDate: pending.length === 0 };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A driver error as a GovgateError with context and `cause`; a missing table means the
 * migrations were not applied, and says so.
 */
export function wrapSqliteError(
  cause: unknown,
  code: GovgateErrorCode,
  doing: string,
): GovgateError {
  if (GovgateError.is(cause)) return cause;
  const message = messageOf(cause);
  // A table or column missing: the schema is older than this code expects.
  if (/no such (table|column)/i.test(message))
    return new GovgateError(
      code,
      `cannot ${doing}: the SQLite database is not migrated (${message}); run migrations first (\`govgate migrate\` or migrate(db))`,
      { cause },
    );
  return new GovgateError(code, `cannot ${doing}: SQLite error: ${message}`, { cause });
}

/**
 * The code store failures carry. Core has no code for an unavailable store; the
 * ledger's is the closest (it maps to 503: the caller should retry, nothing was
 * decided), until core adds one.
 */
export const STORE_UNAVAILABLE: GovgateErrorCode = 'STORE_UNAVAILABLE';

/** Runs a synchronous store operation, wrapping driver errors (GovgateErrors pass). */
export function guarded<T>(doing: string, run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (cause) {
    return Promise.reject(wrapSqliteError(cause, STORE_UNAVAILABLE, doing));
  }
}
