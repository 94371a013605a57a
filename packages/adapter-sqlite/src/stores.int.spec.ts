import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { migrate, openSqlite, type SqliteDatabase } from './database.js';
import { SqliteTenantStore } from './sqlite-key-store.js';
import { SqliteRateLimitStore } from './sqlite-rate-limit-store.js';
import { SqliteUsageStore } from './sqlite-usage-store.js';

describe('SQLite stores shared by two connections to one file', () => {
  let dir: string;
  let dbs: SqliteDatabase[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govgate-sqlite-stores-'));
    dbs = [0, 1].map(() => openSqlite({ file: join(dir, 'govgate.db') }));
    migrate(dbs[0] as SqliteDatabase);
  });
  afterEach(async () => {
    for (const db of dbs) db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given 8 takers over two connections, when they drain a bucket of 100, then exactly 100 succeed', async () => {
    const stores = dbs.map((db) => new SqliteRateLimitStore(db));
    const spec = { capacity: 100, perSeconds: 3600 };
    const now = Date.UTC(2026, 0, 1);
    const allowed = await Promise.all(
      Array.from({ length: 8 }, async (_, taker) => {
        let n = 0;
        for (let i = 0; i < 25; i++)
          if ((await stores[taker % 2]?.take('acme', 'key-1', spec, now))?.allowed === true) n++;
        return n;
      }),
    );
    expect(allowed.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('given counts added over two connections, when listed, then they are summed in one row', async () => {
    const stores = dbs.map((db) => new SqliteUsageStore(db));
    await stores[0]?.add('acme', 'k', '2026-01-01', { requests: 2, allowed: 1 });
    await stores[1]?.add('acme', 'k', '2026-01-01', { requests: 3, denied: 1 });
    expect((await stores[0]?.list('acme'))?.map((r) => r.counts)).toEqual([
      { requests: 5, decisions: 0, allowed: 1, denied: 1, rejected: 0, rateLimited: 0 },
    ]);
  });
});

describe('SqliteTenantStore', () => {
  it('given an id that is not a tenant id, when created, then TENANT_INVALID and nothing is stored', async () => {
    const db = openSqlite({ file: ':memory:' });
    migrate(db);
    const tenants = new SqliteTenantStore(db);
    const error: unknown = await tenants
      .create({ id: '../escape', name: 'x', createdAt: new Date(0).toISOString() })
      .catch((e: unknown) => e);
    expect(GovgateError.is(error, 'TENANT_INVALID')).toBe(true);
    expect(await tenants.list()).toEqual([]);
    db.close();
  });
});
