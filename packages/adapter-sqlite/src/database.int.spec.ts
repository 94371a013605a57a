import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import {
  defaultMigrationsFolder,
  migrate,
  migrationStatus,
  openSqlite,
  type SqliteDatabase,
} from './database.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqlitePolicyStore } from './sqlite-policy-store.js';
import { SqliteUsageStore } from './sqlite-usage-store.js';

const MIGRATIONS = [
  '0000_init',
  '0001_ledger_insert_only',
  '0002_api_key_platform',
  '0003_compliance',
];

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('openSqlite', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govgate-sqlite-open-'));
    db = openSqlite({ file: join(dir, 'govgate.db'), busyTimeoutMs: 1234 });
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given a file, when opened, then it is in WAL mode', () => {
    expect(db.client.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('given a file, when opened, then commits are synchronous=FULL', () => {
    expect(db.client.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('given a file, when opened, then foreign keys are on', () => {
    expect(db.client.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('given a busy timeout, when opened, then the connection waits that long for locks', () => {
    expect(db.client.pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('given a path in a missing directory, when opened, then STORE_UNAVAILABLE names the file', () => {
    const file = join(dir, 'missing', 'govgate.db');
    let error: unknown;
    try {
      openSqlite({ file });
    } catch (e) {
      error = e;
    }
    expect(GovgateError.is(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain(file);
  });
});

describe('migrations', () => {
  let db: SqliteDatabase;
  beforeEach(() => {
    db = openSqlite({ file: ':memory:' });
  });
  afterEach(() => db.close());

  it('given a new database, when asked, then every migration is pending', () => {
    expect(migrationStatus(db)).toEqual({ applied: [], pending: MIGRATIONS, upToDate: false });
  });

  it('given a migrated database, when asked, then every migration is applied', () => {
    migrate(db);
    expect(migrationStatus(db)).toEqual({ applied: MIGRATIONS, pending: [], upToDate: true });
  });

  it('given only the first migration applied, when asked, then the later ones are pending', async () => {
    const older = await mkdtemp(join(tmpdir(), 'govgate-sqlite-migrations-'));
    try {
      const source = defaultMigrationsFolder();
      const journal = JSON.parse(await readFile(join(source, 'meta', '_journal.json'), 'utf8')) as {
        entries: unknown[];
      };
      await mkdir(join(older, 'meta'));
      await writeFile(
        join(older, 'meta', '_journal.json'),
        JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }),
      );
      await copyFile(join(source, '0000_init.sql'), join(older, '0000_init.sql'));
      migrate(db, { migrationsFolder: older });
      expect(migrationStatus(db)).toEqual({
        applied: ['0000_init'],
        pending: MIGRATIONS.slice(1),
        upToDate: false,
      });
    } finally {
      await rm(older, { recursive: true, force: true });
    }
  });

  it('given a key written before 0002, when migrated, then it reads back without platform', async () => {
    const older = await mkdtemp(join(tmpdir(), 'govgate-sqlite-migrations-'));
    try {
      const source = defaultMigrationsFolder();
      const journal = JSON.parse(await readFile(join(source, 'meta', '_journal.json'), 'utf8')) as {
        entries: { tag: string }[];
      };
      const before = journal.entries.slice(
        0,
        journal.entries.findIndex((e) => e.tag === '0002_api_key_platform'),
      );
      await mkdir(join(older, 'meta'));
      await writeFile(
        join(older, 'meta', '_journal.json'),
        JSON.stringify({ ...journal, entries: before }),
      );
      for (const { tag } of before)
        await copyFile(join(source, `${tag}.sql`), join(older, `${tag}.sql`));
      migrate(db, { migrationsFolder: older });
      db.client
        .prepare(
          `INSERT INTO api_keys (id, tenant, role, name, secret_hash, created_at)
           VALUES ('k1', 'acme', 'admin', 'old', 'h', '2026-01-01T00:00:00.000Z')`,
        )
        .run();
      migrate(db);
      const key = await new SqliteKeyStore(db).findById('k1');
      expect(key).toMatchObject({ id: 'k1', role: 'admin' });
      expect(Object.hasOwn(key ?? {}, 'platform')).toBe(false);
    } finally {
      await rm(older, { recursive: true, force: true });
    }
  });

  it('given a migrated database, when migrated again, then nothing changes', () => {
    migrate(db);
    migrate(db);
    const count = db.client.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as {
      n: number;
    };
    expect(count.n).toBe(MIGRATIONS.length);
  });

  it('given a missing migrations folder, when migrating, then STORE_UNAVAILABLE says so', () => {
    expect(() => migrate(db, { migrationsFolder: '/nonexistent/drizzle' })).toThrow(
      /could not migrate/,
    );
  });
});

describe('an unmigrated database', () => {
  let db: SqliteDatabase;
  beforeEach(() => {
    db = openSqlite({ file: ':memory:' });
  });
  afterEach(() => db.close());

  it('given no migrations, when the ledger appends, then the error says to run migrations', async () => {
    const error = await caught(
      new SqliteLedger(db).append('acme', [{ type: 'decision', actor: 'a', data: {} }]),
    );
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/not migrated.*run migrations/);
  });

  it('given no migrations, when the ledger head is read, then the error says to run migrations', async () => {
    const error = await caught(new SqliteLedger(db).head('acme'));
    expect((error as Error).message).toMatch(/run migrations/);
  });

  it('given no migrations, when a policy is read, then the error says to run migrations', async () => {
    const error = await caught(new SqlitePolicyStore(db).getActive('acme'));
    expect(GovgateError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/run migrations/);
  });

  it('given no migrations, when a key is looked up, then the error keeps the driver error as cause', async () => {
    const error = await caught(new SqliteKeyStore(db).findById('k1'));
    expect((error as Error).cause).toMatchObject({ code: 'SQLITE_ERROR' });
  });

  it('given no migrations, when usage is added, then the error says to run migrations', async () => {
    const error = await caught(new SqliteUsageStore(db).add('acme', 'k', '2026-01-01', {}));
    expect((error as Error).message).toMatch(/run migrations/);
  });
});
