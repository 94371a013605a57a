import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  GovgateError,
  KEY_STORE,
  LEDGER,
  POLICY_STORE,
  RATE_LIMIT_STORE,
  TENANT_STORE,
  USAGE_STORE,
  verifyLedger,
  type AppendRequest,
  type StoredEntry,
} from '@govgate/core';
import { Container } from 'inversify';
import { migrate, openSqlite, type SqliteDatabase } from './database.js';
import { sqliteModule, sqliteStores } from './module.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { sqliteTamper } from './testing/sqlite-tamper.js';

const note = (n: number): AppendRequest => ({ type: 'decision', actor: 'test', data: { n } });

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('SqliteLedger', () => {
  let db: SqliteDatabase;
  let ledger: SqliteLedger;
  beforeEach(() => {
    db = openSqlite({ file: ':memory:' });
    migrate(db);
    ledger = new SqliteLedger(db);
  });
  afterEach(async () => {
    await ledger.close();
    db.close();
  });

  it('given appends made together, when they are written, then one transaction holds them all', async () => {
    // A batch is sealed at one time: the clock is read once per transaction.
    let reads = 0;
    const batched = new SqliteLedger(db, { clock: { now: () => (reads++, Date.UTC(2026, 0, 1)) } });
    await Promise.all(Array.from({ length: 50 }, (_, n) => batched.append('acme', [note(n)])));
    expect(reads).toBe(1);
  });

  it('given appends made together, when written, then each call gets its own consecutive seqs', async () => {
    const results = await Promise.all([
      ledger.append('acme', [note(1), note(2)]),
      ledger.append('acme', [note(3), note(4), note(5)]),
    ]);
    expect(results.map((r) => r.map((e) => e.seq))).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('given a closed ledger, when appending, then LEDGER_UNAVAILABLE', async () => {
    await ledger.close();
    const error = await caught(ledger.append('acme', [note(1)]));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
  });

  it('given a transaction that fails, when appending, then every call of the batch is rejected and nothing is written', async () => {
    // A row nobody accounted for in the head: the batch's first insert is refused.
    db.client
      .prepare(
        "INSERT INTO ledger_entries (tenant, seq, bytes, hash) VALUES ('acme', 1, '{}', 'x')",
      )
      .run();
    const errors = await Promise.all([
      caught(ledger.append('acme', [note(1)])),
      caught(ledger.append('other', [note(2)])),
    ]);
    expect(errors.map((e) => GovgateError.is(e, 'LEDGER_UNAVAILABLE'))).toEqual([true, true]);
    expect((errors[0] as Error).cause).toMatchObject({
      code: expect.stringMatching(/^SQLITE_CONSTRAINT/),
    });
    expect((await ledger.head('other')).size).toBe(0);
  });

  it('given a row rewritten to hold another entry, when read, then LEDGER_CORRUPT', async () => {
    await ledger.append('acme', [note(1), note(2)]);
    const tamper = sqliteTamper(db);
    await tamper.swap('acme', 1, 2);
    const error = await caught(all<StoredEntry>(ledger.read('acme')));
    expect(GovgateError.is(error, 'LEDGER_CORRUPT')).toBe(true);
  });

  it('given raw rows, when read raw, then each names its rowid', async () => {
    await ledger.append('acme', [note(1)]);
    const raw = await all(ledger.readRaw('acme'));
    expect(raw.map((r) => r.location)).toEqual(['ledger_entries rowid 1']);
  });
});

describe('SqliteLedger shared by two connections to one file', () => {
  let dir: string;
  let dbs: SqliteDatabase[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govgate-sqlite-shared-'));
    dbs = [0, 1].map(() => openSqlite({ file: join(dir, 'govgate.db') }));
    migrate(dbs[0] as SqliteDatabase);
  });
  afterEach(async () => {
    for (const db of dbs) db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given two writers, when they append to one tenant concurrently, then the chain stays gapless and valid', async () => {
    const ledgers = dbs.map((db) => new SqliteLedger(db));
    await Promise.all(
      ledgers.flatMap((l, w) =>
        Array.from({ length: 4 }, async (_, a) => {
          for (let i = 0; i < 50; i++) await l.append('acme', [note(w * 1000 + a * 100 + i)]);
        }),
      ),
    );
    expect(await verifyLedger(ledgers[1] as SqliteLedger, 'acme')).toMatchObject({
      ok: true,
      checked: 400,
    });
  });
});

describe('sqliteModule', () => {
  it('given the stores, when loaded into a container, then every port token resolves to them', () => {
    const db = openSqlite({ file: ':memory:' });
    const stores = sqliteStores(db);
    const container = new Container();
    container.loadSync(sqliteModule(stores));
    const bound = [LEDGER, POLICY_STORE, TENANT_STORE, KEY_STORE, RATE_LIMIT_STORE, USAGE_STORE];
    const expected = [
      stores.ledger,
      stores.policies,
      stores.tenants,
      stores.keys,
      stores.rateLimits,
      stores.usage,
    ];
    bound.forEach((token, n) => expect(container.get(token)).toBe(expected[n]));
    db.close();
  });

  it('given stores without a ledger, when loaded, then LEDGER is left for another adapter', () => {
    const db = openSqlite({ file: ':memory:' });
    const container = new Container();
    container.loadSync(sqliteModule(sqliteStores(db, { ledger: false })));
    expect(container.isBound(LEDGER)).toBe(false);
    db.close();
  });
});
