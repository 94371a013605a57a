import type { LedgerPort, SignedCheckpoint } from '@govgate/core';

interface TenantState {
  /** Entries scanned so far. */
  scanned: number;
  latest?: SignedCheckpoint;
}

/**
 * The latest signed checkpoint per tenant, found in the chain itself (checkpoints are
 * `checkpoint` entries). Each lookup reads only the entries appended since the last
 * one, so other instances' checkpoints are seen too; the first lookup of a tenant
 * reads its whole chain once.
 */
export class CheckpointIndex {
  private readonly tenants = new Map<string, TenantState>();
  private readonly scans = new Map<string, Promise<SignedCheckpoint | undefined>>();

  constructor(private readonly ledger: LedgerPort) {}

  latest(tenant: string): Promise<SignedCheckpoint | undefined> {
    // One scan at a time per tenant; concurrent callers share it.
    const running = this.scans.get(tenant);
    if (running !== undefined) return running;
    const scan = this.scan(tenant).finally(() => this.scans.delete(tenant));
    this.scans.set(tenant, scan);
    return scan;
  }

  /** Notes a checkpoint this process just appended. */
  record(tenant: string, checkpoint: SignedCheckpoint): void {
    const state = this.tenants.get(tenant);
    if (state !== undefined && (state.latest?.size ?? -1) < checkpoint.size)
      state.latest = checkpoint;
  }

  private async scan(tenant: string): Promise<SignedCheckpoint | undefined> {
    let state = this.tenants.get(tenant);
    if (state === undefined) {
      state = { scanned: 0 };
      this.tenants.set(tenant, state);
    }
    for await (const { entry } of this.ledger.read(tenant, { fromSeq: state.scanned + 1 })) {
      state.scanned = entry.seq;
      if (entry.type === 'checkpoint') {
        // the entry's data is the checkpoint without its tenant (the chain's own)
        const cp = { tenant, ...entry.data } as unknown as SignedCheckpoint;
        if ((state.latest?.size ?? -1) <= cp.size) state.latest = cp;
      }
    }
    return state.latest;
  }
}
