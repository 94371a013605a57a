import { generateKeyPairSync } from 'node:crypto';
import { jestGlobals } from './jest-globals.js';
import { GovgateError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import {
  appendCheckpoint,
  ed25519Signer,
  verifyCheckpoint,
  type SignedCheckpoint,
} from '../ledger/checkpoint.js';
import {
  checkAppend,
  sealEntry,
  type AppendRequest,
  type LedgerEntry,
  type StoredEntry,
} from '../ledger/entry.js';
import { verifyConsistencyProof, verifyInclusionProof, verifyLedger } from '../ledger/verify.js';
import { blockEntries, inThreadDigester } from '../ledger/digest.js';
import type { LedgerPort, RawBlock, RawEntry } from '../ports.js';

/**
 * Edits a backend's raw storage the way an attacker with access to it would: the
 * contract uses it to prove that `verifyLedger` finds every kind of tampering. `seq`
 * is the storage position (1-based) of an entry as the backend stores it.
 */
export interface LedgerTamper {
  /** Replaces the stored bytes at a position. */
  rewrite(tenant: string, seq: number, bytes: string): Promise<void>;
  remove(tenant: string, seq: number): Promise<void>;
  swap(tenant: string, a: number, b: number): Promise<void>;
  /** Stores `bytes` right after position `seq`. */
  insertAfter(tenant: string, seq: number, bytes: string): Promise<void>;
  /** Keeps positions 1..keep and drops the rest, leaving the head record alone. */
  truncate(tenant: string, keep: number): Promise<void>;
  /** The stored bytes at a position. */
  rawBytes(tenant: string, seq: number): Promise<string>;
}

export interface LedgerHarness {
  readonly ledger: LedgerPort;
  readonly tamper: LedgerTamper;
  teardown(): Promise<void>;
}

export interface LedgerContractOptions {
  /** Concurrent appenders × entries each (default 16 × 500). */
  readonly appenders?: number;
  readonly entriesPerAppender?: number;
  /** Per-test timeout in ms (default 60 s). */
  readonly timeoutMs?: number;
}

const note = (n: number, extra: object = {}): AppendRequest => ({
  type: 'decision',
  actor: 'contract',
  subject: `subject-${n}`,
  data: {
    note: `entry-${n}`,
    n,
    nested: { list: [1, 'two', null, true], unicode: 'é中😀' },
    ...extra,
  },
});

async function all(iterable: AsyncIterable<StoredEntry>): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

async function fill(
  ledger: LedgerPort,
  tenant: string,
  count: number,
): Promise<readonly LedgerEntry[]> {
  return ledger.append(
    tenant,
    Array.from({ length: count }, (_, i) => note(i + 1)),
  );
}

/** A validly sealed entry with chosen fields: what a capable forger would write. */
function forge(
  entry: LedgerEntry,
  changes: { seq?: number; prev?: string; tenant?: string; data?: object },
): string {
  const request: AppendRequest = {
    type: entry.type,
    actor: entry.actor,
    ...(entry.subject === undefined ? {} : { subject: entry.subject }),
    data: { ...entry.data, ...(changes.data ?? {}) },
  };
  const tenant = changes.tenant ?? entry.tenant;
  return sealEntry(
    { tenant, seq: changes.seq ?? entry.seq, prev: changes.prev ?? entry.prev, ts: entry.ts },
    request,
    checkAppend(tenant, request),
  ).bytes;
}

/**
 * The jest suite every ledger backend runs. The factory returns a fresh backend (and
 * its tamper hook); the suite appends, reads, proves, checkpoints and tampers.
 *
 * @example
 * ledgerContract('FsLedger', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'ledger-'));
 *   const ledger = await FsLedger.open({ dir });
 *   return { ledger, tamper: fsTamper(dir), teardown: () => ledger.close() };
 * });
 */
export function ledgerContract(
  name: string,
  factory: () => Promise<LedgerHarness>,
  options: LedgerContractOptions = {},
): void {
  const { describe, it, expect, beforeAll, afterAll } = jestGlobals();
  const appenders = options.appenders ?? 16;
  const perAppender = options.entriesPerAppender ?? 500;
  const timeout = options.timeoutMs ?? 60_000;

  describe(`ledger contract: ${name}`, () => {
    let harness: LedgerHarness;
    let ledger: LedgerPort;
    let tenantNo = 0;
    const freshTenant = () => `t${++tenantNo}-${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      harness = await factory();
      ledger = harness.ledger;
    }, timeout);
    afterAll(async () => {
      await harness.teardown();
    }, timeout);

    describe('append and read', () => {
      it(
        'reads back every entry byte for byte as written, canonical and chained',
        async () => {
          const tenant = freshTenant();
          const written = await fill(ledger, tenant, 5);
          const read = await all(ledger.read(tenant));
          expect(read.map((r) => r.entry)).toEqual(written);
          for (const r of read) {
            expect(r.bytes).toBe(canonicalJson(r.entry));
            expect(JSON.parse(r.bytes)).toEqual(r.entry);
          }
          expect(read[2]?.entry.data).toEqual(note(3).data);
          expect(read.map((r) => r.entry.seq)).toEqual([1, 2, 3, 4, 5]);
          expect(read[1]?.entry.prev).toBe(read[0]?.entry.hash);
          expect(await ledger.head(tenant)).toEqual({ size: 5, hash: written[4]?.hash });
        },
        timeout,
      );

      it(
        'reads raw entries in storage order, and in blocks of their bytes where it offers them',
        async () => {
          const tenant = freshTenant();
          const written = await fill(ledger, tenant, 11);
          const raw: RawEntry[] = [];
          for await (const r of ledger.readRaw(tenant)) raw.push(r);
          expect(raw.map((r) => r.bytes)).toEqual(written.map((e) => canonicalJson(e)));
          if (ledger.readRawBlocks === undefined) return;
          const counts: number[] = [];
          const fromBlocks: RawEntry[] = [];
          for await (const block of ledger.readRawBlocks(tenant, { entries: 4, bytes: 1 << 20 })) {
            counts.push(block.count);
            blockEntries(block.bytes).forEach((bytes, n) =>
              fromBlocks.push({ bytes, location: block.location(n) }),
            );
          }
          expect(fromBlocks).toEqual(raw);
          expect(counts).toEqual([4, 4, 3]);
          // cut sooner where the next entry would pass the size (but never empty)
          const small = raw[0]?.bytes.length ?? 0;
          const sizes: number[] = [];
          for await (const block of ledger.readRawBlocks(tenant, { entries: 8, bytes: small + 2 }))
            sizes.push(block.count);
          expect(sizes).toEqual(Array.from({ length: 11 }, () => 1));
          const none: RawBlock[] = [];
          for await (const block of ledger.readRawBlocks(freshTenant(), { entries: 4, bytes: 100 }))
            none.push(block);
          expect(none).toEqual([]);
        },
        timeout,
      );

      it(
        'appends a batch under consecutive seqs in one call',
        async () => {
          const tenant = freshTenant();
          await fill(ledger, tenant, 3);
          const batch = await ledger.append(
            tenant,
            Array.from({ length: 50 }, (_, i) => note(100 + i)),
          );
          expect(batch.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 4 + i));
          expect((await ledger.head(tenant)).size).toBe(53);
        },
        timeout,
      );

      it(
        'reads a page from a seq',
        async () => {
          const tenant = freshTenant();
          await fill(ledger, tenant, 10);
          const page = await all(ledger.read(tenant, { fromSeq: 4, limit: 3 }));
          expect(page.map((p) => p.entry.seq)).toEqual([4, 5, 6]);
        },
        timeout,
      );

      it(
        `keeps the chain gapless and valid with ${appenders} concurrent appenders × ${perAppender} entries`,
        async () => {
          const tenant = freshTenant();
          await Promise.all(
            Array.from({ length: appenders }, async (_, a) => {
              for (let i = 0; i < perAppender; i++)
                await ledger.append(tenant, [note(a * perAppender + i)]);
            }),
          );
          const total = appenders * perAppender;
          expect((await ledger.head(tenant)).size).toBe(total);
          let expected = 1;
          for await (const e of ledger.read(tenant)) expect(e.entry.seq).toBe(expected++);
          expect(expected - 1).toBe(total);
          expect(await verifyLedger(ledger, tenant)).toMatchObject({ ok: true, checked: total });
        },
        timeout * 4,
      );
    });

    describe('bad input writes nothing', () => {
      it.each([
        ['data that is not JSON-serializable', { n: NaN }],
        ['data over the size limit', { blob: 'x'.repeat(256 * 1024 + 1) }],
        ['a __proto__ key', JSON.parse('{"__proto__":{"polluted":1}}') as object],
        ['a lone surrogate', { s: '\ud800' }],
      ])(
        '%s',
        async (_name, data) => {
          const tenant = freshTenant();
          await fill(ledger, tenant, 2);
          const error: unknown = await ledger
            .append(tenant, [note(3), { ...note(4), data: data as AppendRequest['data'] }])
            .catch((e: unknown) => e);
          expect(GovgateError.is(error, 'LEDGER_ENTRY_INVALID')).toBe(true);
          expect((await ledger.head(tenant)).size).toBe(2);
          expect((await all(ledger.read(tenant))).length).toBe(2);
        },
        timeout,
      );

      it(
        'a tenant id that could escape its storage',
        async () => {
          const error: unknown = await ledger
            .append('../escape', [note(1)])
            .catch((e: unknown) => e);
          expect(GovgateError.is(error, 'LEDGER_ENTRY_INVALID')).toBe(true);
        },
        timeout,
      );
    });

    describe('tenant isolation', () => {
      it(
        "finds nothing of tenant A through tenant B's view",
        async () => {
          const a = freshTenant();
          const b = freshTenant();
          await fill(ledger, a, 4);
          expect(await all(ledger.read(b))).toEqual([]);
          const raw: string[] = [];
          for await (const r of ledger.readRaw(b)) raw.push(r.bytes);
          expect(raw).toEqual([]);
          expect((await ledger.head(b)).size).toBe(0);
          await fill(ledger, b, 1);
          expect((await all(ledger.read(b))).map((e) => e.entry.tenant)).toEqual([b]);
          expect((await all(ledger.read(a))).every((e) => e.entry.tenant === a)).toBe(true);
          await expect(ledger.inclusionProof(b, 2)).rejects.toMatchObject({ code: 'LEDGER_RANGE' });
        },
        timeout,
      );
    });

    describe('proofs', () => {
      let tenant: string;
      let stored: StoredEntry[];
      beforeAll(async () => {
        tenant = freshTenant();
        await fill(ledger, tenant, 20);
        stored = await all(ledger.read(tenant));
      }, timeout);

      it.each([
        [1, 1],
        [1, 20],
        [7, 13],
        [13, 13],
        [20, 20],
      ])(
        'proves entry %i is in the tree of %i entries',
        async (seq, size) => {
          const proof = await ledger.inclusionProof(tenant, seq, size);
          const head = await ledger.treeHead(tenant, size);
          expect(proof.root).toBe(head.root);
          expect(
            verifyInclusionProof(proof, {
              entryBytes: stored[seq - 1]?.bytes as string,
              root: head.root,
            }),
          ).toBe(true);
          expect(
            verifyInclusionProof(proof, { entryBytes: stored[seq % 20]?.bytes as string }),
          ).toBe(false);
        },
        timeout,
      );

      it.each([
        [1, 20],
        [5, 13],
        [16, 20],
        [20, 20],
      ])(
        'proves the tree of %i entries is a prefix of the tree of %i',
        async (from, to) => {
          const proof = await ledger.consistencyProof(tenant, from, to);
          expect(proof.fromRoot).toBe((await ledger.treeHead(tenant, from)).root);
          expect(proof.toRoot).toBe((await ledger.treeHead(tenant, to)).root);
          expect(verifyConsistencyProof(proof)).toBe(true);
          expect(
            verifyConsistencyProof({ ...proof, fromRoot: proof.toRoot, toRoot: proof.fromRoot }),
          ).toBe(from === to);
        },
        timeout,
      );

      it(
        'refuses sizes and seqs outside the chain with LEDGER_RANGE',
        async () => {
          await expect(ledger.treeHead(tenant, 21)).rejects.toMatchObject({ code: 'LEDGER_RANGE' });
          await expect(ledger.inclusionProof(tenant, 0, 5)).rejects.toMatchObject({
            code: 'LEDGER_RANGE',
          });
          await expect(ledger.inclusionProof(tenant, 6, 5)).rejects.toMatchObject({
            code: 'LEDGER_RANGE',
          });
          await expect(ledger.consistencyProof(tenant, 10, 5)).rejects.toMatchObject({
            code: 'LEDGER_RANGE',
          });
        },
        timeout,
      );

      it(
        'extends proofs as the chain grows',
        async () => {
          const t = freshTenant();
          await fill(ledger, t, 3);
          const before = await ledger.treeHead(t);
          await fill(ledger, t, 3);
          const proof = await ledger.consistencyProof(t, 3, 6);
          expect(proof.fromRoot).toBe(before.root);
          expect(verifyConsistencyProof(proof)).toBe(true);
        },
        timeout,
      );
    });

    describe('checkpoints', () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const signer = ed25519Signer(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      let tenant: string;
      let checkpoint: SignedCheckpoint;

      beforeAll(async () => {
        tenant = freshTenant();
        await fill(ledger, tenant, 9);
        checkpoint = (await appendCheckpoint(ledger, tenant, signer)).checkpoint;
        await fill(ledger, tenant, 4);
      }, timeout);

      it(
        'signs the tree head and records the checkpoint as an entry of the chain',
        async () => {
          expect(checkpoint).toMatchObject({
            tenant,
            size: 9,
            root: (await ledger.treeHead(tenant, 9)).root,
          });
          expect(verifyCheckpoint(checkpoint, publicKeyPem)).toEqual({ ok: true });
          const entry = (await all(ledger.read(tenant, { fromSeq: 10, limit: 1 })))[0]?.entry;
          expect(entry).toMatchObject({
            type: 'checkpoint',
            data: { size: 9, root: checkpoint.root, signature: checkpoint.signature },
          });
        },
        timeout,
      );

      it(
        'verifies the grown chain against the trusted checkpoint',
        async () => {
          expect(
            await verifyLedger(ledger, tenant, { trusted: checkpoint, publicKeyPem }),
          ).toMatchObject({ ok: true, checked: 14 });
        },
        timeout,
      );

      it(
        'reports a chain that is not the one the checkpoint signed',
        async () => {
          const forged = { ...checkpoint, root: '0'.repeat(64) };
          expect((await verifyLedger(ledger, tenant, { trusted: forged })).failure).toMatchObject({
            seq: 9,
            kind: 'checkpoint_mismatch',
          });
          expect(
            (await verifyLedger(ledger, tenant, { trusted: forged, publicKeyPem })).failure,
          ).toMatchObject({ kind: 'checkpoint_mismatch' });
          const beyond = { ...checkpoint, size: 40 };
          expect((await verifyLedger(ledger, tenant, { trusted: beyond })).failure).toMatchObject({
            seq: 15,
            kind: 'truncated',
          });
        },
        timeout,
      );

      it('refuses a checkpoint signed by another key or altered after signing', () => {
        const other = generateKeyPairSync('ed25519')
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString();
        expect(verifyCheckpoint(checkpoint, other).ok).toBe(false);
        expect(verifyCheckpoint({ ...checkpoint, size: 10 }, publicKeyPem)).toEqual({
          ok: false,
          reason: 'signature does not verify',
        });
      });
    });

    describe('tamper detection: verify reports the exact seq and kind', () => {
      const tampered = async (
        change: (tenant: string, entries: readonly LedgerEntry[]) => Promise<void>,
      ) => {
        const tenant = freshTenant();
        const entries = await fill(ledger, tenant, 10);
        expect((await verifyLedger(ledger, tenant)).ok).toBe(true);
        await change(tenant, entries);
        const { failure } = await verifyLedger(ledger, tenant);
        // the same through a digester, which reads blocks of bytes where the backend has them
        expect(
          (await verifyLedger(ledger, tenant, { digester: inThreadDigester(4) })).failure,
        ).toEqual(failure);
        return failure;
      };

      it(
        'one byte of an entry’s data changed → hash_mismatch',
        async () => {
          const failure = await tampered(async (tenant) => {
            const bytes = await harness.tamper.rawBytes(tenant, 4);
            await harness.tamper.rewrite(
              tenant,
              4,
              bytes.replace('"note":"entry-4"', '"note":"entry-5"'),
            );
          });
          expect(failure).toMatchObject({ seq: 4, kind: 'hash_mismatch' });
        },
        timeout,
      );

      it(
        'an entry made unreadable → unparseable',
        async () => {
          const failure = await tampered(async (tenant) => {
            const bytes = await harness.tamper.rawBytes(tenant, 6);
            await harness.tamper.rewrite(tenant, 6, bytes.slice(0, 40));
          });
          expect(failure).toMatchObject({ seq: 6, kind: 'unparseable' });
        },
        timeout,
      );

      it(
        'an entry deleted → gap',
        async () => {
          expect(await tampered((tenant) => harness.tamper.remove(tenant, 4))).toMatchObject({
            seq: 4,
            kind: 'gap',
          });
        },
        timeout,
      );

      it(
        'two entries swapped → reorder',
        async () => {
          expect(await tampered((tenant) => harness.tamper.swap(tenant, 5, 6))).toMatchObject({
            seq: 5,
            kind: 'reorder',
          });
        },
        timeout,
      );

      it(
        'a forged entry, correctly hashed and linked, inserted → duplicate',
        async () => {
          const failure = await tampered((tenant, entries) =>
            harness.tamper.insertAfter(
              tenant,
              5,
              forge(entries[5] as LedgerEntry, { data: { note: 'forged' } }),
            ),
          );
          expect(failure).toMatchObject({ seq: 6, kind: 'duplicate' });
        },
        timeout,
      );

      it(
        'an entry replaced by a correctly hashed one that does not link → broken_link',
        async () => {
          const failure = await tampered((tenant, entries) =>
            harness.tamper.rewrite(
              tenant,
              7,
              forge(entries[6] as LedgerEntry, { prev: 'f'.repeat(64) }),
            ),
          );
          expect(failure).toMatchObject({ seq: 7, kind: 'broken_link' });
        },
        timeout,
      );

      it(
        "an entry of another tenant's chain put in → tenant_mismatch",
        async () => {
          const failure = await tampered((tenant, entries) =>
            harness.tamper.rewrite(
              tenant,
              3,
              forge(entries[2] as LedgerEntry, { tenant: 'intruder' }),
            ),
          );
          expect(failure).toMatchObject({ seq: 3, kind: 'tenant_mismatch' });
        },
        timeout,
      );

      it(
        'the tail cut off → truncated',
        async () => {
          expect(await tampered((tenant) => harness.tamper.truncate(tenant, 7))).toMatchObject({
            seq: 8,
            kind: 'truncated',
          });
        },
        timeout,
      );
    });
  });
}
