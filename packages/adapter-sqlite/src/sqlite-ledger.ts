import {
  GENESIS_PREV,
  GovgateError,
  LedgerTrees,
  checkAppend,
  parseStoredEntry,
  sealEntry,
  type AppendRequest,
  type ClockPort,
  type ConsistencyProof,
  type InclusionProof,
  type LedgerEntry,
  type LedgerHead,
  type LedgerPort,
  type LedgerReadOptions,
  type RawEntry,
  type StoredEntry,
  type TreeHead,
} from '@govgate/core';
import type { Statement } from 'better-sqlite3';
import { wrapSqliteError, type SqliteDatabase } from './database.js';

export interface SqliteLedgerOptions {
  /** Most entries written together in one transaction (default 4096). */
  readonly maxBatchEntries?: number;
  /** Rows fetched per query when streaming entries (default 1000). */
  readonly pageSize?: number;
  /** Source of entry timestamps (default: the system clock). */
  readonly clock?: ClockPort;
  /** Told after each commit with how many entries it made durable together (metrics). */
  readonly onCommit?: (entries: number) => void;
}

/** One append call waiting for its batch. */
interface Pending {
  readonly tenant: string;
  readonly requests: readonly AppendRequest[];
  readonly dataJson: readonly string[];
  readonly resolve: (entries: readonly LedgerEntry[]) => void;
  readonly reject: (error: Error) => void;
}

interface Statements {
  readonly head: Statement<[string], { size: number; hash: string }>;
  /** Writes a batch sealed at one time in one transaction; each call's entries in order. */
  readonly writeBatch: (batch: readonly Pending[], ts: string) => LedgerEntry[][];
  readonly page: Statement<[string, number, number], { seq: number; bytes: string }>;
  readonly rawPage: Statement<
    [string, number, number],
    { rowid: number; seq: number; bytes: string }
  >;
}

const GENESIS: LedgerHead = { size: 0, hash: GENESIS_PREV };

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/**
 * The ledger in SQLite: one row per entry (`ledger_entries`, insert-only by trigger)
 * holding the canonical bytes as sealed, and one head row per tenant
 * (`ledger_heads`) written in the same transaction. Appends are group-committed:
 * appends made while a transaction is being written are queued and written together
 * in the next one (`BEGIN IMMEDIATE`, so several processes sharing a database file
 * append to one gapless chain); an append resolves once its transaction has committed
 * (durable with `synchronous=FULL`). A call's entries are consecutive and atomic.
 *
 * The database is opened (and closed) by its owner: `close()` only stops appends.
 *
 * @example
 * const db = openSqlite({ file: './data/govgate.db' });
 * migrate(db);
 * const ledger = new SqliteLedger(db);
 * const [entry] = await ledger.append('acme', [
 *   { type: 'decision', actor: 'key_1', data: { allowed: true, riskScore: 12 } },
 * ]);
 */
