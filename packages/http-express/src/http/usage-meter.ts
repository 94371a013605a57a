import { usageDay, type UsageCounter, type UsageStorePort } from '@govgate/core';

type Counts = Partial<Record<UsageCounter, number>>;

/**
 * Usage counters batched in memory and added to the store every `flushMs` (and on
 * close), so metering never costs a write per request. A crash loses at most one
 * interval of counts: usage is metering, not the audit record (the ledger is).
 *
 * @example
 * const meter = new UsageMeter(usageStore, () => Date.now());
 * meter.count('acme', 'k1', { requests: 1, decisions: 1, allowed: 1 });
 * await meter.close();
 */
export class UsageMeter {
  private pending = new Map<
    string,
    { tenant: string; keyId: string; day: string; counts: Counts }
  >();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: UsageStorePort,
    private readonly now: () => number,
    flushMs = 1000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  count(tenant: string, keyId: string, counts: Counts): void {
    const day = usageDay(this.now());
    const slot = `${tenant}\u0000${keyId}\u0000${day}`;
    let row = this.pending.get(slot);
    if (row === undefined) {
      row = { tenant, keyId, day, counts: {} };
      this.pending.set(slot, row);
    }
    for (const name in counts) {
      const counter = name as UsageCounter;
      row.counts[counter] = (row.counts[counter] ?? 0) + (counts[counter] ?? 0);
    }
  }

  /** Adds everything counted so far to the store; failed rows are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const rows = [...this.pending.values()];
      this.pending = new Map();
      for (const row of rows) {
        try {
          await this.store.add(row.tenant, row.keyId, row.day, row.counts);
        } catch (error) {
          this.onError(error);
          this.count(row.tenant, row.keyId, row.counts);
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
