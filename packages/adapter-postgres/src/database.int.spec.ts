import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GovgateError,
  KEY_STORE,
  LEDGER,
  POLICY_STORE,
  RATE_LIMIT_STORE,
  TENANT_STORE,
  USAGE_STORE,
} from '@govgate/core';
import { Container } from 'inversify';
import { openPostgres, type PostgresDatabase } from './database.js';
import { postgresModule } from './module.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const count = async (database: TestDatabase, table: string): Promise<number> =>
  (await database.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`))[0]?.n ??
  -1;

describe('openPostgres with the ledger in a separate database', () => {
  let main: TestDatabase;
  let audit: TestDatabase;
  let db: PostgresDatabase;

  beforeAll(async () => {
    main = await createTestDatabase({ migrated: false });
    audit = await createTestDatabase({ migrated: false });
    db = await openPostgres({ url: main.url, ledgerUrl: audit.url });
    await db.migrate();
    await db.stores.ledger.append('acme', [{ type: 'decision', actor: 'a', data: {} }]);
    await db.stores.tenants.create({ id: 'acme', name: 'Acme', createdAt: 'now' });
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await main?.drop();
    await audit?.drop();
  }, 60_000);

  it('when an entry is appended, then it is stored in the ledger database only', async () => {
    expect([await count(audit, 'ledger_entries'), await count(main, 'ledger_entries')]).toEqual([
      1, 0,
    ]);
  });

  it('when a tenant is created, then it is stored in the main database only', async () => {
    expect([await count(main, 'tenants'), await count(audit, 'tenants')]).toEqual([1, 0]);
  });

  it('when the migration status is asked, then both databases are up to date', async () => {
    const status = await db.migrationStatus();
    expect([status.store.upToDate, status.ledger.upToDate]).toEqual([true, true]);
  });

  it('when its stores are loaded into a container, then every port token resolves to them', () => {
    const container = new Container();
    container.loadSync(postgresModule(db.stores));
    expect([
      container.get(LEDGER),
      container.get(POLICY_STORE),
      container.get(TENANT_STORE),
      container.get(KEY_STORE),
      container.get(RATE_LIMIT_STORE),
      container.get(USAGE_STORE),
    ]).toEqual([
      db.stores.ledger,
      db.stores.policies,
      db.stores.tenants,
      db.stores.keys,
      db.stores.rateLimits,
      db.stores.usage,
    ]);
  });
});

describe('openPostgres with an unreachable server', () => {
  it('when opened, then the error names the setting and masks the password', async () => {
    const error: unknown = await openPostgres({
      url: 'postgres://app:s3cret@127.0.0.1:1/govgate',
      settingNames: { url: 'GOVGATE_DATABASE_URL' },
      connectTimeoutSeconds: 5,
    }).catch((e: unknown) => e);
    expect(GovgateError.is(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('GOVGATE_DATABASE_URL');
    expect((error as Error).message).toContain('app:***@127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
