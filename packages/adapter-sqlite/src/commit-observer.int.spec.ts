import { describe, expect, it } from '@jest/globals';
import { migrate, openSqlite } from './database.js';
import { SqliteLedger } from './sqlite-ledger.js';

describe('SqliteLedger onCommit', () => {
  it('reports every committed batch with its entry count', async () => {
    const db = openSqlite({ file: ':memory:' });
    migrate(db);
    const commits: number[] = [];
    const ledger = new SqliteLedger(db, { onCommit: (n) => commits.push(n) });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ledger.append('acme', [{ type: 'decision', actor: 'k', data: { i } }]),
      ),
    );
    expect(commits.reduce((a, b) => a + b, 0)).toBe(30);
    expect(commits.length).toBeLessThan(30);
    await ledger.close();
    db.close();
  });
});
