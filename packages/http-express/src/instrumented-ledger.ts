import type {
  AppendRequest,
  ConsistencyProof,
  InclusionProof,
  LedgerEntry,
  LedgerHead,
  LedgerPort,
  LedgerReadOptions,
  RawEntry,
  StoredEntry,
  TreeHead,
} from '@govgate/core';

/** Told about every append call: how long until it was durable, and how many entries. */
export type AppendObserver = (seconds: number, entries: number) => void;

/**
 * A ledger that reports append latency to an observer (the service's metrics) and
 * otherwise delegates. The observer is set after construction, when the app exists.
 */
export class ObservedLedger implements LedgerPort {
  observer: AppendObserver | undefined;
  /** The inner ledger's, when it has one (verification reads blocks then). */
  readonly readRawBlocks?: NonNullable<LedgerPort['readRawBlocks']>;

  constructor(readonly inner: LedgerPort) {
    if (inner.readRawBlocks !== undefined) this.readRawBlocks = inner.readRawBlocks.bind(inner);
  }

  async append(tenant: string, entries: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    const observer = this.observer;
    if (observer === undefined) return this.inner.append(tenant, entries);
    const started = process.hrtime.bigint();
    const written = await this.inner.append(tenant, entries);
    observer(Number(process.hrtime.bigint() - started) / 1e9, written.length);
    return written;
  }
  read(tenant: string, options?: LedgerReadOptions): AsyncIterable<StoredEntry> {
    return this.inner.read(tenant, options);
  }
  readRaw(tenant: string): AsyncIterable<RawEntry> {
    return this.inner.readRaw(tenant);
  }
  head(tenant: string): Promise<LedgerHead> {
    return this.inner.head(tenant);
  }
  treeHead(tenant: string, size?: number): Promise<TreeHead> {
    return this.inner.treeHead(tenant, size);
  }
  inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof> {
    return this.inner.inclusionProof(tenant, seq, size);
  }
  consistencyProof(tenant: string, from: number, to?: number): Promise<ConsistencyProof> {
    return this.inner.consistencyProof(tenant, from, to);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
