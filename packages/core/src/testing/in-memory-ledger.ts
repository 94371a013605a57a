import { GovgateError } from '../errors.js';
import {
  GENESIS_PREV,
  checkAppend,
  sealEntry,
  type AppendRequest,
  type LedgerEntry,
  type StoredEntry,
} from '../ledger/entry.js';
import { LedgerTrees } from '../ledger/ledger-trees.js';
import type {
  ClockPort,
  ConsistencyProof,
  InclusionProof,
  LedgerHead,
  LedgerPort,
  LedgerReadOptions,
  RawEntry,
  TreeHead,
} from '../ports.js';
import type { LedgerTamper } from './ledger-contract.js';

/**
 * Rows of UTF-8 bytes in a few large buffers: no allocation per row and nothing for
 * the garbage collector to trace, so large in-memory ledgers stay cheap. A row never
 * spans two buffers, and a full buffer is kept as it is (no copy) when the next one
 * starts, each twice the size of the one before, up to 8 MiB.
 */
class ByteRows {
  private static readonly MAX_CHUNK = 8 * 1024 * 1024;
  private readonly chunks: Buffer[] = [Buffer.allocUnsafe(64 * 1024)];
  private chunk = this.chunks[0] as Buffer;
  private used = 0;
  /** Per row: its buffer, and where it starts and ends in it. */
  private readonly chunkOf: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  get length(): number {
    return this.ends.length;
  }

  push(row: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: room for that means no measuring.
    const need = row.length * 3;
    if (this.used + need > this.chunk.length) {
      this.chunk = Buffer.allocUnsafe(
        Math.max(need, Math.min(this.chunk.length * 2, ByteRows.MAX_CHUNK)),
      );
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    this.chunkOf.push(this.chunks.length - 1);
    this.starts.push(this.used);
    this.used += this.chunk.write(row, this.used, 'utf8');
    this.ends.push(this.used);
  }

  get(n: number): string {
    const chunk = this.chunks[this.chunkOf[n] as number] as Buffer;
    return chunk.toString('utf8', this.starts[n], this.ends[n]);
  }

  all(): string[] {
    return this.ends.map((_, n) => this.get(n));
  }

  /** Replaces every row (tampering in tests; rare, so it simply rebuilds). */
  replace(rows: readonly string[]): void {
    this.chunks.length = 1;
    this.chunk = this.chunks[0] as Buffer;
    this.used = 0;
    this.chunkOf.length = 0;
    this.starts.length = 0;
    this.ends.length = 0;
    for (const row of rows) this.push(row);
  }
}

interface Chain {
  /** The stored bytes, in storage order (what an attacker with access could edit). */
  readonly rows: ByteRows;
  /** The head, recorded apart from the rows. */
  head: LedgerHead;
}

/**
 * A ledger held in memory: the reference implementation of LedgerPort for tests and
 * for library use where durability is not needed. Appends are atomic per call.
 */
export class InMemoryLedger implements LedgerPort {
  private readonly chains = new Map<string, Chain>();
  private readonly trees = new LedgerTrees((tenant, fromSeq, limit) =>
    this.read(tenant, { fromSeq, limit }),
  );
  private closed = false;
  private lastMs = Number.NaN;
  private lastTs = '';

  constructor(private readonly clock: ClockPort = { now: () => Date.now() }) {}

  /** The clock's time as an ISO string; formatted once per millisecond, as appends come faster. */
  private timestamp(): string {
    const now = this.clock.now();
    if (now !== this.lastMs) {
      this.lastTs = new Date(now).toISOString();
      this.lastMs = now;
    }
    return this.lastTs;
  }

  private chain(tenant: string): Chain {
    let chain = this.chains.get(tenant);
    if (chain === undefined) {
      chain = { rows: new ByteRows(), head: { size: 0, hash: GENESIS_PREV } };
      this.chains.set(tenant, chain);
    }
    return chain;
  }

