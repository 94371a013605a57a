import type { LedgerTamper } from '@govgate/core/testing';
import type { SqliteDatabase } from '../database.js';

interface Row {
  readonly bytes: string;
  readonly hash: string;
}

/**
 * Edits ledger rows the way an attacker with write access to the database file would:
 * drops the insert-only triggers, rewrites the tenant's rows (positions are the rows
 * in `seq` order, renumbered 1..n after the edit, as someone covering their tracks
 * would), recreates the triggers, all in one transaction. The head row is left alone.
 */
export function sqliteTamper(
  db: SqliteDatabase,
  afterEdit?: (tenant: string) => void,
): LedgerTamper {
  const c = db.client;
  const rowsOf = (tenant: string): Row[] =>
    c
      .prepare<[string], Row>(
        'SELECT bytes, hash FROM ledger_entries WHERE tenant = ? ORDER BY seq',
      )
      .all(tenant);

  const edit = (tenant: string, change: (rows: Row[]) => void): Promise<void> => {
    c.transaction(() => {
      const triggers = c
        .prepare<[], { name: string; sql: string }>(
          "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger_entries'",
        )
        .all();
      for (const t of triggers) c.exec(`DROP TRIGGER "${t.name}"`);
      const rows = rowsOf(tenant);
      change(rows);
      c.prepare('DELETE FROM ledger_entries WHERE tenant = ?').run(tenant);
      const insert = c.prepare(
        'INSERT INTO ledger_entries (tenant, seq, bytes, hash) VALUES (?, ?, ?, ?)',
      );
      rows.forEach((row, n) => insert.run(tenant, n + 1, row.bytes, row.hash));
      for (const t of triggers) c.exec(t.sql);
    }).immediate();
    afterEdit?.(tenant);
    return Promise.resolve();
  };

  return {
    rewrite: (tenant, seq, bytes) =>
      edit(tenant, (rows) => rows.splice(seq - 1, 1, { bytes, hash: rows[seq - 1]?.hash ?? '' })),
    remove: (tenant, seq) => edit(tenant, (rows) => rows.splice(seq - 1, 1)),
    swap: (tenant, a, b) =>
      edit(tenant, (rows) => {
        const x = rows[a - 1] as Row;
        rows[a - 1] = rows[b - 1] as Row;
        rows[b - 1] = x;
      }),
    insertAfter: (tenant, seq, bytes) =>
      edit(tenant, (rows) => rows.splice(seq, 0, { bytes, hash: '' })),
    truncate: (tenant, keep) => edit(tenant, (rows) => rows.splice(keep)),
    rawBytes: (tenant, seq) => Promise.resolve(rowsOf(tenant)[seq - 1]?.bytes ?? ''),
  };
}
