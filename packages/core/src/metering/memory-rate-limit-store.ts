import type { RateLimitResult, RateLimitSpec, RateLimitStorePort } from '../ports.js';
import { takeToken, type BucketState } from './token-bucket.js';

/**
 * Token buckets in this process's memory: for one service instance (the SQLite mode,
 * where the file ledger's lock already rules out a second one) and for tests. A bucket
 * that has refilled completely is the same as no bucket, so idle ones are dropped
 * when the map grows past `maxBuckets`.
 *
 * @example
 * const limits = new MemoryRateLimitStore();
 * const { allowed } = await limits.take('acme', 'key:abc', { capacity: 100, perSeconds: 60 }, Date.now());
 */
export class MemoryRateLimitStore implements RateLimitStorePort {
  private readonly buckets = new Map<string, { state: BucketState; fullAt: number }>();

  constructor(private readonly maxBuckets = 100_000) {}

  take(
    tenant: string,
    bucket: string,
    spec: RateLimitSpec,
    nowMs: number,
    cost = 1,
  ): Promise<RateLimitResult> {
    const key = `${tenant}\u0000${bucket}`;
    const { state, result } = takeToken(this.buckets.get(key)?.state, spec, nowMs, cost);
    if (this.buckets.size >= this.maxBuckets && !this.buckets.has(key)) this.sweep(nowMs);
    this.buckets.set(key, { state, fullAt: nowMs + result.resetMs });
    return Promise.resolve(result);
  }

  private sweep(nowMs: number): void {
    for (const [key, entry] of this.buckets) if (entry.fullAt <= nowMs) this.buckets.delete(key);
  }
}
