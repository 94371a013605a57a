import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresLedger } from './postgres-ledger.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

describe('PostgresLedger onCommit', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('reports every committed batch with its entry count', async () => {
    const commits: number[] = [];
    const ledger = new PostgresLedger(database.sql, { onCommit: (n) => commits.push(n) });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ledger.append('acme', [{ type: 'decision', actor: 'k', data: { i } }]),
      ),
    );
    expect(commits.reduce((a, b) => a + b, 0)).toBe(30);
    expect(commits.length).toBeLessThan(30);
    await ledger.close();
  });
});
