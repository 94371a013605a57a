import {
  takeToken,
  type RateLimitResult,
  type RateLimitSpec,
  type RateLimitStorePort,
} from '@govgate/core';
import { and, eq, sql } from 'drizzle-orm';
import { guarded, type SqliteDatabase } from './database.js';
import { rateLimitBuckets } from './schema.js';

interface TakeArgs {
  readonly tenant: string;
  readonly bucket: string;
  readonly spec: RateLimitSpec;
  readonly nowMs: number;
  readonly cost: number;
}

/**
 * Token buckets in SQLite, shared by every process using the database file. A take
 * reads, computes (`takeToken`) and writes the bucket in one `BEGIN IMMEDIATE`
 * transaction, so concurrent takers, in this process or another, never share a token.
 *
 * @example
 * const limits = new SqliteRateLimitStore(db);
 * const { allowed, retryAfterMs } = await limits.take('acme', 'key_1', { capacity: 100, perSeconds: 60 }, Date.now());
 */
export class SqliteRateLimitStore implements RateLimitStorePort {
  private transaction: ((args: TakeArgs) => RateLimitResult) | undefined;

  constructor(private readonly db: SqliteDatabase) {}

  /** The take as one prepared transaction (prepared on first use). */
  private prepare(): (args: TakeArgs) => RateLimitResult {
    const read = this.db.orm
      .select({ tokens: rateLimitBuckets.tokens, updatedMs: rateLimitBuckets.updatedMs })
      .from(rateLimitBuckets)
      .where(
        and(
          eq(rateLimitBuckets.tenant, sql.placeholder('tenant')),
          eq(rateLimitBuckets.bucket, sql.placeholder('bucket')),
        ),
      )
      .prepare();
    const write = this.db.orm
      .insert(rateLimitBuckets)
      .values({
        tenant: sql.placeholder('tenant'),
        bucket: sql.placeholder('bucket'),
        tokens: sql.placeholder('tokens'),
        updatedMs: sql.placeholder('updatedMs'),
      })
      .onConflictDoUpdate({
        target: [rateLimitBuckets.tenant, rateLimitBuckets.bucket],
        set: { tokens: sql`excluded.tokens`, updatedMs: sql`excluded.updated_ms` },
      })
      .prepare();
    const take = this.db.client.transaction(({ tenant, bucket, spec, nowMs, cost }: TakeArgs) => {
      const { state, result } = takeToken(read.get({ tenant, bucket }), spec, nowMs, cost);
      write.run({ tenant, bucket, tokens: state.tokens, updatedMs: state.updatedMs });
      return result;
    });
    return (args) => take.immediate(args);
  }

  take(
    tenant: string,
    bucket: string,
    spec: RateLimitSpec,
    nowMs: number,
    cost = 1,
  ): Promise<RateLimitResult> {
    return guarded(`take from rate-limit bucket '${bucket}'`, () => {
      this.transaction ??= this.prepare();
      return this.transaction({ tenant, bucket, spec, nowMs, cost });
    });
  }
}
