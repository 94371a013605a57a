import { describe, expect, it } from '@jest/globals';
import { verifyLedger } from '../ledger/verify.js';
import { InMemoryLedger } from './in-memory-ledger.js';
import { ManualClock } from './in-memory-stores.js';
import { ledgerContract } from './ledger-contract.js';

ledgerContract('InMemoryLedger', () => {
  const ledger = new InMemoryLedger();
  return Promise.resolve({ ledger, tamper: ledger.tamper, teardown: () => ledger.close() });
});

describe('InMemoryLedger', () => {
  const entry = (data: Record<string, string>) => ({ type: 'app.test', actor: 'a', data });

  it('stamps each append with the clock’s time as it is then', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const ledger = new InMemoryLedger(clock);
    const [a] = await ledger.append('acme', [entry({})]);
    const [b] = await ledger.append('acme', [entry({})]);
    clock.advance(1);
    const [c] = await ledger.append('acme', [entry({})]);
    clock.set(Date.UTC(2025, 5, 1));
    const [d] = await ledger.append('acme', [entry({})]);
    expect([a?.ts, b?.ts, c?.ts, d?.ts]).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.001Z',
      '2025-06-01T00:00:00.000Z',
    ]);
  });

  it('keeps every row intact across its buffers, small, large and multi-byte', async () => {
    const ledger = new InMemoryLedger();
    const sizes = [10, 30_000, 100_000, 5, 60_000, 1, 90_000];
    const written = [];
    for (let round = 0; round < 6; round++)
      for (const size of sizes)
        written.push(
          ...(await ledger.append('acme', [entry({ s: 'é€'.repeat(size / 2), n: `${round}` })])),
        );
    const read = [];
    for await (const stored of ledger.read('acme')) read.push(stored.entry);
    expect(read).toEqual(written);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true });
  });
});
