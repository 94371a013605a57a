import {
  USAGE_COUNTERS,
  checkUsage,
  checkUsageQuery,
  type UsageCounts,
  type UsageQuery,
  type UsageRow,
  type UsageStorePort,
} from '@govgate/core';
import { and, asc, eq, gte, lte, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { guarded, type SqliteDatabase } from './database.js';
import { usageCounters } from './schema.js';

type CounterRow = typeof usageCounters.$inferSelect;

function toRow(row: CounterRow): UsageRow {
  return {
    tenant: row.tenant,
    keyId: row.keyId,
    day: row.day,
    counts: {
      requests: row.requests,
      decisions: row.decisions,
      allowed: row.allowed,
      denied: row.denied,
      rejected: row.rejected,
      rateLimited: row.rateLimited,
    },
  };
}

/**
 * Usage counters per tenant, key and UTC day in SQLite; `add` is one
 * `INSERT … ON CONFLICT DO UPDATE` adding to the counters.
 *
 * @example
 * const usage = new SqliteUsageStore(db);
 * await usage.add('acme', 'key_1', usageDay(Date.now()), { requests: 1, allowed: 1 });
 * const rows = await usage.list('acme', { fromDay: '2026-01-01' });
 */
export class SqliteUsageStore implements UsageStorePort {
  private upsert: ReturnType<SqliteUsageStore['prepareAdd']> | undefined;

  constructor(private readonly db: SqliteDatabase) {}

  /** One prepared upsert adding every counter (0 for those not given). */
  private prepareAdd() {
    const values: Record<string, Placeholder> = {};
    const increments: Record<string, SQL> = {};
    for (const counter of USAGE_COUNTERS) {
      values[counter] = sql.placeholder(counter);
      increments[counter] =
        sql`${usageCounters[counter]} + excluded.${sql.identifier(usageCounters[counter].name)}`;
    }
    return this.db.orm
      .insert(usageCounters)
      .values({
        tenant: sql.placeholder('tenant'),
        keyId: sql.placeholder('keyId'),
        day: sql.placeholder('day'),
        ...values,
      })
      .onConflictDoUpdate({
        target: [usageCounters.tenant, usageCounters.day, usageCounters.keyId],
        set: increments,
      })
      .prepare();
  }

  add(tenant: string, keyId: string, day: string, counts: UsageCounts): Promise<void> {
    const problem = checkUsage(day, counts);
    if (problem !== undefined) return Promise.reject(problem);
    const params: Record<string, string | number> = { tenant, keyId, day };
    for (const counter of USAGE_COUNTERS) params[counter] = counts[counter] ?? 0;
    return guarded('add usage', () => {
      this.upsert ??= this.prepareAdd();
      this.upsert.run(params);
    });
  }

  list(tenant: string, query: UsageQuery = {}): Promise<readonly UsageRow[]> {
    const problem = checkUsageQuery(query);
    if (problem !== undefined) return Promise.reject(problem);
    return guarded('list usage', () =>
      this.db.orm
        .select()
        .from(usageCounters)
        .where(
          and(
            eq(usageCounters.tenant, tenant),
            query.keyId === undefined ? undefined : eq(usageCounters.keyId, query.keyId),
            query.fromDay === undefined ? undefined : gte(usageCounters.day, query.fromDay),
            query.toDay === undefined ? undefined : lte(usageCounters.day, query.toDay),
          ),
        )
        .orderBy(asc(usageCounters.day), asc(usageCounters.keyId))
        .all()
        .map(toRow),
    );
  }
}
