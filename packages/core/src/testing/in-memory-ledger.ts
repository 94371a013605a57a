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

interface Chain {
  /** The stored bytes, in storage order (what an attacker with access could edit). */
  /** UTF-8 bytes: off the JS heap, so a large ledger costs the garbage collector little. */
  readonly rows: Buffer[];
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

  constructor(private readonly clock: ClockPort = { now: () => Date.now() }) {}

  private chain(tenant: string): Chain {
    let chain = this.chains.get(tenant);
    if (chain === undefined) {
      chain = { rows: [], head: { size: 0, hash: GENESIS_PREV } };
      this.chains.set(tenant, chain);
    }
    return chain;
  }

  append(tenant: string, requests: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    try {
      if (this.closed) throw new GovgateError('LEDGER_UNAVAILABLE', 'ledger is closed');
      const dataJson = requests.map((r) => checkAppend(tenant, r)); // all checked before any is written
      const chain = this.chain(tenant);
      const ts = new Date(this.clock.now()).toISOString();
      const written: LedgerEntry[] = [];
      let { size, hash } = chain.head;
      requests.forEach((request, n) => {
        const stored = sealEntry(
          { tenant, seq: size + 1, prev: hash, ts },
          request,
          dataJson[n] as string,
        );
        chain.rows.push(Buffer.from(stored.bytes, 'utf8'));
        written.push(stored.entry);
        size += 1;
        hash = stored.entry.hash;
      });
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
      const bytes = (chain.rows[seq - 1] as Buffer).toString('utf8');
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
    const rows = this.chains.get(tenant)?.rows ?? [];
    for (let n = 0; n < rows.length; n++)
      yield { bytes: (rows[n] as Buffer).toString('utf8'), location: `memory:${tenant}:${n + 1}` };
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
    rewrite: (tenant, seq, bytes) =>
      this.edit(tenant, (rows) => rows.splice(seq - 1, 1, Buffer.from(bytes, 'utf8'))),
    remove: (tenant, seq) => this.edit(tenant, (rows) => rows.splice(seq - 1, 1)),
    swap: (tenant, a, b) =>
      this.edit(tenant, (rows) => {
        const x = rows[a - 1] as Buffer;
        rows[a - 1] = rows[b - 1] as Buffer;
        rows[b - 1] = x;
      }),
    insertAfter: (tenant, seq, bytes) =>
      this.edit(tenant, (rows) => rows.splice(seq, 0, Buffer.from(bytes, 'utf8'))),
    truncate: (tenant, keep) => this.edit(tenant, (rows) => rows.splice(keep)),
    rawBytes: (tenant, seq) =>
      Promise.resolve(this.chains.get(tenant)?.rows[seq - 1]?.toString('utf8') ?? ''),
  };

  private edit(tenant: string, change: (rows: Buffer[]) => void): Promise<void> {
    change(this.chain(tenant).rows);
    this.trees.forget(tenant);
    return Promise.resolve();
  }
}
