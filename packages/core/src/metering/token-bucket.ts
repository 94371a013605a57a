import type { RateLimitResult, RateLimitSpec } from '../ports.js';

/** A bucket's stored state: tokens (fractional) at a moment. */
export interface BucketState {
  readonly tokens: number;
  readonly updatedMs: number;
}

/**
 * One token-bucket take, as a pure function of the stored state, so every store
 * (memory, SQLite, Postgres) computes the same answer. The bucket starts full,
 * refills continuously at `capacity / perSeconds` per second, and never exceeds
 * `capacity`. A clock that goes backwards refills nothing.
 *
 * @example
 * const { state, result } = takeToken(undefined, { capacity: 100, perSeconds: 60 }, Date.now());
 */
export function takeToken(
  previous: BucketState | undefined,
  spec: RateLimitSpec,
  nowMs: number,
  cost = 1,
): { state: BucketState; result: RateLimitResult } {
  const ratePerMs = spec.capacity / (spec.perSeconds * 1000);
  const elapsed = previous === undefined ? 0 : Math.max(0, nowMs - previous.updatedMs);
  const available =
    previous === undefined
      ? spec.capacity
      : Math.min(spec.capacity, previous.tokens + elapsed * ratePerMs);
  const allowed = available >= cost;
  const tokens = allowed ? available - cost : available;
  const state = { tokens, updatedMs: Math.max(nowMs, previous?.updatedMs ?? nowMs) };
  return {
    state,
    result: {
      allowed,
      remaining: Math.floor(tokens),
      retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / ratePerMs),
      resetMs: Math.ceil((spec.capacity - tokens) / ratePerMs),
    },
  };
}
