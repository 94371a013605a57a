import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { migrate, openSqlite, type SqliteDatabase } from './database.js';
import { SqliteLedger } from './sqlite-ledger.js';

const note = { type: 'decision', actor: 'test', data: { n: 1 } } as const;

describe('the insert-only audit wall (triggers)', () => {
  let db: SqliteDatabase;
  let ledger: SqliteLedger;
  beforeEach(async () => {
    db = openSqlite({ file: ':memory:' });
    migrate(db);
    ledger = new SqliteLedger(db);
    await ledger.append('acme', [note, note, note]);
  });
  afterEach(async () => {
    await ledger.close();
    db.close();
  });

  const run =
    (sql: string, ...params: unknown[]) =>
    () =>
      db.client.prepare(sql).run(...params);

  it('given entries, when one is updated, then the database aborts', () => {
    expect(run("UPDATE ledger_entries SET bytes = '{}' WHERE tenant = 'acme' AND seq = 2")).toThrow(
      /append-only: UPDATE/,
    );
  });

  it('given entries, when one is deleted, then the database aborts', () => {
    expect(run("DELETE FROM ledger_entries WHERE tenant = 'acme' AND seq = 3")).toThrow(
      /append-only: DELETE/,
    );
  });

  it('given entries, when one is inserted past a gap, then the database aborts', () => {
    expect(
      run("INSERT INTO ledger_entries (tenant, seq, bytes, hash) VALUES ('acme', 5, '{}', 'x')"),
    ).toThrow(/without gaps/);
  });

  it('given a head, when it is deleted, then the database aborts', () => {
    expect(run("DELETE FROM ledger_heads WHERE tenant = 'acme'")).toThrow(/cannot be deleted/);
  });

  it('given a head, when it is moved back, then the database aborts', () => {
    expect(run("UPDATE ledger_heads SET size = 2 WHERE tenant = 'acme'")).toThrow(/only advances/);
  });

  it('given a head, when it is moved past the last entry, then the database aborts', () => {
    expect(run("UPDATE ledger_heads SET size = 9 WHERE tenant = 'acme'")).toThrow(/only advances/);
  });

  it('given a new tenant, when a head naming no entry is inserted, then the database aborts', () => {
    expect(run("INSERT INTO ledger_heads (tenant, size, hash) VALUES ('other', 1, 'x')")).toThrow(
      /existing entry/,
    );
  });

  it('given entries, when more are appended, then the head advances onto the last one', async () => {
    const [entry] = await ledger.append('acme', [note]);
    expect(await ledger.head('acme')).toEqual({ size: 4, hash: entry?.hash });
  });
});