export class SqliteLedger implements LedgerPort {
  private readonly maxBatchEntries: number;
  private readonly pageSize: number;
  private readonly clock: ClockPort;
  private readonly onCommit: ((entries: number) => void) | undefined;
  private readonly trees = new LedgerTrees((tenant, fromSeq, limit) =>
    this.rows(tenant, fromSeq, limit),
  );
  private statements: Statements | undefined;
  private queue: Pending[] = [];
  private flusher: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteLedgerOptions = {},
  ) {
    const positive = (value: number | undefined, fallback: number, name: string): number => {
      if (value === undefined) return fallback;
      if (!Number.isSafeInteger(value) || value < 1)
        throw new GovgateError('LEDGER_UNAVAILABLE', `${name} must be an integer ≥ 1`);
      return value;
    };
    this.maxBatchEntries = positive(options.maxBatchEntries, 4096, 'maxBatchEntries');
    this.pageSize = positive(options.pageSize, 1000, 'pageSize');
    this.clock = options.clock ?? { now: () => Date.now() };
    this.onCommit = options.onCommit;
  }

  /** Prepared once, on first use (preparing fails on a database without migrations). */
  private sql(): Statements {
    if (this.statements !== undefined) return this.statements;
    try {
      const c = this.db.client;
      const head = c.prepare<[string], { size: number; hash: string }>(
        'SELECT size, hash FROM ledger_heads WHERE tenant = ?',
      );
      const insertEntry = c.prepare<[string, number, string, string]>(
        'INSERT INTO ledger_entries (tenant, seq, bytes, hash) VALUES (?, ?, ?, ?)',
      );
      const insertHead = c.prepare<[string, number, string]>(
        'INSERT INTO ledger_heads (tenant, size, hash) VALUES (?, ?, ?)',
      );
      const updateHead = c.prepare<[number, string, string]>(
        'UPDATE ledger_heads SET size = ?, hash = ? WHERE tenant = ?',
      );
      const write = c.transaction((batch: readonly Pending[], ts: string): LedgerEntry[][] => {
        const results: LedgerEntry[][] = [];
        const heads = new Map<string, { head: LedgerHead; stored: boolean }>();
        for (const call of batch) {
          let current = heads.get(call.tenant);
          if (current === undefined) {
            const row = head.get(call.tenant);
            current = { head: row ?? GENESIS, stored: row !== undefined };
            heads.set(call.tenant, current);
          }
          let { size, hash } = current.head;
          const written: LedgerEntry[] = [];
          call.requests.forEach((request, n) => {
            const stored = sealEntry(
              { tenant: call.tenant, seq: size + 1, prev: hash, ts },
              request,
              call.dataJson[n] as string,
            );
            insertEntry.run(call.tenant, stored.entry.seq, stored.bytes, stored.entry.hash);
            written.push(stored.entry);
            size = stored.entry.seq;
            hash = stored.entry.hash;
          });
          current.head = { size, hash };
          results.push(written);
        }
        // The head rows move after the entries exist: their triggers check that.
        for (const [tenant, { head: next, stored }] of heads) {
          if (stored) updateHead.run(next.size, next.hash, tenant);
          else insertHead.run(tenant, next.size, next.hash);
        }
        return results;
      });
      this.statements = {
        head,
        // BEGIN IMMEDIATE: the head is read under the write lock, also across processes.
        writeBatch: (batch, ts) => write.immediate(batch, ts),
        page: c.prepare(
          'SELECT seq, bytes FROM ledger_entries WHERE tenant = ? AND seq >= ? ORDER BY seq LIMIT ?',
        ),
        rawPage: c.prepare(
          'SELECT rowid, seq, bytes FROM ledger_entries WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?',
        ),
      };
      return this.statements;
    } catch (cause) {
      throw wrapSqliteError(cause, 'LEDGER_UNAVAILABLE', 'use the SQLite ledger');
    }
  }

  // ------------------------------------------------------------------ append

  /**
   * Appends entries to a tenant's chain under consecutive seqs. Bad input is
   * LEDGER_ENTRY_INVALID before anything is queued; a failed transaction rejects
   * every call of its batch with LEDGER_UNAVAILABLE and writes none of them.
   */
  append(tenant: string, requests: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    let dataJson: string[];
    let copies: AppendRequest[];
    try {
      dataJson = requests.map((request) => checkAppend(tenant, request));
      if (this.closed) throw new GovgateError('LEDGER_UNAVAILABLE', 'the ledger is closed');
      // Copies: a caller changing its request objects later cannot change what is sealed.
      copies = requests.map((r) => ({
        type: r.type,
        actor: r.actor,
        ...(r.subject === undefined ? {} : { subject: r.subject }),
        data: r.data,
      }));
    } catch (error) {
      return Promise.reject(asError(error));
    }
    if (copies.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ tenant, requests: copies, dataJson, resolve, reject });
      this.flusher ??= this.flush();
    });
  }

  /** Writes batches until the queue is empty; only one runs at a time. Never rejects. */
  private async flush(): Promise<void> {
    try {
      // One turn of the event loop lets the appends made meanwhile join the batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        this.commit(this.takeBatch());
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.flusher = undefined;
    }
  }

  /** Whole calls, oldest first, up to maxBatchEntries entries (always at least one call). */
  private takeBatch(): Pending[] {
    let taken = 0;
    let count = 0;
    for (const call of this.queue) {
      if (count > 0 && taken + call.requests.length > this.maxBatchEntries) break;
      taken += call.requests.length;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /** Writes one batch in one transaction, then settles its calls. */
  private commit(batch: readonly Pending[]): void {
    let results: LedgerEntry[][];
    try {
      const sql = this.sql();
      results = sql.writeBatch(batch, new Date(this.clock.now()).toISOString());
    } catch (cause) {
      const error = wrapSqliteError(cause, 'LEDGER_UNAVAILABLE', 'append to the SQLite ledger');
      for (const call of batch) call.reject(error);
      return;
    }
    batch.forEach((call, n) => call.resolve(results[n] as LedgerEntry[]));
    this.onCommit?.(results.reduce((n, r) => n + r.length, 0));
  }

  // ------------------------------------------------------------------ read

  /** Rows `fromSeq`.. in seq order, at most `limit`, a page per query. */
  private async *rows(
    tenant: string,
    fromSeq: number,
    limit: number,
  ): AsyncIterable<{ seq: number; bytes: string }> {
    let next = fromSeq;
    let left = limit;
    while (left > 0) {
      let page: { seq: number; bytes: string }[];
      try {
        page = this.sql().page.all(tenant, next, Math.min(left, this.pageSize));
      } catch (cause) {
        throw wrapSqliteError(cause, 'LEDGER_UNAVAILABLE', `read the ledger of tenant '${tenant}'`);
      }
      for (const row of page) yield row;
      if (page.length < this.pageSize) return;
      left -= page.length;
      next = (page[page.length - 1] as { seq: number }).seq + 1;
      await Promise.resolve();
    }
  }

  /**
   * Streams a tenant's entries in seq order, a page per query. LEDGER_CORRUPT names the
   * row of an entry that does not parse or is not the entry its row says.
   */
  async *read(tenant: string, options: LedgerReadOptions = {}): AsyncIterable<StoredEntry> {
    const from = Math.max(1, options.fromSeq ?? 1);
    const limit = options.limit ?? Infinity;
    for await (const row of this.rows(tenant, from, limit)) {
      const entry = parseStoredEntry(row.bytes);
      if (entry === undefined)
        throw new GovgateError(
          'LEDGER_CORRUPT',
          `ledger_entries (tenant '${tenant}', seq ${row.seq}) is not a ledger entry`,
        );
      if (entry.seq !== row.seq)
        throw new GovgateError(
          'LEDGER_CORRUPT',
          `ledger_entries (tenant '${tenant}', seq ${row.seq}) holds entry ${entry.seq}`,
        );
      yield { entry, bytes: row.bytes };
    }
  }

  /**
   * Every row the tenant has, in storage order (by the `seq` column, which is what
   * places a row in the chain), unparsed, with its rowid: what `verifyLedger` checks.
   */
  async *readRaw(tenant: string): AsyncIterable<RawEntry> {
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      let page: { rowid: number; seq: number; bytes: string }[];
      try {
        page = this.sql().rawPage.all(tenant, after, this.pageSize);
      } catch (cause) {
        throw wrapSqliteError(cause, 'LEDGER_UNAVAILABLE', `read the ledger of tenant '${tenant}'`);
      }
      for (const row of page)
        yield { bytes: row.bytes, location: `ledger_entries rowid ${row.rowid}` };
      if (page.length < this.pageSize) return;
      after = (page[page.length - 1] as { seq: number }).seq;
      await Promise.resolve();
    }
  }

  /** The tenant's head row, recorded apart from the entries. */
  head(tenant: string): Promise<LedgerHead> {
    try {
      const row = this.sql().head.get(tenant);
      return Promise.resolve(row === undefined ? GENESIS : { size: row.size, hash: row.hash });
    } catch (cause) {
      return Promise.reject(
        wrapSqliteError(cause, 'LEDGER_UNAVAILABLE', `read the head of tenant '${tenant}'`),
      );
    }
  }

  // ------------------------------------------------------------------ proofs

  async treeHead(tenant: string, size?: number): Promise<TreeHead> {
    return this.trees.treeHead(tenant, (await this.head(tenant)).size, size);
  }

  async inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof> {
    return this.trees.inclusionProof(tenant, (await this.head(tenant)).size, seq, size);
  }

  async consistencyProof(tenant: string, from: number, to?: number): Promise<ConsistencyProof> {
    return this.trees.consistencyProof(tenant, (await this.head(tenant)).size, from, to);
  }

  /** Forgets cached Merkle trees of a tenant (its rows changed underneath, in tests). */
  forget(tenant: string): void {
    this.trees.forget(tenant);
  }

  // ------------------------------------------------------------------ close

  /**
   * Writes what is queued and refuses later appends (LEDGER_UNAVAILABLE). Does not
   * close the database, which its owner shares with the other stores.
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flusher !== undefined) await this.flusher;
  }
}
