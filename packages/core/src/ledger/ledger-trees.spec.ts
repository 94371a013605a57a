import { describe, expect, it } from '@jest/globals';
import { blockLeafPiece, blockLeaves } from './digest.js';
import { LedgerTrees, type LoadLeaves } from './ledger-trees.js';
import { LEAF_GROUP, MerkleTree, groupRoots, leafHash } from './merkle.js';

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

/**
 * loadLeaves over `lines`, in pieces of `piece` leaves, from blocks of their bytes; with
 * group roots unless `roots` is false.
 */
function loader(
  lines: readonly string[],
  piece: number,
  counted: { pieces: number },
  roots = true,
): LoadLeaves {
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
      yield roots ? blockLeafPiece(block) : { leaves: blockLeaves(block) };
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

describe('groupRoots and MerkleTree.appendLeaves with them', () => {
  const lines = entries(700);
  const leaves = blockLeaves(Buffer.from(lines.map((l) => `${l}\n`).join('')));
  const reference = new MerkleTree();
  for (const line of lines) reference.append(leafHash(line));
  const at = (n: number): Buffer => leaves.subarray(n * 32, n * 32 + 32);

  it('give the root of each whole group of 16 leaves, as the tree computes it', () => {
    const roots = groupRoots(leaves.subarray(0, 40 * 32)); // 2 whole groups, 8 left over
    expect(roots.length).toBe(2 * 32);
    for (const g of [0, 1]) {
      const group = new MerkleTree();
      for (let n = g * LEAF_GROUP; n < (g + 1) * LEAF_GROUP; n++) group.append(at(n));
      expect(roots.subarray(g * 32, g * 32 + 32)).toEqual(group.root());
    }
    expect(groupRoots(leaves.subarray(0, 15 * 32)).length).toBe(0);
    expect(() => groupRoots(new Uint8Array(33))).toThrow(RangeError);
  });

  it('build the tree the leaves one by one would, however the pieces are cut', () => {
    // pieces that start on a group and pieces that do not (their roots are then unused)
    for (const cuts of [
      [0, 256, 700],
      [0, 16, 100, 117, 400, 700],
      [0, 5, 21, 37, 699, 700],
    ]) {
      const tree = new MerkleTree();
      for (let c = 1; c < cuts.length; c++) {
        const piece = leaves.subarray((cuts[c - 1] as number) * 32, (cuts[c] as number) * 32);
        tree.appendLeaves(piece, groupRoots(piece));
      }
      expect(tree.size).toBe(700);
      for (const size of [1, 15, 16, 17, 255, 256, 257, 512, 699, 700])
        expect(tree.root(size)).toEqual(reference.root(size));
      for (const index of [0, 16, 300, 699])
        expect(tree.inclusionProof(index, 700)).toEqual(reference.inclusionProof(index, 700));
      expect(tree.consistencyProof(100, 700)).toEqual(reference.consistencyProof(100, 700));
    }
  });

  it('take the roots as given where the leaves start a group, and only there', () => {
    // roots that are not the leaves' show that they are used rather than recomputed
    const wrong = Buffer.alloc(2 * 32, 7);
    const used = new MerkleTree();
    used.appendLeaves(leaves.subarray(0, 32 * 32), wrong);
    expect(used.root(32)).not.toEqual(reference.root(32));
    // leaves that start inside a group: the roots do not line up and are not used
    const skipped = new MerkleTree();
    skipped.append(at(0));
    skipped.appendLeaves(leaves.subarray(32, 33 * 32), wrong);
    expect(skipped.root(33)).toEqual(reference.root(33));
    // a tree keeping other groups than 16 computes its own
    const other = new MerkleTree({ cacheLevel: 3 });
    other.appendLeaves(leaves.subarray(0, 32 * 32), wrong);
    expect(other.root(32)).toEqual(reference.root(32));
    // too few roots for the whole groups given
    expect(() =>
      new MerkleTree().appendLeaves(leaves.subarray(0, 32 * 32), wrong.subarray(32)),
    ).toThrow(RangeError);
  });

  it('copies the roots it keeps: the caller may reuse its memory', () => {
    const piece = leaves.subarray(0, 64 * 32);
    const roots = groupRoots(piece);
    const tree = new MerkleTree();
    tree.appendLeaves(piece, roots);
    roots.fill(0);
    expect(tree.root(64)).toEqual(reference.root(64));
    expect(tree.inclusionProof(40, 64)).toEqual(reference.inclusionProof(40, 64));
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

  it('uses group roots that line up after the leaves it skips, and loads pieces without them', async () => {
    const lines = entries(9000);
    const reference = new MerkleTree();
    for (const line of lines) reference.append(leafHash(line));
    for (const roots of [true, false]) {
      const counted = { pieces: 0, read: 0 };
      const trees = new LedgerTrees(reader(lines, counted), {
        loadLeaves: loader(lines, 1000, counted, roots),
      });
      expect((await trees.treeHead('acme', 4096)).root).toBe(hex(reference.root(4096)));
      // 4904 missing of 4096 had: loaded again, the piece of 4000.. taken from its 7th group
      expect((await trees.treeHead('acme', 9000)).root).toBe(hex(reference.root(9000)));
      expect(counted).toEqual({ pieces: 5 + 9, read: 0 });
      expect(await trees.inclusionProof('acme', 9000, 4100)).toEqual({
        seq: 4100,
        leafHash: hex(reference.leaf(4099)),
        size: 9000,
        root: hex(reference.root(9000)),
        path: reference.inclusionProof(4099, 9000).map(hex),
      });
    }
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
