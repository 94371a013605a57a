import { describe, expect, it } from '@jest/globals';
import { verifyLedger, type LedgerPort, type RawBlock, type RawBlockOptions } from '@govgate/core';
import { InMemoryLedger } from '@govgate/core/testing';
import { ObservedLedger } from './instrumented-ledger.js';

describe('ObservedLedger', () => {
  it('reports each append to its observer and delegates reads', async () => {
    const observed = new ObservedLedger(new InMemoryLedger());
    const seen: number[] = [];
    observed.observer = (seconds, entries) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push(entries);
    };
    await observed.append('acme', [{ type: 'decision', actor: 'a', data: {} }]);
    await observed.append('acme', [
      { type: 'decision', actor: 'a', data: {} },
      { type: 'decision', actor: 'a', data: {} },
    ]);
    expect(seen).toEqual([1, 2]);
    expect(await verifyLedger(observed, 'acme')).toMatchObject({ ok: true, checked: 3 });
  });

  it('offers readRawBlocks exactly when the ledger it wraps does, bound to that ledger', async () => {
    expect(new ObservedLedger(new InMemoryLedger()).readRawBlocks).toBeUndefined();
    class BlockLedger extends InMemoryLedger {
      readonly asked: RawBlockOptions[] = [];
      async *readRawBlocks(_tenant: string, options: RawBlockOptions): AsyncIterable<RawBlock> {
        this.asked.push(options); // `this` must be the wrapped ledger
        await Promise.resolve();
        yield { bytes: Buffer.from('x\n'), count: 1, location: () => 'here' };
      }
    }
    const inner = new BlockLedger();
    const observed: LedgerPort = new ObservedLedger(inner);
    const blocks: RawBlock[] = [];
    for await (const block of observed.readRawBlocks?.('acme', { entries: 4, bytes: 10 }) ?? [])
      blocks.push(block);
    expect(blocks.map((b) => b.count)).toEqual([1]);
    expect(inner.asked).toEqual([{ entries: 4, bytes: 10 }]);
  });
});
