import { describe, expect, it } from '@jest/globals';
import { takeToken, type BucketState } from './token-bucket.js';

const spec = { capacity: 3, perSeconds: 3 }; // one token per second

describe('takeToken', () => {
  it('starts full and refuses once empty, saying when a token returns', () => {
    let state: BucketState | undefined;
    const results = [];
    for (let n = 0; n < 4; n++) {
      const r = takeToken(state, spec, 1000);
      state = r.state;
      results.push(r.result);
    }
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]?.retryAfterMs).toBe(1000);
    expect(results[3]?.resetMs).toBe(3000);
  });

  it('refills with time and never beyond capacity', () => {
    const empty = { tokens: 0, updatedMs: 0 };
    expect(takeToken(empty, spec, 1500).result).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeToken(empty, spec, 60_000).result).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('refills nothing when the clock goes backwards', () => {
    expect(takeToken({ tokens: 0, updatedMs: 5000 }, spec, 1000).result.allowed).toBe(false);
  });
});
