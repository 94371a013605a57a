import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GovgateError, verifyLedger, type AppendRequest } from '@govgate/core';
import { PostgresLedger } from './postgres-ledger.js';
import { pgTamper } from './testing/pg-tamper.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const request = (n: number): AppendRequest => ({ type: 'decision', actor: 'a', data: { n } });

describe('PostgresLedger', () => {
  let database: TestDatabase;
  let ledger: PostgresLedger;

  beforeAll(async () => {
    database = await createTestDatabase();
    ledger = new PostgresLedger(database.sql, { maxBatchEntries: 50 });
  }, 30_000);
  afterAll(async () => {
    await ledger?.close();
    await database?.drop();
  }, 30_000);

  it('given appends to several tenants made together, when committed, then each chain is gapless and valid', async () => {
    const tenants = ['multi-a', 'multi-b', 'multi-c'];
    await Promise.all(
      tenants.flatMap((tenant) =>
        Array.from({ length: 40 }, (_, n) => ledger.append(tenant, [request(n)])),
      ),
    );
    const reports = await Promise.all(tenants.map((tenant) => verifyLedger(ledger, tenant)));
    expect(reports.map((r) => [r.ok, r.checked])).toEqual(tenants.map(() => [true, 40]));
  });

  it('given a row squatting the next seq, when appending, then the append fails with LEDGER_CORRUPT and the head stays', async () => {
    await ledger.append('squatted', [request(1)]);
    await pgTamper(database.sql).insertAfter('squatted', 1, '{"squatter":true}');
    const error: unknown = await ledger.append('squatted', [request(2)]).catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_CORRUPT')).toBe(true);
    expect((error as Error).cause).toBeDefined();
    expect((await ledger.head('squatted')).size).toBe(1);
  });

  it('given a stored row that is not an entry, when read, then LEDGER_CORRUPT names the row', async () => {
    await ledger.append('corrupted', [request(1), request(2)]);
    await pgTamper(database.sql).rewrite('corrupted', 2, 'not json');
    const error: unknown = await (async () => {
      for await (const _ of ledger.read('corrupted'));
    })().catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain('ledger_entries(corrupted, 2)');
  });

  it('given a closed ledger, when appending, then the append is refused with LEDGER_UNAVAILABLE', async () => {
    const closed = new PostgresLedger(database.sql);
    await closed.close();
    const error: unknown = await closed.append('late', [request(1)]).catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
  });
});
