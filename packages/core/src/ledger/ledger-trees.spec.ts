import { describe, expect, it } from '@jest/globals';
import { blockLeaves } from './digest.js';
import { LedgerTrees, type LoadLeaves } from './ledger-trees.js';
import { MerkleTree, leafHash } from './merkle.js';

/** Stored bytes of a tenant's entries 1..n (any text will do for trees). */
const entries = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `{"n":${i + 1},"text":"entry ${'é'.repeat(i % 5)}"}`);

/** readFrom over `lines`, counting the entries it hands out. */
function reader(lines: readonly string[], counted: { read: number }) {
  return async function* (_tenant: string, fromSeq: number, limit: number) {
    await Promise.resolve();
    for (const bytes of lines.slice(fromSeq - 1, fromSeq - 1 + limit)) {
      counted.read += 1;
      yield { bytes };
    }
  };
}

/** loadLeaves over `lines`, in pieces of `piece` leaves, from blocks of their bytes. */
function loader(lines: readonly string[], piece: number, counted: { pieces: number }): LoadLeaves {
  return async function* () {
    await Promise.resolve();
    for (let at = 0; at < lines.length; at += piece) {
      counted.pieces += 1;
      const block = Buffer.from(
        lines
          .slice(at, at + piece)
          .map((line) => `${line}\n`)
          .join(''),
      );
      yield blockLeaves(block);
    }
  };
}

describe('blockLeaves and MerkleTree.appendLeaves', () => {
  it('give each entry’s leaf hash, and the tree the leaves one by one would', () => {
    const lines = entries(300);
    const leaves = blockLeaves(Buffer.from(lines.map((l) => `${l}\n`).join('')));
    expect(leaves.length).toBe(300 * 32);
    const one = new MerkleTree();
    for (const line of lines) one.append(leafHash(line));
    const bulk = new MerkleTree();
    bulk.appendLeaves(leaves.subarray(0, 100 * 32));
    bulk.appendLeaves(leaves.subarray(100 * 32));
    expect(bulk.size).toBe(300);
    for (const size of [1, 16, 17, 256, 299, 300])
      expect(bulk.root(size).equals(one.root(size))).toBe(true);
    expect(bulk.inclusionProof(123, 300)).toEqual(one.inclusionProof(123, 300));
    expect(() => bulk.appendLeaves(new Uint8Array(31))).toThrow(RangeError);
  });
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** LedgerTrees over `n` entries with loadLeaves in pieces of `piece`, counting both ways, and the reference tree. */
function counting(n: number, piece: number) {
  const lines = entries(n);
  const counted = { pieces: 0, read: 0 };
  const trees = new LedgerTrees(reader(lines, counted), {
    loadLeaves: loader(lines, piece, counted),
  });
  const reference = new MerkleTree();
  for (const line of lines) reference.append(leafHash(line));
  return { lines, counted, trees, reference };
}

describe('LedgerTrees with loadLeaves', () => {
  it('loads a large tree whole through it, and answers as from readFrom alone', async () => {
    const lines = entries(5000);
    const plainCount = { read: 0 };
    const plain = new LedgerTrees(reader(lines, plainCount));
    const fastCount = { read: 0 };
    const pieces = { pieces: 0 };
    const fast = new LedgerTrees(reader(lines, fastCount), {
      loadLeaves: loader(lines, 1024, pieces),
    });
    for (const size of [5000, 4999, 4096]) {
      expect(await fast.treeHead('acme', 5000, size)).toEqual(
        await plain.treeHead('acme', 5000, size),
      );
    }
    expect(await fast.inclusionProof('acme', 5000, 4321)).toEqual(
      await plain.inclusionProof('acme', 5000, 4321),
    );
    expect(await fast.consistencyProof('acme', 5000, 777, 4999)).toEqual(
      await plain.consistencyProof('acme', 5000, 777, 4999),
    );
    // the whole tree came through loadLeaves; readFrom was never asked
    expect({ pieces: pieces.pieces, read: fastCount.read }).toEqual({ pieces: 5, read: 0 });
  });

  it('takes only the leaves asked for, extends from readFrom, and leaves small trees to readFrom', async () => {
    const { lines, counted, trees, reference } = counting(6000, 1000);
    // a head of 4500 while more is stored (appended meanwhile): 4500 leaves are taken
    expect(await trees.treeHead('acme', 4500)).toEqual({
      size: 4500,
      root: hex(reference.root(4500)),
    });
    expect(counted).toEqual({ pieces: 5, read: 0 });
    // grown later: the rest is read from readFrom, not loaded again
    expect(await trees.treeHead('acme', 6000)).toEqual({
      size: 6000,
      root: hex(reference.root(6000)),
    });
    expect(counted).toEqual({ pieces: 5, read: 1500 });
    // a small tree is read from readFrom; many leaves missing later come through
    // loadLeaves, skipping those the tree has
    const small = { pieces: 0 };
    const fewRead = { read: 0 };
    const few = new LedgerTrees(reader(lines, fewRead), { loadLeaves: loader(lines, 64, small) });
    expect(await few.treeHead('acme', 100)).toEqual({ size: 100, root: hex(reference.root(100)) });
    expect({ pieces: small.pieces, read: fewRead.read }).toEqual({ pieces: 0, read: 100 });
    expect(await few.inclusionProof('acme', 6000, 5999)).toEqual(
      await trees.inclusionProof('acme', 6000, 5999),
    );
    expect({ pieces: small.pieces, read: fewRead.read }).toEqual({ pieces: 94, read: 100 });
  });

  it('loads through it only while at least as many leaves are missing as the tree has', async () => {
    const { counted, trees, reference } = counting(17_000, 1000);
    const root = async (size: number): Promise<string> => (await trees.treeHead('acme', size)).root;
    expect(await root(6000)).toBe(hex(reference.root(6000)));
    expect(counted).toEqual({ pieces: 6, read: 0 });
    // 6000 missing, 6000 had: loaded again (the first 6000 skipped)
    expect(await root(12_000)).toBe(hex(reference.root(12_000)));
    expect(counted).toEqual({ pieces: 18, read: 0 });
    // 5000 missing of a tree of 12000: read from readFrom, nothing hashed twice
    expect(await root(17_000)).toBe(hex(reference.root(17_000)));
    expect(counted).toEqual({ pieces: 18, read: 5000 });
  });

  it('reports LEDGER_CORRUPT when neither way holds as many entries as the head', async () => {
    const lines = entries(4200);
    const trees = new LedgerTrees(reader(lines, { read: 0 }), {
      loadLeaves: loader(lines, 1024, { pieces: 0 }),
    });
    await expect(trees.treeHead('acme', 5000)).rejects.toMatchObject({
      code: 'LEDGER_CORRUPT',
      message: expect.stringContaining('entries end at 4200, the head says 5000'),
    });
  });
});
