import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyLedger } from '@govgate/core';
import postgres from 'postgres';
import { migrationStatus } from './migrate.js';
import { PostgresLedger } from './postgres-ledger.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const messageOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );

describe('the audit wall: ledger entries are insert-only', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await new PostgresLedger(database.sql).append('acme', [
      { type: 'decision', actor: 'a', data: { n: 1 } },
      { type: 'decision', actor: 'a', data: { n: 2 } },
    ]);
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);

  it('given stored entries, when a superuser updates one, then the trigger raises', async () => {
    expect(await messageOf(database.sql`update ledger_entries set bytes = '{}'`)).toMatch(
      /append-only: UPDATE/,
    );
  });

  it('given stored entries, when a superuser deletes one, then the trigger raises', async () => {
    expect(await messageOf(database.sql`delete from ledger_entries where seq = 2`)).toMatch(
      /append-only: DELETE/,
    );
  });

  it('given stored entries, when a superuser truncates the table, then the trigger raises', async () => {
    expect(await messageOf(database.sql`truncate ledger_entries`)).toMatch(/append-only: TRUNCATE/);
  });
});

describe('the insert-only role created by the migrations', () => {
  let database: TestDatabase;
  let writer: postgres.Sql;
  const login = `govgate_test_writer_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    // given a login role that holds nothing but govgate_ledger_writer
    await database.sql.unsafe(`create role "${login}" login in role govgate_ledger_writer`);
    const url = new URL(database.url);
    url.username = login;
    writer = postgres(url.toString(), { max: 2, onnotice: () => undefined });
  }, 30_000);

  afterAll(async () => {
    await writer?.end({ timeout: 5 });
    await database?.drop();
    await dropRole(login);
  }, 30_000);

  it('when the service appends with it, then the chain is written and verifies', async () => {
    const ledger = new PostgresLedger(writer);
    await ledger.append('acme', [{ type: 'decision', actor: 'a', data: { n: 1 } }]);
    await ledger.append('acme', [{ type: 'decision', actor: 'a', data: { n: 2 } }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 2 });
  });

  it('when it asks for the migration status, then it sees every migration applied', async () => {
    expect((await migrationStatus(writer)).upToDate).toBe(true);
  });

  it('when it updates an entry, then it is denied', async () => {
    expect(await messageOf(writer`update ledger_entries set bytes = '{}'`)).toMatch(
      /permission denied for table ledger_entries/,
    );
  });

  it('when it tries to switch the triggers off for its session, then it is denied', async () => {
    expect(
      await messageOf(
        writer.begin(async (tx) => {
          await tx`set local session_replication_role = replica`;
        }),
      ),
    ).toMatch(/permission denied/);
  });

  it('when it tries to delete a head row, then it is denied', async () => {
    expect(await messageOf(writer`delete from ledger_heads`)).toMatch(
      /permission denied for table ledger_heads/,
    );
  });

  it('when it reads another table, then it is denied', async () => {
    expect(await messageOf(writer`select * from api_keys`)).toMatch(
      /permission denied for table api_keys/,
    );
  });
});

async function dropRole(role: string): Promise<void> {
  const url =
    process.env.GOVGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`drop role if exists "${role}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
