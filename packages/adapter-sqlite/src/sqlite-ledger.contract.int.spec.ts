import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerContract } from '@govgate/core/testing';
import { migrate, openSqlite } from './database.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { sqliteTamper } from './testing/sqlite-tamper.js';

ledgerContract('SqliteLedger on a file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-sqlite-ledger-'));
  const db = openSqlite({ file: join(dir, 'govgate.db') });
  migrate(db);
  const ledger = new SqliteLedger(db);
  return {
    ledger,
    tamper: sqliteTamper(db, (tenant) => ledger.forget(tenant)),
    teardown: async () => {
      await ledger.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

ledgerContract('SqliteLedger in memory with small batches and pages', () => {
  const db = openSqlite({ file: ':memory:' });
  migrate(db);
  const ledger = new SqliteLedger(db, { maxBatchEntries: 7, pageSize: 3 });
  return Promise.resolve({
    ledger,
    tamper: sqliteTamper(db, (tenant) => ledger.forget(tenant)),
    teardown: async () => {
      await ledger.close();
      db.close();
    },
  });
});
