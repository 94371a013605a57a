import type { EvidenceIndexPort, EvidenceIndexRow } from '@govgate/core';
import { and, asc, eq, sql } from 'drizzle-orm';
import { guarded, type SqliteDatabase } from './database.js';
import { evidenceIndex, evidenceWatermarks } from './schema.js';

/**
 * The evidence index in SQLite: which ledger entries are evidence of which run, and up
 * to which seq each tenant's chain was scanned. `add` is one transaction of
 * `INSERT … ON CONFLICT DO NOTHING`, so adding a row again keeps the first.
 *
 * @example
 * const index = new SqliteEvidenceIndex(db);
 * await index.add('acme', [{ runId: 'run-1', seq: 7, type: 'eval.accuracy' }]);
 * await index.setWatermark('acme', 7);
 * const rows = await index.list('acme', { runId: 'run-1' });
 */
export class SqliteEvidenceIndex implements EvidenceIndexPort {
  private insert: ReturnType<SqliteEvidenceIndex['prepareInsert']> | undefined;

  constructor(private readonly db: SqliteDatabase) {}

  // One prepared row insert run per row: a multi-row VALUES would hit SQLite's limit
  // on bound parameters for large batches.
  private prepareInsert() {
    return this.db.orm
      .insert(evidenceIndex)
      .values({
        tenant: sql.placeholder('tenant'),
        seq: sql.placeholder('seq'),
        runId: sql.placeholder('runId'),
        type: sql.placeholder('type'),
      })
      .onConflictDoNothing()
      .prepare();
  }

  add(tenant: string, rows: readonly EvidenceIndexRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return guarded(`add ${rows.length} rows to the evidence index`, () => {
      this.insert ??= this.prepareInsert();
      const insert = this.insert;
      this.db.orm.transaction(
        () => {
          for (const { runId, seq, type } of rows) insert.run({ tenant, seq, runId, type });
        },
        { behavior: 'immediate' },
      );
    });
  }

  list(
    tenant: string,
    query: { readonly runId?: string } = {},
  ): Promise<readonly EvidenceIndexRow[]> {
    return guarded('list the evidence index', () =>
      this.db.orm
        .select({ runId: evidenceIndex.runId, seq: evidenceIndex.seq, type: evidenceIndex.type })
        .from(evidenceIndex)
        .where(
          query.runId === undefined
            ? eq(evidenceIndex.tenant, tenant)
            : and(eq(evidenceIndex.tenant, tenant), eq(evidenceIndex.runId, query.runId)),
        )
        .orderBy(asc(evidenceIndex.seq))
        .all(),
    );
  }

  watermark(tenant: string): Promise<number> {
    return guarded('read the evidence index watermark', () => {
      const row = this.db.orm
        .select({ seq: evidenceWatermarks.seq })
        .from(evidenceWatermarks)
        .where(eq(evidenceWatermarks.tenant, tenant))
        .get();
      return row?.seq ?? 0;
    });
  }

  setWatermark(tenant: string, seq: number): Promise<void> {
    return guarded(`raise the evidence index watermark to ${seq}`, () => {
      this.db.orm
        .insert(evidenceWatermarks)
        .values({ tenant, seq })
        .onConflictDoUpdate({
          target: evidenceWatermarks.tenant,
          set: { seq: sql`max(${evidenceWatermarks.seq}, excluded.${sql.identifier('seq')})` },
        })
        .run();
    });
  }
}
