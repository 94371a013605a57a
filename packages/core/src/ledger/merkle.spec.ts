import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  MerkleTree,
  leafHash,
  leafHashHex,
  nodeHash,
  nodeHashHex,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './merkle.js';

// A straightforward reference, written from RFC 9162 §2.1 as directly as possible:
// MTH, PATH and SUBPROOF over D[lo:hi] of one list of leaves (MTH memoised for speed).
function reference(all: Hash[]) {
  const memo = new Map<string, Hash>();
  const split = (n: number) => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  const mth = (lo: number, hi: number): Hash => {
    const key = `${lo}:${hi}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const n = hi - lo;
    const out: Hash =
      n === 0
        ? createHash('sha256').digest()
        : n === 1
          ? (all[lo] as Hash)
          : nodeHash(mth(lo, lo + split(n)), mth(lo + split(n), hi));
    memo.set(key, out);
    return out;
  };
  const path = (m: number, lo: number, hi: number): Hash[] => {
    const n = hi - lo;
    if (n === 1) return [];
    const k = split(n);
    return m < k
      ? [...path(m, lo, lo + k), mth(lo + k, hi)]
      : [...path(m - k, lo + k, hi), mth(lo, lo + k)];
  };
  const subproof = (m: number, lo: number, hi: number, whole: boolean): Hash[] => {
    const n = hi - lo;
    if (m === n) return whole ? [] : [mth(lo, hi)];
    const k = split(n);
    return m <= k
      ? [...subproof(m, lo, lo + k, whole), mth(lo + k, hi)]
      : [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
  };
  return {
    mth: (n: number) => mth(0, n),
    path: (m: number, n: number) => path(m, 0, n),
    proof: (m: number, n: number) => (m === n ? [] : subproof(m, 0, n, true)),
  };
}

const leavesOf = (n: number): Hash[] => Array.from({ length: n }, (_, i) => leafHash(`entry ${i}`));

function treeOf(leaves: Hash[], cacheLevel?: number): MerkleTree {
  const tree = new MerkleTree(cacheLevel === undefined ? {} : { cacheLevel });
  for (const l of leaves) tree.append(l);
  return tree;
}

describe('Merkle tree (RFC 9162 §2.1) — hand-checked cases', () => {
  const [a, b, c, d, e, f, j] = leavesOf(7) as [Hash, Hash, Hash, Hash, Hash, Hash, Hash];
  const g = nodeHash(a, b);
  const h = nodeHash(c, d);
  const i = nodeHash(e, f);
  const k = nodeHash(g, h);
  const l = nodeHash(i, j);
  const tree = treeOf([a, b, c, d, e, f, j]);

  it('hashes leaves with 0x00 and nodes with 0x01 prefixes', () => {
    expect(
      leafHash('x').equals(
        createHash('sha256')
          .update(Buffer.from([0]))
          .update('x')
          .digest(),
      ),
    ).toBe(true);
    expect(
      nodeHash(a, b).equals(
        createHash('sha256')
          .update(Buffer.from([1]))
          .update(a)
          .update(b)
          .digest(),
      ),
    ).toBe(true);
  });

  it('gives the empty root, the leaf itself, and split roots', () => {
    expect(new MerkleTree().root().equals(EMPTY_ROOT)).toBe(true);
    expect(tree.root(1).equals(a)).toBe(true);
    expect(tree.root(3).equals(nodeHash(g, c))).toBe(true);
    expect(tree.root(7).equals(nodeHash(k, l))).toBe(true);
  });

  it.each([
    [0, [b, h, l]],
    [3, [c, g, l]],
    [4, [f, j, k]],
    [6, [i, k]],
  ])('gives the RFC example audit path for leaf %i of 7', (index, path) => {
    expect(tree.inclusionProof(index, 7)).toEqual(path);
  });

  it.each([
    [3, [c, d, g, l]],
    [4, [l]],
    [6, [i, j, k]],
  ])('gives the RFC example consistency proof from %i to 7', (size1, path) => {
    expect(tree.consistencyProof(size1, 7)).toEqual(path);
  });

  it('refuses proofs outside the tree', () => {
    expect(() => tree.inclusionProof(7, 7)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 8)).toThrow(RangeError);
    expect(() => tree.consistencyProof(5, 4)).toThrow(RangeError);
  });
});

describe.each([0, 3, 8])(
  'Merkle tree against the reference, every size up to 130 (subtrees of 2^%i cached)',
  (cacheLevel) => {
    const MAX = 130;
    const leaves = leavesOf(MAX);
    const tree = treeOf(leaves, cacheLevel);

    it('matches every root, inclusion proof and consistency proof, and every proof verifies', () => {
      const mine = createHash('sha256');
      const theirs = createHash('sha256');
      let failures = 0;
      const ref = reference(leaves);
      const roots = Array.from({ length: MAX + 1 }, (_, n) => ref.mth(n));
      for (let n = 1; n <= MAX; n++) {
        const root = roots[n] as Hash;
        mine.update(tree.root(n));
        theirs.update(root);
        for (let m = 0; m < n; m++) {
          const proof = tree.inclusionProof(m, n);
          for (const p of proof) mine.update(p);
          for (const p of ref.path(m, n)) theirs.update(p);
          if (!verifyInclusion(leaves[m] as Hash, m, n, proof, root)) failures++;
        }
        for (let m = 1; m <= n; m++) {
          const proof = tree.consistencyProof(m, n);
          for (const p of proof) mine.update(p);
          for (const p of ref.proof(m, n)) theirs.update(p);
          if (!verifyConsistency(m, n, roots[m] as Hash, root, proof)) failures++;
        }
      }
      expect(failures).toBe(0);
      // Every proof of every tree up to 130 leaves, folded into one digest.
      const digest = mine.digest('hex');
      expect(digest).toBe(theirs.digest('hex'));
      expect(digest).toBe('7fe5de4b925a58d9b8d7870c64edae1fb465603c261eeabd23e4b862ceaf811f');
    });

    it('rejects a proof with a hash changed, for another leaf, against another root, or cut short', () => {
      let accepted = 0;
      for (let n = 2; n <= 40; n++) {
        const root = tree.root(n);
        for (let m = 0; m < n; m++) {
          const proof = tree.inclusionProof(m, n);
          const flipped = proof.map((p, i) =>
            i === 0 ? Buffer.from(p.map((x, j) => (j === 0 ? x ^ 1 : x))) : p,
          );
          if (verifyInclusion(leaves[m] as Hash, m, n, flipped, root)) accepted++;
          if (verifyInclusion(leaves[m] as Hash, (m + 1) % n, n, proof, root)) accepted++;
        }
        for (let m = 1; m < n; m++) {
          const proof = tree.consistencyProof(m, n);
          if (verifyConsistency(m, n, tree.root(m), tree.root(n - 1), proof)) accepted++;
          if (proof.length > 0 && verifyConsistency(m, n, tree.root(m), root, proof.slice(1)))
            accepted++;
        }
      }
      expect(accepted).toBe(0);
    });

    it('caches subtrees without changing answers past the 256-leaf blocks', () => {
      const many = leavesOf(1100);
      const big = treeOf(many);
      const ref = reference(many);
      for (const n of [255, 256, 257, 511, 512, 513, 1024, 1100]) {
        expect(big.root(n).equals(ref.mth(n))).toBe(true);
      }
      expect(big.inclusionProof(700, 1100)).toEqual(ref.path(700, 1100));
      expect(big.consistencyProof(513, 1100)).toEqual(ref.proof(513, 1100));
    });
  },
);

describe('MerkleFrontier', () => {
  it('gives the same root as the full tree at every size up to 300, with O(log n) state', () => {
    const leaves = leavesOf(300);
    const tree = treeOf(leaves);
    const frontier = new MerkleFrontier();
    expect(frontier.root().equals(EMPTY_ROOT)).toBe(true);
    for (let n = 1; n <= 300; n++) {
      frontier.append(leaves[n - 1] as Hash);
      expect(frontier.root().equals(tree.root(n))).toBe(true);
    }
  });
});

describe('hex hashing', () => {
  it('leafHashHex and nodeHashHex equal leafHash and nodeHash, and appendHex equals append', () => {
    const hexFrontier = new MerkleFrontier();
    const frontier = new MerkleFrontier();
    for (let n = 0; n < 100; n++) {
      const bytes = `{"n":${n},"text":"é ${'x'.repeat(n)}"}`;
      expect(leafHashHex(bytes)).toBe(leafHash(bytes).toString('hex'));
      hexFrontier.appendHex(leafHashHex(bytes));
      frontier.append(leafHash(bytes));
      expect(hexFrontier.rootHex()).toBe(frontier.root().toString('hex'));
    }
    const [a, b] = [leafHash('a'), leafHash('b')];
    expect(nodeHashHex(a.toString('hex'), b.toString('hex'))).toBe(nodeHash(a, b).toString('hex'));
    expect(() => nodeHashHex('abc', b.toString('hex'))).toThrow(RangeError);
    expect(new MerkleFrontier().rootHex()).toBe(EMPTY_ROOT.toString('hex'));
  });
});
