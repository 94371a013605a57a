import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import postgres from 'postgres';
import { migrate, migrationStatus } from './migrate.js';
import { PostgresLedger } from './postgres-ledger.js';
import { PostgresPolicyStore } from './policy-store.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const ALL = ['0000_init', '0001_ledger_append_only', '0002_api_key_platform', '0003_compliance'];

describe('given a database whose migrations were never applied', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);

  it('when the migration status is asked, then every migration is pending', async () => {
    expect(await migrationStatus(database.sql)).toEqual({
      applied: [],
      pending: ALL,
      upToDate: false,
    });
  });

  it('when the ledger is used, then the error says to run the migrations', async () => {
    const error: unknown = await new PostgresLedger(database.sql)
      .append('acme', [{ type: 'decision', actor: 'a', data: {} }])
      .catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/run the migrations/);
    expect((error as Error).cause).toBeDefined();
  });

  it('when a store is used, then the error says to run the migrations', async () => {
    const error: unknown = await new PostgresPolicyStore(database.sql)
      .getActive('acme')
      .catch((e: unknown) => e);
    expect(GovgateError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/run the migrations/);
  });
});

describe('given a migrated database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);

  it('when the migration status is asked, then every migration is applied', async () => {
    expect(await migrationStatus(database.sql)).toEqual({
      applied: ALL,
      pending: [],
      upToDate: true,
    });
  });

  it('when migrate runs again, then it changes nothing and succeeds', async () => {
    await migrate(database.sql);
    const rows = await database.sql<{ n: number }[]>`
      select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(rows[0]?.n).toBe(ALL.length);
  });
});

describe('given a migrating role that may not create roles', () => {
  let database: TestDatabase;
  let owner: postgres.Sql;
  const role = `govgate_test_owner_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
    await database.sql.unsafe(`create role "${role}" login nocreaterole`);
    await database.sql.unsafe(`alter database "${database.name}" owner to "${role}"`);
    const url = new URL(database.url);
    url.username = role;
    // migrate() holds its lock on a connection of its own: the pool needs two.
    owner = postgres(url.toString(), { max: 2, onnotice: () => undefined });
    await migrate(owner);
  }, 30_000);

  afterAll(async () => {
    await owner?.end({ timeout: 5 });
    await database?.drop();
    const admin = postgres(
      process.env.GOVGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      { max: 1, onnotice: () => undefined },
    );
    await admin.unsafe(`drop role if exists "${role}"`);
    await admin.end({ timeout: 5 });
  }, 30_000);

  it('when it migrates, then every migration is applied', async () => {
    expect((await migrationStatus(owner)).upToDate).toBe(true);
  });

  it('when it migrates, then the append-only triggers are in place', async () => {
    await owner`insert into ledger_entries (tenant, seq, bytes, hash) values ('acme', 1, '{}', 'h')`;
    const error: unknown = await owner`delete from ledger_entries`.catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/append-only: DELETE/);
  });

  it('when it migrates, then no privileges are granted to the insert-only role', async () => {
    const rows = await owner<{ granted: boolean }[]>`
      select exists (
        select 1 from pg_roles where rolname = 'govgate_ledger_writer'
      ) and has_table_privilege('govgate_ledger_writer', 'ledger_entries', 'INSERT') as granted`;
    expect(rows[0]?.granted).toBe(false);
  });
});
