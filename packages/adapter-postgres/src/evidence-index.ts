import type { EvidenceIndexPort, EvidenceIndexRow } from '@govgate/core';
import { and, asc, eq, sql as raw } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { guarded } from './errors.js';
import { evidenceIndex, evidenceWatermarks } from './schema.js';

/**
 * The evidence index in Postgres: which ledger entries are evidence of which run, and
 * up to which seq each tenant's chain was scanned. `add` is one statement whatever the
 * batch size (`unnest` of arrays, `ON CONFLICT DO NOTHING`: a row added again keeps
 * the first); the watermark is an upsert with `greatest`, so it never lowers.
 *
 * @example
 * const index = new PostgresEvidenceIndex(sql);
 * await index.add('acme', [{ runId: 'run-1', seq: 7, type: 'eval.accuracy' }]);
 * await index.setWatermark('acme', 7);
 * const rows = await index.list('acme', { runId: 'run-1' });
 */
export class PostgresEvidenceIndex implements EvidenceIndexPort {
  private readonly db: PostgresJsDatabase;

  constructor(private readonly sql: Sql) {
    this.db = drizzle(sql);
  }

  add(tenant: string, rows: readonly EvidenceIndexRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const seqs = rows.map((r) => r.seq);
    const runIds = rows.map((r) => r.runId);
    const types = rows.map((r) => r.type);
    return guarded(`could not add ${rows.length} rows to the evidence index`, async () => {
      // Arrays rather than a multi-row VALUES: one statement text for every batch size,
      // and no limit on bound parameters.
      await this.sql`
        insert into evidence_index (tenant, seq, run_id, type)
        select ${tenant}, * from unnest(${seqs}::bigint[], ${runIds}::text[], ${types}::text[])
        on conflict do nothing`;
    });
  }

  list(
    tenant: string,
    query: { readonly runId?: string } = {},
  ): Promise<readonly EvidenceIndexRow[]> {
    return guarded('could not list the evidence index', () =>
      this.db
        .select({ runId: evidenceIndex.runId, seq: evidenceIndex.seq, type: evidenceIndex.type })
        .from(evidenceIndex)
        .where(
          query.runId === undefined
            ? eq(evidenceIndex.tenant, tenant)
            : and(eq(evidenceIndex.tenant, tenant), eq(evidenceIndex.runId, query.runId)),
        )
        .orderBy(asc(evidenceIndex.seq)),
    );
  }

  watermark(tenant: string): Promise<number> {
    return guarded('could not read the evidence index watermark', async () => {
      const rows = await this.db
        .select({ seq: evidenceWatermarks.seq })
        .from(evidenceWatermarks)
        .where(eq(evidenceWatermarks.tenant, tenant));
      return rows[0]?.seq ?? 0;
    });
  }

  setWatermark(tenant: string, seq: number): Promise<void> {
    return guarded(`could not raise the evidence index watermark to ${seq}`, async () => {
      await this.db
        .insert(evidenceWatermarks)
        .values({ tenant, seq })
        .onConflictDoUpdate({
          target: evidenceWatermarks.tenant,
          set: { seq: raw`greatest(${evidenceWatermarks.seq}, excluded.${raw.identifier('seq')})` },
        });
    });
  }
}
