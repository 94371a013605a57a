import {
  GENESIS_PREV,
  GovgateError,
  LedgerTrees,
  checkAppend,
  isTenantId,
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
import { eq } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { LEDGER_UNAVAILABLE, UNIQUE_VIOLATION, sqlState, wrapError } from './errors.js';
import { ledgerHeads } from './schema.js';

export interface PostgresLedgerOptions {
  /** Most entries written in one transaction (default 1000). */
  readonly maxBatchEntries?: number;
  /** Most bytes of entry data written in one transaction (default 16 MiB; one call may exceed it). */
  readonly maxBatchBytes?: number;
  /** Rows fetched per query when reading (default 1000). */
  readonly readPageSize?: number;
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

const GENESIS: LedgerHead = { size: 0, hash: GENESIS_PREV };

const location = (tenant: string, seq: number): string => `ledger_entries(${tenant}, ${seq})`;

/**
 * The ledger in Postgres: one row per entry (`ledger_entries`, insert-only by trigger)
 * and one head row per tenant (`ledger_heads`). Appends are group-committed: calls
 * made while a transaction is in flight are queued and written together in the next
 * one, with one INSERT for all their entries. Each transaction locks the heads it
 * extends `FOR UPDATE`, so any number of service instances can append to one tenant's
 * chain and it stays gapless. An append resolves once its transaction has committed.
 *
 * @example
 * const db = await openPostgres({ url: process.env.GOVGATE_DATABASE_URL! });
 * const [entry] = await db.stores.ledger.append('acme', [
 *   { type: 'decision', actor: 'key_1', data: { allowed: true, riskScore: 12 } },
 * ]);
 */
export class PostgresLedger implements LedgerPort {
  private readonly db: PostgresJsDatabase;
  private readonly maxBatchEntries: number;
  private readonly maxBatchBytes: number;
  private readonly pageSize: number;
  private readonly clock: ClockPort;
  private readonly onCommit: ((entries: number) => void) | undefined;
  private readonly trees = new LedgerTrees((tenant, fromSeq, limit) =>
    this.read(tenant, { fromSeq, limit }),
  );
  /** The append transaction runs on the driver directly: its statements are prepared once. */
  private readonly sql: Sql;
  private queue: Pending[] = [];
  private flusher: Promise<void> | undefined;
  private closed = false;

  constructor(sql: Sql, options: PostgresLedgerOptions = {}) {
    const batch = options.maxBatchEntries ?? 1000;
    const bytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
    const page = options.readPageSize ?? 1000;
    if (![batch, bytes, page].every((n) => Number.isSafeInteger(n) && n >= 1))
      throw new GovgateError(
        LEDGER_UNAVAILABLE,
        'PostgresLedger: maxBatchEntries, maxBatchBytes and readPageSize must be positive integers',
      );
    this.db = drizzle(sql);
    this.sql = sql;
    this.maxBatchEntries = batch;
    this.maxBatchBytes = bytes;
    this.pageSize = page;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.onCommit = options.onCommit;
  }

  // ------------------------------------------------------------------ append

  /**
   * Appends entries under consecutive seqs. Bad input is LEDGER_ENTRY_INVALID before
   * anything is queued; a failed transaction rejects with LEDGER_UNAVAILABLE and
   * writes nothing of its batch.
   */
  append(tenant: string, requests: readonly AppendRequest[]): Promise<readonly LedgerEntry[]> {
    let dataJson: string[];
    let copies: AppendRequest[];
    try {
      dataJson = requests.map((request) => checkAppend(tenant, request));
      if (this.closed) throw new GovgateError(LEDGER_UNAVAILABLE, 'the ledger is closed');
      // Copies: a caller changing its request objects later cannot change what is sealed.
      copies = requests.map((r) => ({
        type: r.type,
        actor: r.actor,
        ...(r.subject === undefined ? {} : { subject: r.subject }),
        data: r.data,
      }));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (copies.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ tenant, requests: copies, dataJson, resolve, reject });
      this.flusher ??= this.flush();
    });
  }

  /** Commits batches until the queue is empty; one runs at a time. Never rejects. */
  private async flush(): Promise<void> {
    try {
      // One turn of the event loop lets the appends made together join one batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          const results = await this.commit(batch);
          batch.forEach((call, n) => call.resolve(results[n] as LedgerEntry[]));
          this.onCommit?.(results.reduce((n, r) => n + r.length, 0));
        } catch (error) {
          // Only a row stored past the head, behind the ledger's back, collides with a
          // seq sealed from the locked head.
          const wrapped =
            sqlState(error) === UNIQUE_VIOLATION
              ? new GovgateError(
                  'LEDGER_CORRUPT',
                  'ledger_entries holds rows past the recorded head: the storage was edited; run verify',
                  { cause: error },
                )
              : wrapError(error, 'could not append to the Postgres ledger', LEDGER_UNAVAILABLE);
          for (const call of batch) call.reject(wrapped);
        }
      }
    } finally {
      this.flusher = undefined;
    }
  }

  /** Whole calls, oldest first, within the batch limits (always at least one call). */
  private takeBatch(): Pending[] {
    let taken = 0;
    let bytes = 0;
    let count = 0;
    for (const call of this.queue) {
      const size = call.dataJson.reduce((sum, json) => sum + json.length, 0);
      if (
        count > 0 &&
        (taken + call.requests.length > this.maxBatchEntries || bytes + size > this.maxBatchBytes)
      )
        break;
      taken += call.requests.length;
      bytes += size;
      count += 1;
    }
    const batch = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    return batch;
  }

  /** One transaction: lock the heads, seal from them, insert, move the heads. */
  private async commit(batch: readonly Pending[]): Promise<LedgerEntry[][]> {
    // Sorted, so transactions of several instances lock heads in the same order.
    const tenants = [...new Set(batch.map((call) => call.tenant))].sort();
    return this.sql.begin<LedgerEntry[][]>(async (tx) => {
      const lockHeads = () =>
        tx<{ tenant: string; size: string | number; hash: string }[]>`
          select tenant, size, hash from ledger_heads
          where tenant = any(${tenants}::text[]) order by tenant for update`;
      let locked = await lockHeads();
      if (locked.length < tenants.length) {
        // A tenant's first append: create its head row (another instance may be doing
        // the same; the loser's insert does nothing), then lock them all again.
        await tx`
          insert into ledger_heads (tenant, size, hash)
          select t, 0, ${GENESIS_PREV} from unnest(${tenants}::text[]) as t
          on conflict do nothing`;
        locked = await lockHeads();
      }
      const heads = new Map(
        locked.map((row) => [row.tenant, { size: Number(row.size), hash: row.hash }]),
      );
      const ts = new Date(this.clock.now()).toISOString();
      const rowTenants: string[] = [];
      const rowSeqs: number[] = [];
      const rowBytes: string[] = [];
      const rowHashes: string[] = [];
      const results = batch.map((call) => {
        const head = heads.get(call.tenant);
        if (head === undefined)
          throw new GovgateError(LEDGER_UNAVAILABLE, `no head row for tenant '${call.tenant}'`);
        const written: LedgerEntry[] = [];
        call.requests.forEach((request, n) => {
          const seq = head.size + 1;
          const stored = sealEntry(
            { tenant: call.tenant, seq, prev: head.hash, ts },
            request,
            call.dataJson[n] as string,
          );
          rowTenants.push(call.tenant);
          rowSeqs.push(seq);
          rowBytes.push(stored.bytes);
          rowHashes.push(stored.entry.hash);
          written.push(stored.entry);
          head.size = seq;
          head.hash = stored.entry.hash;
        });
        return written;
      });
      // One statement per batch whatever its size (arrays, so the statement text and its
      // prepared plan stay the same), sent together with the head updates: they do not
      // depend on each other, and the head rows are already locked.
      await Promise.all([
        tx`
          insert into ledger_entries (tenant, seq, bytes, hash)
          select * from unnest(${rowTenants}::text[], ${rowSeqs}::bigint[], ${rowBytes}::text[], ${rowHashes}::text[])`,
        ...tenants.map((tenant) => {
          const head = heads.get(tenant) as { size: number; hash: string };
          return tx`update ledger_heads set size = ${head.size}, hash = ${head.hash} where tenant = ${tenant}`;
        }),
      ]);
      return results;
    });
  }

  // ------------------------------------------------------------------ read

  /** Pages of rows `fromSeq..toSeq` by the seq column (keyset paging: flat memory). */
  private async *rows(
    tenant: string,
    fromSeq: number,
    toSeq: number,
  ): AsyncIterable<{ seq: number; bytes: string }> {
    let next = fromSeq;
    while (next <= toSeq) {
      // Explicit bigint parameters: the (tenant, seq) primary key serves every page, so
      // reading a chain is linear (untyped numbers made each page scan the tenant).
      const page = await this.sql<{ seq: string | number; bytes: string }[]>`
        select seq, bytes from ledger_entries
        where tenant = ${tenant} and seq >= ${next}::bigint and seq <= ${toSeq}::bigint
        order by seq limit ${this.pageSize}`
        .then((rows) => rows.map((row) => ({ seq: Number(row.seq), bytes: row.bytes })))
        .catch((error: unknown) => {
          throw wrapError(
            error,
            `could not read the ledger of tenant '${tenant}'`,
            LEDGER_UNAVAILABLE,
          );
        });
      yield* page;
      const last = page.at(-1);
      if (page.length < this.pageSize || last === undefined) return;
      next = last.seq + 1;
    }
  }

  /**
   * Entries in seq order, never past the head (so nothing uncommitted). LEDGER_CORRUPT
   * names the row of an entry that does not parse, is out of place or is missing.
   */
  async *read(tenant: string, options: LedgerReadOptions = {}): AsyncIterable<StoredEntry> {
    if (!isTenantId(tenant)) return;
    const from = Math.max(1, options.fromSeq ?? 1);
    const { size } = await this.head(tenant);
    const last = options.limit === undefined ? size : Math.min(size, from - 1 + options.limit);
    let expected = from;
    for await (const row of this.rows(tenant, from, last)) {
      const entry = parseStoredEntry(row.bytes);
      if (entry === undefined)
        throw new GovgateError(
          'LEDGER_CORRUPT',
          `${location(tenant, row.seq)} is not a ledger entry`,
        );
      if (entry.seq !== expected || row.seq !== expected)
        throw new GovgateError(
          'LEDGER_CORRUPT',
          `${location(tenant, row.seq)} holds entry ${entry.seq} where entry ${expected} belongs`,
        );
      yield { entry, bytes: row.bytes };
      expected += 1;
    }
    if (expected <= last)
      throw new GovgateError(
        'LEDGER_CORRUPT',
        `tenant '${tenant}': the entries end at ${expected - 1}; the head says ${size}`,
      );
  }

  /** Every stored row of the tenant in seq-column order, unparsed. */
  async *readRaw(tenant: string): AsyncIterable<RawEntry> {
    if (!isTenantId(tenant)) return;
    for await (const row of this.rows(tenant, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
      yield { bytes: row.bytes, location: location(tenant, row.seq) };
  }

  /** The tenant's head row (read each time: other instances append too). */
  async head(tenant: string): Promise<LedgerHead> {
    if (!isTenantId(tenant)) return GENESIS;
    try {
      const rows = await this.db
        .select({ size: ledgerHeads.size, hash: ledgerHeads.hash })
        .from(ledgerHeads)
        .where(eq(ledgerHeads.tenant, tenant));
      const row = rows[0];
      return row === undefined ? GENESIS : { size: row.size, hash: row.hash };
    } catch (error) {
      throw wrapError(
        error,
        `could not read the ledger head of tenant '${tenant}'`,
        LEDGER_UNAVAILABLE,
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

  /**
   * Commits what is queued, then refuses further appends. The client itself belongs
   * to whoever opened it (`PostgresDatabase.close` ends it).
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flusher !== undefined) await this.flusher;
  }
}
