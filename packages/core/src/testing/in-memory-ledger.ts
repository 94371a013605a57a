import { GovgateError } from '../errors.js';
import {
  GENESIS_PREV,
  checkAppend,
  sealEntry,
  type AppendRequest,
  type LedgerEntry,
  type StoredEntry,
} from '../ledger/entry.js';
import type { ClockPort, LedgerHead, LedgerPort, LedgerReadOptions } from '../ports.js';

/**
 * A ledger held in memory: the reference implementation of LedgerPort for tests and
 * for library use where durability is not needed. Appends are atomic per call.
 */
export class InMemoryLedger implements LedgerPort {
  private readonly chains = new Map<string, StoredEntry[]>();
  private closed = false;

  constructor(private readonly clock: ClockPort = { now: () => Date.now() }) {}

  append(tenant: string, requests: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    try {
      if (this.closed) throw new GovgateError('LEDGER_UNAVAILABLE', 'ledger is closed');
      const dataJson = requests.map((r) => checkAppend(tenant, r)); // all checked before any is written
      let chain = this.chains.get(tenant);
      if (chain === undefined) this.chains.set(tenant, (chain = []));
      const ts = new Date(this.clock.now()).toISOString();
      const written: LedgerEntry[] = [];
      let prev =
        chain.length === 0 ? GENESIS_PREV : (chain[chain.length - 1] as StoredEntry).entry.hash;
      requests.forEach((request, n) => {
        const stored = sealEntry(
          { tenant, seq: chain.length + 1, prev, ts },
          request,
          dataJson[n] as string,
        );
        chain.push(stored);
        written.push(stored.entry);
        prev = stored.entry.hash;
      });
      return Promise.resolve(written);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async *read(tenant: string, options: LedgerReadOptions = {}): AsyncIterable<StoredEntry> {
    const chain = this.chains.get(tenant) ?? [];
    const from = Math.max(1, options.fromSeq ?? 1);
    const end =
      options.limit === undefined ? chain.length : Math.min(chain.length, from - 1 + options.limit);
    for (let seq = from; seq <= end; seq++) yield chain[seq - 1] as StoredEntry;
    await Promise.resolve();
  }

  head(tenant: string): Promise<LedgerHead> {
    const chain = this.chains.get(tenant) ?? [];
    const last = chain[chain.length - 1];
    return Promise.resolve({
      size: chain.length,
      hash: last === undefined ? GENESIS_PREV : last.entry.hash,
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