  append(tenant: string, requests: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    try {
      if (this.closed) throw new GovgateError('LEDGER_UNAVAILABLE', 'ledger is closed');
      const dataJson: string[] = [];
      for (const request of requests) dataJson.push(checkAppend(tenant, request)); // all checked before any is written
      const chain = this.chain(tenant);
      const ts = this.timestamp();
      const written: LedgerEntry[] = [];
      let { size, hash } = chain.head;
      for (let n = 0; n < requests.length; n++) {
        const stored = sealEntry(
          { tenant, seq: size + 1, prev: hash, ts },
          requests[n] as AppendRequest,
          dataJson[n] as string,
        );
        chain.rows.push(stored.bytes);
        written.push(stored.entry);
        size += 1;
        hash = stored.entry.hash;
      }
      chain.head = { size, hash };
      return Promise.resolve(written);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async *read(tenant: string, options: LedgerReadOptions = {}): AsyncIterable<StoredEntry> {
    const chain = this.chains.get(tenant);
    if (chain === undefined) return;
    const from = Math.max(1, options.fromSeq ?? 1);
    const end =
      options.limit === undefined
        ? chain.rows.length
        : Math.min(chain.rows.length, from - 1 + options.limit);
    for (let seq = from; seq <= end; seq++) {
      const bytes = chain.rows.get(seq - 1);
      let entry: LedgerEntry;
      try {
        entry = JSON.parse(bytes) as LedgerEntry;
      } catch (cause) {
        throw new GovgateError(
          'LEDGER_CORRUPT',
          `tenant '${tenant}' row ${seq} is not a ledger entry`,
          { cause },
        );
      }
      yield { entry, bytes };
    }
    await Promise.resolve();
  }

  async *readRaw(tenant: string): AsyncIterable<RawEntry> {
    const rows = this.chains.get(tenant)?.rows;
    if (rows === undefined) return;
    for (let n = 0; n < rows.length; n++)
      yield { bytes: rows.get(n), location: `memory:${tenant}:${n + 1}` };
    await Promise.resolve();
  }

  head(tenant: string): Promise<LedgerHead> {
    return Promise.resolve(this.chains.get(tenant)?.head ?? { size: 0, hash: GENESIS_PREV });
  }

  async treeHead(tenant: string, size?: number): Promise<TreeHead> {
    return this.trees.treeHead(tenant, (await this.head(tenant)).size, size);
  }

  async inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof> {
    return this.trees.inclusionProof(tenant, (await this.head(tenant)).size, seq, size);
  }

  async consistencyProof(tenant: string, from: number, to?: number): Promise<ConsistencyProof> {
    return this.trees.consistencyProof(tenant, (await this.head(tenant)).size, from, to);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Edits the stored rows directly, as an attacker with access to the storage would. */
  readonly tamper: LedgerTamper = {
    rewrite: (tenant, seq, bytes) => this.edit(tenant, (rows) => rows.splice(seq - 1, 1, bytes)),
    remove: (tenant, seq) => this.edit(tenant, (rows) => rows.splice(seq - 1, 1)),
    swap: (tenant, a, b) =>
      this.edit(tenant, (rows) => {
        const x = rows[a - 1] as string;
        rows[a - 1] = rows[b - 1] as string;
        rows[b - 1] = x;
      }),
    insertAfter: (tenant, seq, bytes) => this.edit(tenant, (rows) => rows.splice(seq, 0, bytes)),
    truncate: (tenant, keep) => this.edit(tenant, (rows) => rows.splice(keep)),
    rawBytes: (tenant, seq) => Promise.resolve(this.chains.get(tenant)?.rows.all()[seq - 1] ?? ''),
  };

  private edit(tenant: string, change: (rows: string[]) => void): Promise<void> {
    const stored = this.chain(tenant).rows;
    const rows = stored.all();
    change(rows);
    stored.replace(rows);
    this.trees.forget(tenant);
    return Promise.resolve();
  }
}
