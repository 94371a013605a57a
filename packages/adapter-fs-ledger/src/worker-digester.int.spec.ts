import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GovgateError,
  MerkleTree,
  blockLeafPiece,
  digestBlock,
  digestEntries,
  leafHash,
  verifyInclusionProof,
  verifyLedger,
  type AppendRequest,
} from '@govgate/core';
import { blockMemory } from './raw-blocks.js';
import { FsLedger } from './fs-ledger.js';
import { settle } from './testing/helpers.js';
import { fsTamper } from './testing/fs-tamper.js';
import { WorkerDigester } from './worker-digester.js';

const SIZE = 5000;

const request = (n: number): AppendRequest => ({
  type: n % 1000 === 999 ? 'checkpoint' : 'decision',
  actor: `key_${n % 7}`,
  subject: `run_${n}`,
  data: n % 1000 === 999 ? { size: 0, root: '' } : { n, allowed: n % 3 !== 0, note: 'ünï 🎉' },
});

/** A ledger of SIZE entries, written in calls of 500. */
async function writeLedger(dir: string): Promise<void> {
  const ledger = await FsLedger.open({ dir });
  for (let from = 0; from < SIZE; from += 500)
    await ledger.append(
      'acme',
      Array.from({ length: 500 }, (_, i) => request(from + i)),
    );
  await ledger.close();
}

