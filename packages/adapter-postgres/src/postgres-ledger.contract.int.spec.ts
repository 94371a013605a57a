import { ledgerContract } from '@govgate/core/testing';
import { PostgresLedger } from './postgres-ledger.js';
import { pgTamper } from './testing/pg-tamper.js';
import { createTestDatabase } from './testing/test-database.js';

ledgerContract('PostgresLedger', async () => {
  const database = await createTestDatabase();
  const ledger = new PostgresLedger(database.sql);
  return {
    ledger,
    tamper: pgTamper(database.sql),
    teardown: async () => {
      await ledger.close();
      await database.drop();
    },
  };
});

ledgerContract('PostgresLedger with small batches and pages', async () => {
  const database = await createTestDatabase();
  const ledger = new PostgresLedger(database.sql, { maxBatchEntries: 7, readPageSize: 3 });
  return {
    ledger,
    tamper: pgTamper(database.sql),
    teardown: async () => {
      await ledger.close();
      await database.drop();
    },
  };
});
