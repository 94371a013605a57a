import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { verifyLedger, type AppendRequest } from '@govgate/core';
import postgres from 'postgres';
import { PostgresLedger } from './postgres-ledger.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const APPENDERS = 16;
const PER_APPENDER = 500;
const TOTAL = APPENDERS * PER_APPENDER;

const request = (n: number): AppendRequest => ({
  type: 'decision',
  actor: 'instance-test',
  data: { n },
});

describe('PostgresLedger: two service instances appending to one tenant', () => {
  let database: TestDatabase;
  let pools: postgres.Sql[];
  let instances: PostgresLedger[];
  const tenant = 'shared-tenant';

  beforeAll(async () => {
    database = await createTestDatabase();
    // Two separate client pools: what two service processes would hold.
    pools = [0, 1].map(() => postgres(database.url, { max: 4, onnotice: () => undefined }));
    instances = pools.map((sql) => new PostgresLedger(sql));
    // given 16 appenders, half on each instance, appending one entry at a time
    await Promise.all(
      Array.from({ length: APPENDERS }, async (_, a) => {
        const ledger = instances[a % 2] as PostgresLedger;
        for (let i = 0; i < PER_APPENDER; i++) await ledger.append(tenant, [request(a * 1000 + i)]);
      }),
    );
  }, 240_000);

  afterAll(async () => {
    for (const ledger of instances ?? []) await ledger.close();
    for (const sql of pools ?? []) await sql.end({ timeout: 5 });
    await database?.drop();
  }, 60_000);

  it('then the head counts every entry appended through either instance', async () => {
    expect((await instances[0]?.head(tenant))?.size).toBe(TOTAL);
    expect(await instances[1]?.head(tenant)).toEqual(await instances[0]?.head(tenant));
  });

  it('then the seqs run from 1 to the total without a gap', async () => {
    const seqs: number[] = [];
    for await (const stored of (instances[1] as PostgresLedger).read(tenant))
      seqs.push(stored.entry.seq);
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
  });

  it('then verifyLedger finds the whole chain valid', async () => {
    expect(await verifyLedger(instances[0] as PostgresLedger, tenant)).toMatchObject({
      ok: true,
      checked: TOTAL,
    });
  });
});
