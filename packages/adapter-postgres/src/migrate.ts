import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GovgateError } from '@govgate/core';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import type { Sql } from './connection.js';
import { UNAVAILABLE, sqlState, wrapError } from './errors.js';

// Compiled to CommonJS (jest) this module has __dirname; as ESM (dist) it has
// import.meta. Both sit one level below the package, beside `drizzle/`.
const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));

/** The migrations shipped with this package. */
export const MIGRATIONS_FOLDER = join(here, '..', 'drizzle');

const MIGRATIONS_SCHEMA = 'drizzle';
const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface MigrateOptions {
  /** Where the SQL migrations are (default: the package's `drizzle/` folder). */
  readonly migrationsFolder?: string;
}

/** Which migrations a database has applied and which it still needs. */
export interface MigrationStatus {
  /** Migration names (`0000_init`, …) in order. */
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** True when nothing is pending. */
  readonly upToDate: boolean;
}

interface JournalEntry {
  readonly tag: string;
  readonly when: number;
}

function journal(folder: string): readonly JournalEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8'));
  } catch (cause) {
    throw new GovgateError(UNAVAILABLE, `cannot read the migrations journal in '${folder}'`, {
      cause,
    });
  }
  const entries = (parsed as { entries?: unknown } | null)?.entries;
  if (
    !Array.isArray(entries) ||
    !entries.every(
      (e): e is JournalEntry =>
        typeof (e as JournalEntry | null)?.tag === 'string' &&
        typeof (e as JournalEntry).when === 'number',
    )
  )
    throw new GovgateError(UNAVAILABLE, `the migrations journal in '${folder}' is malformed`);
  return entries;
}

/** Advisory lock key that serializes migrations across processes (any fixed bigint). */
const MIGRATION_LOCK = '113723548513893';

/**
 * Applies the pending migrations (drizzle's migrator, in one transaction). Run it
 * with a role that owns the schema; it also creates the insert-only ledger role when
 * that role may create roles.
 *
 * @example
 * const sql = postgres(process.env.GOVGATE_DATABASE_URL!);
 * await migrate(sql);
 * await sql.end();
 */
export async function migrate(sql: Sql, options: MigrateOptions = {}): Promise<void> {
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  let lock: Awaited<ReturnType<Sql['reserve']>> | undefined;
  try {
    // Instances starting together with auto-migrate take turns: the lock is held on a
    // connection of its own while the migrator works on the pool (so the pool needs at
    // least two connections, as every govgate client has).
    lock = await sql.reserve();
    await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await drizzleMigrate(drizzle(sql), {
      migrationsFolder,
      migrationsSchema: MIGRATIONS_SCHEMA,
      migrationsTable: MIGRATIONS_TABLE,
    });
  } catch (error) {
    throw GovgateError.is(error) ? error : wrapError(error, 'applying the Postgres migrations');
  } finally {
    if (lock !== undefined) {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
      lock.release();
    }
  }
}

/**
 * Which migrations are applied, for readiness checks. Like drizzle's migrator, a
 * migration counts as applied when the database recorded one at least as recent.
 *
 * @example
 * const status = await migrationStatus(sql);
 * if (!status.upToDate) console.error(`run govgate migrate: ${status.pending.join(', ')}`);
 */
export async function migrationStatus(
  sql: Sql,
  options: MigrateOptions = {},
): Promise<MigrationStatus> {
  const entries = journal(options.migrationsFolder ?? MIGRATIONS_FOLDER);
  let last: number | undefined;
  try {
    const rows = await sql<{ createdAt: string | null }[]>`
      select max(created_at)::text as "createdAt"
      from ${sql(MIGRATIONS_SCHEMA)}.${sql(MIGRATIONS_TABLE)}`;
    const value = rows[0]?.createdAt;
    last = value === null || value === undefined ? undefined : Number(value);
  } catch (error) {
    const state = sqlState(error);
    if (state !== '42P01' && state !== '3F000')
      throw wrapError(error, 'reading the applied Postgres migrations');
  }
  const applied = entries.filter((e) => last !== undefined && e.when <= last).map((e) => e.tag);
  const pending = entries.filter((e) => last === undefined || e.when > last).map((e) => e.tag);
  return { applied, pending, upToDate: pending.length === 0 };
}
