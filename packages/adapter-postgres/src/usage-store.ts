import {
  GovgateError,
  USAGE_COUNTERS,
  checkUsage,
  checkUsageQuery,
  type UsageCounter,
  type UsageCounts,
  type UsageQuery,
  type UsageRow,
  type UsageStorePort,
} from '@govgate/core';
import { type SQL, and, eq, gte, lte, sql as raw } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { guarded, sqlState } from './errors.js';
import { usageCounters } from './schema.js';

/** The column of each counter: a compile error here when core adds a counter. */
const COLUMNS = {
  requests: usageCounters.requests,
  decisions: usageCounters.decisions,
  allowed: usageCounters.allowed,
  denied: usageCounters.denied,
  rejected: usageCounters.rejected,
  rateLimited: usageCounters.rateLimited,
} as const satisfies Record<UsageCounter, PgColumn>;

/** Postgres SQLSTATEs for a well-formed but impossible date (2026-02-30). */
const BAD_DATE = new Set(['22008', '22007']);

/**
 * Usage counters per tenant, key and UTC day in Postgres; `add` is one
 * `INSERT … ON CONFLICT DO UPDATE` that increments, so concurrent adds never lose counts.
 *
 * @example
 * const usage = new PostgresUsageStore(sql);
 * await usage.add('acme', 'k1', usageDay(Date.now()), { requests: 1, allowed: 1 });
 */
export class PostgresUsageStore implements UsageStorePort {
  private readonly db: PostgresJsDatabase;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
  }

  add(tenant: string, keyId: string, day: string, counts: UsageCounts): Promise<void> {
    const problem = checkUsage(day, counts);
    if (problem !== undefined) return Promise.reject(problem);
    const values: Record<UsageCounter, number> = { ...zero() };
    const increments: Partial<Record<UsageCounter, SQL>> = {};
    for (const counter of USAGE_COUNTERS) {
      values[counter] = counts[counter] ?? 0;
      const column = COLUMNS[counter];
      increments[counter] = raw`${column} + excluded.${raw.identifier(column.name)}`;
    }
    return guarded('could not add usage', async () => {
      try {
        await this.db
          .insert(usageCounters)
          .values({ tenant, keyId, day, ...values })
          .onConflictDoUpdate({
            target: [usageCounters.tenant, usageCounters.day, usageCounters.keyId],
            set: increments,
          });
      } catch (error) {
        if (BAD_DATE.has(sqlState(error) ?? ''))
          throw new GovgateError('REQUEST_INVALID', `usage day '${day}' is not a date`, {
            cause: error,
            details: [{ pointer: '/day', message: 'must be a calendar date' }],
          });
        throw error;
      }
    });
  }

  list(tenant: string, query: UsageQuery = {}): Promise<readonly UsageRow[]> {
    const problem = checkUsageQuery(query);
    if (problem !== undefined) return Promise.reject(problem);
    return guarded('could not list usage', async () => {
      const rows = await this.db
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
        .orderBy(usageCounters.day, raw`${usageCounters.keyId} collate "C"`);
      return rows.map((row) => ({
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
      }));
    });
  }
}

function zero(): Record<UsageCounter, number> {
  return { requests: 0, decisions: 0, allowed: 0, denied: 0, rejected: 0, rateLimited: 0 };
}