describe('WorkerDigester', () => {
  let root: string;
  let lines: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'govgate-digester-'));
    await writeLedger(join(root, 'sound'));
    const ledger = await FsLedger.open({ dir: join(root, 'sound'), readOnly: true });
    lines = [];
    for await (const raw of ledger.readRaw('acme')) lines.push(raw.bytes);
    await ledger.close();
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('answers each run on a worker thread exactly as digestEntries does', async () => {
    const digester = new WorkerDigester({ threads: 2, chunkSize: 256 });
    try {
      const runs = [lines.slice(0, 256), lines.slice(256, 512), lines.slice(700, 900), []];
      const broken = [...lines.slice(0, 10), lines[20] as string, ...lines.slice(11, 30)];
      const answers = await Promise.all(
        [...runs, broken].map((run) => digester.digest(run, 'acme')),
      );
      expect(answers).toEqual([...runs, broken].map((run) => digestEntries(run, 'acme')));
      expect(answers.map((a) => a.good)).toEqual([256, 256, 200, 0, 10]);
      expect(digester.running).toBe(2);
    } finally {
      await digester.close();
    }
    expect(digester.running).toBe(0);
  });

  it('answers each block on a worker thread as digestBlock does, moving a block’s own memory there and back', async () => {
    const digester = new WorkerDigester({ threads: 2 });
    try {
      const text = (from: number, to: number): string =>
        lines
          .slice(from, to)
          .map((line) => `${line}\n`)
          .join('');
      // a block in memory handed out by a BlockMemory, as rawBlocks makes them
      const pooled = blockMemory.take(Buffer.byteLength(text(0, 256)));
      const length = pooled.write(text(0, 256));
      const block = pooled.subarray(0, length);
      const expected = digestBlock(Buffer.from(text(0, 256)), 'acme');
      const kept = blockMemory.kept;
      expect(await digester.digestBlock(block, 'acme')).toEqual(expected);
      expect(block.byteLength).toBe(0); // moved to the worker, not copied
      expect(blockMemory.kept).toBe(kept + 1); // …and given back with the answer
      // a view of memory the block shares is copied, and left as it was
      const shared = Buffer.from(`xx${text(256, 300)}`).subarray(2);
      expect(await digester.digestBlock(shared, 'acme')).toEqual(
        digestBlock(Buffer.from(text(256, 300)), 'acme'),
      );
      expect(shared.toString()).toBe(text(256, 300));
      // memory of its own, from elsewhere, is moved too
      const own = new Uint8Array(Buffer.from(text(300, 310)));
      const ownCopy = own.slice();
      expect(await digester.digestBlock(own, 'acme')).toEqual(digestBlock(ownCopy, 'acme'));
      expect(own.byteLength).toBe(0);
    } finally {
      await digester.close();
    }
  });

  it('hashes a block’s leaves and group roots on a worker as blockLeafPiece does, and the file ledger loads a large tree with them', async () => {
    const digester = new WorkerDigester({ threads: 2 });
    try {
      const text = lines
        .slice(0, 300)
        .map((line) => `${line}\n`)
        .join('');
      const pooled = blockMemory.take(Buffer.byteLength(text));
      const block = pooled.subarray(0, pooled.write(text));
      const kept = blockMemory.kept;
      const piece = await digester.leaves(block);
      const expected = blockLeafPiece(Buffer.from(text));
      expect(Buffer.from(piece.leaves)).toEqual(expected.leaves);
      expect(Buffer.from(piece.groupRoots ?? [])).toEqual(expected.groupRoots);
      expect(piece.groupRoots?.length).toBe(Math.floor(300 / 16) * 32);
      expect(blockMemory.kept).toBe(kept + 1);
    } finally {
      await digester.close();
    }
    // trees of SIZE entries load through blocks, on workers or not, and prove the same
    const reference = new MerkleTree();
    for (const line of lines) reference.append(leafHash(line));
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    for (const verifyThreads of [0, 2]) {
      const ledger = await FsLedger.open({
        dir: join(root, 'sound'),
        readOnly: true,
        verifyThreads,
      });
      try {
        const proof = await ledger.inclusionProof('acme', 4321);
        expect(proof.path).toEqual(reference.inclusionProof(4320, SIZE).map(hex));
        expect(proof.root).toBe(hex(reference.root(SIZE)));
        expect(verifyInclusionProof(proof, { entryBytes: lines[4320] as string })).toBe(true);
        expect(await ledger.treeHead('acme', 4999)).toEqual({
          size: 4999,
          root: hex(reference.root(4999)),
        });
        expect((await ledger.consistencyProof('acme', 1000)).path).toEqual(
          reference.consistencyProof(1000, SIZE).map(hex),
        );
      } finally {
        await ledger.close();
      }
    }
  });

  it('fails a tree load whose worker dies with LEDGER_UNAVAILABLE (nothing unhandled), and loads it again', async () => {
    const dir = join(root, 'long');
    const writer = await FsLedger.open({ dir });
    for (let from = 0; from < 60_000; from += 1000)
      await writer.append(
        'acme',
        Array.from({ length: 1000 }, (_, i) => request(from + i)),
      );
    await writer.close();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const ledger = await FsLedger.open({ dir, readOnly: true, verifyThreads: 2 });
    const pool = (): WorkerDigester | undefined =>
      (ledger as unknown as { treeWorkers?: WorkerDigester }).treeWorkers;
    try {
      const first = ledger.inclusionProof('acme', 59_999).then(
        () => 'proved',
        (error: unknown) => error,
      );
      for (let n = 0; n < 10_000 && (pool()?.running ?? 0) === 0; n++) await settle(1);
      const workers = (pool() as unknown as { slots: { worker: Worker }[] }).slots;
      await workers[0]?.worker.terminate();
      expect(await first).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
      await settle(20);
      expect(unhandled).toEqual([]);
      // loaded again (what the failed load appended is a sound prefix)
      const raw: string[] = [];
      for await (const entry of ledger.readRaw('acme')) raw.push(entry.bytes);
      const reference = new MerkleTree();
      for (const bytes of raw) reference.append(leafHash(bytes));
      const proof = await ledger.inclusionProof('acme', 59_999);
      expect(proof.root).toBe(Buffer.from(reference.root(60_000)).toString('hex'));
      expect(verifyInclusionProof(proof, { entryBytes: raw[59_998] as string })).toBe(true);
      expect(pool()).toBeUndefined(); // no load runs: its workers stopped
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await ledger.close();
    }
  });

  it('stops a tree load when the ledger closes, and close waits for it', async () => {
    const ledger = await FsLedger.open({
      dir: join(root, 'long'),
      readOnly: true,
      verifyThreads: 2,
    });
    const pool = (): WorkerDigester | undefined =>
      (ledger as unknown as { treeWorkers?: WorkerDigester }).treeWorkers;
    const proof = ledger.treeHead('acme').then(
      () => 'loaded',
      (error: unknown) => error,
    );
    for (let n = 0; n < 10_000 && (pool()?.running ?? 0) === 0; n++) await settle(1);
    const workers = pool() as WorkerDigester;
    await ledger.close();
    expect(workers.running).toBe(0);
    expect(await proof).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
  });

  it('gives verifyLedger the report it makes alone, for a sound and a tampered chain', async () => {
    const dir = join(root, 'tampered');
    await writeLedger(dir);
    const digester = new WorkerDigester({ threads: 2, minEntries: 0 });
    try {
      const sound = await FsLedger.open({ dir: join(root, 'sound'), readOnly: true });
      const alone = await verifyLedger(sound, 'acme');
      expect(alone).toMatchObject({ ok: true, checked: SIZE });
      expect(await verifyLedger(sound, 'acme', { digester })).toEqual(alone);
      await sound.close();

      const tamper = fsTamper(dir);
      const bytes = await tamper.rawBytes('acme', 3333);
      await tamper.rewrite('acme', 3333, bytes.replace('"allowed":true', '"allowed":false'));
      const tampered = await FsLedger.open({ dir, readOnly: true });
      const expected = await verifyLedger(tampered, 'acme');
      expect(expected.failure).toMatchObject({ seq: 3333, kind: 'hash_mismatch' });
      expect(await verifyLedger(tampered, 'acme', { digester })).toEqual(expected);
      await tampered.close();
      expect(digester.running).toBe(2);
    } finally {
      await digester.close();
    }
  });

  it('verifies a long chain on worker threads when the ledger is opened, naming the same line', async () => {
    const dir = join(root, 'reopened');
    await writeLedger(dir);
    const tamper = fsTamper(dir);
    await tamper.swap('acme', 4100, 4101);
    const refusal = async (verifyThreads: number): Promise<unknown> =>
      FsLedger.open({ dir, verifyThreads }).then(
        async (ledger) => (await ledger.close(), undefined),
        (error: unknown) => error,
      );
    const onWorkers = await refusal(2);
    const here = await refusal(0);
    expect(GovgateError.is(onWorkers, 'LEDGER_CORRUPT')).toBe(true);
    expect((onWorkers as Error).message).toBe((here as Error).message);
    expect((onWorkers as Error).message).toMatch(/acme\/00000001\.jsonl:4100.*reorder/);
    // a sound long chain opens the same way with and without workers
    for (const verifyThreads of [0, 2]) {
      const ledger = await FsLedger.open({ dir: join(root, 'sound'), verifyThreads });
      expect(ledger.openReport).toEqual({ tenants: 1, entries: SIZE, repairs: [] });
      await ledger.close();
    }
  });

  it('fails a run it could not digest with LEDGER_UNAVAILABLE, and every run once closed', async () => {
    const digester = new WorkerDigester({ threads: 1 });
    const notText = [42] as unknown as string[];
    await expect(digester.digest(notText, 'acme')).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      message: expect.stringMatching(/a digest worker failed/),
    });
    // the worker goes on with the next run
    expect((await digester.digest(lines.slice(0, 4), 'acme')).good).toBe(4);
    await digester.close();
    await expect(digester.digest(lines.slice(0, 4), 'acme')).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      message: 'the digester is closed',
    });
  });

  it('fails the runs a dying worker held, replaces it, and after repeated deaths digests here', async () => {
    const digester = new WorkerDigester({ threads: 2, chunkSize: 256 });
    // Reaches into the pool to kill a worker, as an out-of-memory or a native fault would.
    const workers = (): Worker[] =>
      (digester as unknown as { slots: { worker: Worker }[] }).slots.map((slot) => slot.worker);
    try {
      const runs = [0, 1, 2, 3, 4, 5].map((n) => lines.slice(n * 256, n * 256 + 256));
      const answers = runs.map((run) =>
        digester.digest(run, 'acme').then(
          (digest) => digest.good,
          (error: unknown) => error,
        ),
      );
      await workers()[0]?.terminate();
      const settled = await Promise.all(answers);
      // every run either was answered as digestEntries would, or failed naming the death
      for (const outcome of settled)
        if (typeof outcome === 'number') expect(outcome).toBe(256);
        else
          expect(outcome).toMatchObject({
            code: 'LEDGER_UNAVAILABLE',
            message: expect.stringMatching(/a digest worker stopped .*; verify again/),
          });
      expect(digester.workerFailures).toBe(1);
      expect(digester.lastWorkerFailure).toMatch(/a digest worker exited with code/);
      expect(digester.running).toBe(1);
      // the next runs start a new worker
      const more = await Promise.all(runs.slice(0, 2).map((run) => digester.digest(run, 'acme')));
      expect(more.map((d) => d.good)).toEqual([256, 256]);
      expect(digester.running).toBe(2);
      // after repeated deaths no more workers start: runs are digested here
      while (digester.running > 0) {
        const pending = digester.digest(runs[0] as string[], 'acme').catch(() => undefined);
        await workers()[0]?.terminate();
        await pending;
      }
      expect(digester.workerFailures).toBeGreaterThanOrEqual(3);
      expect(await digester.digest(runs[1] as string[], 'acme')).toEqual(
        digestEntries(runs[1] as string[], 'acme'),
      );
      expect(digester.running).toBe(0);
    } finally {
      await digester.close();
    }
  });

  it('recovers a long chain on the opening thread when a worker dies during the open', async () => {
    const dir = join(root, 'sound');
    // A worker that dies at its first run: opening falls back to verifying here.
    const { Worker: WorkerClass } = await import('node:worker_threads');
    const send = Object.getOwnPropertyDescriptor(WorkerClass.prototype, 'postMessage');
    const post = send?.value as (this: Worker, message: unknown) => void;
    let killed = 0;
    Object.defineProperty(WorkerClass.prototype, 'postMessage', {
      ...send,
      value: function (this: Worker, message: unknown): void {
        if (killed++ === 0) void this.terminate();
        else post.call(this, message);
      },
    });
    try {
      const ledger = await FsLedger.open({ dir, verifyThreads: 2 });
      expect(ledger.openReport).toEqual({ tenants: 1, entries: SIZE, repairs: [] });
      await ledger.close();
    } finally {
      if (send !== undefined) Object.defineProperty(WorkerClass.prototype, 'postMessage', send);
    }
    expect(killed).toBeGreaterThan(0);
  });

  it('refuses a run it cannot send to a worker, and stays usable', async () => {
    const digester = new WorkerDigester({ threads: 1 });
    try {
      const notSendable = [() => 1] as unknown as string[];
      await expect(digester.digest(notSendable, 'acme')).rejects.toMatchObject({
        code: 'LEDGER_UNAVAILABLE',
        message: expect.stringMatching(/could not be sent to a digest worker/),
      });
      expect((await digester.digest(lines.slice(0, 8), 'acme')).good).toBe(8);
    } finally {
      await digester.close();
    }
  });

  it('refuses options it cannot use, naming them', () => {
    expect(() => new WorkerDigester({ threads: 0, chunkSize: 100, minEntries: -1 })).toThrow(
      'invalid WorkerDigester options: threads must be an integer ≥ 1; chunkSize must be a power of two; minEntries must be an integer ≥ 0',
    );
    expect(new WorkerDigester()).toMatchObject({ chunkSize: 256, minEntries: 4096 });
  });
});
