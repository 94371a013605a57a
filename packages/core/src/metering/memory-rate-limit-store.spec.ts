import { describe, expect, it } from '@jest/globals';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';

const spec = { capacity: 2, perSeconds: 1 };

describe('MemoryRateLimitStore', () => {
  it('keeps buckets per tenant and name', async () => {
    const store = new MemoryRateLimitStore();
    await store.take('a', 'k', spec, 0);
    await store.take('a', 'k', spec, 0);
    expect((await store.take('a', 'k', spec, 0)).allowed).toBe(false);
    expect((await store.take('b', 'k', spec, 0)).allowed).toBe(true);
  });

  it('drops refilled buckets when full, and never one that still throttles', async () => {
    const store = new MemoryRateLimitStore(2);
    await store.take('a', 'idle', spec, 0);
    await store.take('a', 'busy', spec, 1000);
    await store.take('a', 'busy', spec, 1000);
    // at 1,600 ms 'idle' is full again (forgettable) and 'busy' is not
    await store.take('a', 'new', spec, 1600);
    const busy = await store.take('a', 'busy', spec, 1600);
    expect(busy).toMatchObject({ allowed: true, remaining: 0 });
    expect((await store.take('a', 'busy', spec, 1600)).allowed).toBe(false);
  });
});
