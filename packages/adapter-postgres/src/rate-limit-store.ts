import {
  takeToken,
  type RateLimitResult,
  type RateLimitSpec,
  type RateLimitStorePort,
} from '@govgate/core';
import { and, eq, sql as raw } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { guarded } from './errors.js';
import { rateLimitBuckets } from './schema.js';

/**
 * Token buckets in Postgres, shared by every service instance. A take is one
 * transaction: the bucket row is locked `FOR UPDATE` (created first if missing),
 * computed with core's `takeToken` and written back, so concurrent takes never
 * oversell. Its commit does not wait for the WAL flush (`synchronous_commit = off`
 * for that transaction only): buckets are throttling state, not records.
 *
 * @example
 * const limits = new PostgresRateLimitStore(sql);
 * const { allowed, retryAfterMs } = await limits.take('acme', 'key:k1', { capacity: 100, perSeconds: 60 }, Date.now());
 */
export class PostgresRateLimitStore implements RateLimitStorePort {
  private readonly db: PostgresJsDatabase;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
  }

  take(
    tenant: string,
    bucket: string,
    spec: RateLimitSpec,
    nowMs: number,
    cost = 1,
  ): Promise<RateLimitResult> {
    return guarded(`could not take from rate-limit bucket '${bucket}'`, () =>
      this.db.transaction(async (tx) => {
        const where = and(eq(rateLimitBuckets.tenant, tenant), eq(rateLimitBuckets.bucket, bucket));
        const lock = () =>
          tx
            .select({ tokens: rateLimitBuckets.tokens, updatedMs: rateLimitBuckets.updatedMs })
            .from(rateLimitBuckets)
            .where(where)
            .for('update');
        // A bucket is throttling state, not a record: losing the last takes in a crash
        // is harmless, so its commit does not wait for the WAL flush.
        const [, found] = await Promise.all([
          tx.execute(raw`set local synchronous_commit = off`),
          lock(),
        ]);
        let row = found[0];
        if (row === undefined) {
          // A new bucket starts full: the state takeToken assumes for none.
          await tx
            .insert(rateLimitBuckets)
            .values({ tenant, bucket, tokens: spec.capacity, updatedMs: nowMs })
            .onConflictDoNothing();
          row = (await lock())[0];
        }
        const { state, result } = takeToken(row, spec, nowMs, cost);
        await tx
          .update(rateLimitBuckets)
          .set({ tokens: state.tokens, updatedMs: state.updatedMs })
          .where(where);
        return result;
      }),
    );
  }
}
