import type { LedgerTamper } from '@govgate/core/testing';
import type postgres from 'postgres';
import type { Sql } from '../connection.js';

/**
 * Edits ledger rows as an attacker with superuser access would: each edit runs in a
 * transaction with `session_replication_role = replica`, which keeps the append-only
 * triggers from firing. Positions are values of the seq column (storage order).
 */
export function pgTamper(sql: Sql): LedgerTamper {
  const asAttacker = async (
    edit: (tx: postgres.TransactionSql) => Promise<unknown>,
  ): Promise<void> => {
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await edit(tx);
    });
  };
  return {
    rewrite: (tenant, seq, bytes) =>
      asAttacker(
        (tx) =>
          tx`update ledger_entries set bytes = ${bytes} where tenant = ${tenant} and seq = ${seq}`,
      ),
    remove: (tenant, seq) =>
      asAttacker((tx) => tx`delete from ledger_entries where tenant = ${tenant} and seq = ${seq}`),
    swap: (tenant, a, b) =>
      asAttacker(
        (tx) => tx`
          update ledger_entries e set bytes = o.bytes, hash = o.hash
          from ledger_entries o
          where e.tenant = ${tenant} and o.tenant = ${tenant}
            and ((e.seq = ${a} and o.seq = ${b}) or (e.seq = ${b} and o.seq = ${a}))`,
      ),
    insertAfter: (tenant, seq, bytes) =>
      asAttacker(async (tx) => {
        // Two steps, so that no intermediate state collides with the primary key.
        await tx`update ledger_entries set seq = -seq - 1 where tenant = ${tenant} and seq > ${seq}`;
        await tx`update ledger_entries set seq = -seq where tenant = ${tenant} and seq < 0`;
        await tx`insert into ledger_entries (tenant, seq, bytes, hash)
                 values (${tenant}, ${seq + 1}, ${bytes}, 'forged')`;
      }),
    truncate: (tenant, keep) =>
      asAttacker((tx) => tx`delete from ledger_entries where tenant = ${tenant} and seq > ${keep}`),
    rawBytes: async (tenant, seq) => {
      const rows = await sql<{ bytes: string }[]>`
        select bytes from ledger_entries where tenant = ${tenant} and seq = ${seq}`;
      return rows[0]?.bytes ?? '';
    },
  };
}
