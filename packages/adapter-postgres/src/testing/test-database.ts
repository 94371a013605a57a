import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { Sql } from '../connection.js';
import { maskUrl } from '../connection.js';
import { migrate } from '../migrate.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database created for one test run, dropped by `drop`. */
export interface TestDatabase {
  /** Connection string of the fresh database (as the server's superuser). */
  readonly url: string;
  readonly name: string;
  /** A superuser client of the fresh database (for tampering, roles, checks). */
  readonly sql: Sql;
  drop(): Promise<void>;
}

/**
 * Creates a fresh database on the server of GOVGATE_TEST_DATABASE_URL (default: the
 * local server) and, unless told otherwise, migrates it. Without a reachable server
 * it throws, in CI and locally alike: these tests never pass silently.
 */
export async function createTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const adminUrl = process.env.GOVGATE_TEST_DATABASE_URL ?? DEFAULT_URL;
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await admin`select 1`;
  } catch (cause) {
    await admin.end({ timeout: 0 }).catch(() => undefined);
    throw new Error(
      `the Postgres integration tests need a server: GOVGATE_TEST_DATABASE_URL=` +
        `'${maskUrl(adminUrl)}' is not reachable (${cause instanceof Error ? cause.message : String(cause)}). ` +
        (process.env.CI === 'true'
          ? 'CI must provide Postgres.'
          : 'Start Postgres or point GOVGATE_TEST_DATABASE_URL at one.'),
      { cause },
    );
  }
  const name = `govgate_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => undefined });
  if (options.migrated !== false) await migrate(sql);
  return {
    url: url.toString(),
    name,
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
