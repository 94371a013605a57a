import { createHash, hash } from 'node:crypto';

/**
 * Merkle trees over a tenant's entries, as RFC 9162 §2.1 defines them:
 * leaf = SHA-256(0x00 ‖ entry bytes), node = SHA-256(0x01 ‖ left ‖ right), the split
 * point of n > 1 leaves being the largest power of two smaller than n.
 */
export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

// One-shot hashing is markedly cheaper than createHash() per call on this hot path
// (every entry of a verify or a tree load takes a leaf hash and, on average, a node hash).
const NODE_INPUT = Buffer.alloc(65, 1);

export function leafHash(entryBytes: string | Uint8Array): Hash {
  if (typeof entryBytes === 'string') return hash('sha256', `\u0000${entryBytes}`, 'buffer');
  return createHash('sha256').update(LEAF_PREFIX).update(entryBytes).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== 32 || right.length !== 32)
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

// Node's one-shot hash() returns a hex string markedly faster than a Buffer (about
// 0.7 µs less per call here): streaming verification, which takes a leaf hash and on
// average a node hash per entry, keeps its hashes in hex.
const EMPTY_ROOT_HEX = EMPTY_ROOT.toString('hex');

/** `leafHash` as lowercase hex. */
export function leafHashHex(entryBytes: string): string {
  return hash('sha256', `\u0000${entryBytes}`, 'hex');
}

/** `nodeHash` of two hashes given in lowercase hex, as hex. */
export function nodeHashHex(left: string, right: string): string {
  if (NODE_INPUT.write(left, 1, 'hex') !== 32 || NODE_INPUT.write(right, 33, 'hex') !== 32)
    throw new RangeError('a node hash joins two 32-byte hashes');
  return hash('sha256', NODE_INPUT, 'hex');
}

/** Leaves per group whose root a `MerkleTree` keeps (its default `cacheLevel` of 4). */
export const LEAF_GROUP = 16;

/**
 * Leaf hashes one after another, 32 bytes each, and, when known, the root of each whole
 * group of LEAF_GROUP of them from the first (`groupRoots`): what a tree is loaded from.
 */
export interface LeafPiece {
  readonly leaves: Uint8Array;
  readonly groupRoots?: Uint8Array;
}

/**
 * The root of each whole group of LEAF_GROUP leaves from the first (a trailing partial
 * group has none), 32 bytes each, in memory of their own: the perfect subtrees a
 * `MerkleTree` would hash over these leaves itself, hashed where the leaves were.
 */
export function groupRoots(leaves: Uint8Array): Buffer {
  if (leaves.length % 32 !== 0) throw new RangeError('leaf hashes are 32 bytes each');
  const groups = Math.floor(leaves.length / 32 / LEAF_GROUP);
  const roots = Buffer.allocUnsafeSlow(groups * 32);
  const level = Buffer.allocUnsafe(LEAF_GROUP * 32);
  for (let g = 0; g < groups; g++) {
    level.set(leaves.subarray(g * LEAF_GROUP * 32, (g + 1) * LEAF_GROUP * 32));
    // Each pass halves the level in place; hex out and written back is about twice as
    // cheap here as a new Buffer per node.
    for (let width = LEAF_GROUP; width > 1; width /= 2) {
      for (let i = 0; i < width / 2; i++) {
        NODE_INPUT.set(level.subarray(i * 64, i * 64 + 64), 1);
        level.write(hash('sha256', NODE_INPUT, 'hex'), i * 32, 'hex');
      }
    }
    level.copy(roots, g * 32, 0, 32);
  }
  return roots;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * Checks an inclusion proof (RFC 9162 §2.1.3.2) with nothing but the leaf hash, its
 * index, the tree size, the proof and the root.
 *
 * @example
 * verifyInclusion(leafHash(bytes), seq - 1, size, proof, root) // true or false
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/**
 * Checks a consistency proof (RFC 9162 §2.1.4.2): the tree of `size1` with root
 * `root1` is a prefix of the tree of `size2` with root `root2`.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1)
    return false;
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(fr).equals(root1) && Buffer.from(sr).equals(root2);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1) {
    if (isOdd(x)) return false;
    x = half(x);
  }
  return x === 1;
}

/**
 * An append-only Merkle tree that answers tree heads and proofs for any size up to
 * its own in O(log n) hashes: it keeps the leaf hashes (32 bytes each) and the roots
 * of aligned perfect subtrees of 256 leaves and more.
 */
export class MerkleTree {
  private leaves = Buffer.alloc(32 * 1024);
  private count = 0;
  /** levels[h] holds roots of aligned perfect subtrees of 2^(h + cacheLevel) leaves. */
  private readonly levels: Hash[][] = [];
  private readonly cacheLevel: number;
  private readonly block: number;

  /**
   * @param cacheLevel subtrees of 2^cacheLevel leaves and more are kept (default 4:
   *   any root or proof costs O(log n) cached nodes plus fewer than 16 leaf hashes each,
   *   for 4 bytes of cache per leaf).
   */
  constructor(options: { cacheLevel?: number } = {}) {
    this.cacheLevel = options.cacheLevel ?? 4;
    this.block = 2 ** this.cacheLevel;
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Uint8Array): void {
    if (leaf.length !== 32) throw new RangeError('a leaf hash is 32 bytes');
    this.reserve(this.count + 1);
    this.leaves.set(leaf, this.count * 32);
    this.count += 1;
    if (this.count % this.block === 0)
      this.addBlockRoot(this.hashLeaves(this.count - this.block, this.count));
  }

  /**
   * Appends leaf hashes given one after another, 32 bytes each. `groupRoots`, the root of
   * each whole group of LEAF_GROUP of them from the first (see `groupRoots`; more are
   * ignored), saves hashing those groups here: it is used when the tree keeps groups of
   * that size and these leaves start one.
   */
  appendLeaves(leaves: Uint8Array, groupRoots?: Uint8Array): void {
    if (leaves.length % 32 !== 0) throw new RangeError('leaf hashes are 32 bytes each');
    const groups = Math.floor(leaves.length / 32 / LEAF_GROUP);
    if (groupRoots !== undefined && groupRoots.length < groups * 32)
      throw new RangeError('groupRoots must hold a root for each whole group of leaves');
    let at = 0;
    if (
      groupRoots !== undefined &&
      groups > 0 &&
      this.block === LEAF_GROUP &&
      this.count % LEAF_GROUP === 0
    ) {
      at = groups * LEAF_GROUP * 32;
      this.reserve(this.count + at / 32);
      this.leaves.set(leaves.subarray(0, at), this.count * 32);
      // one copy of the roots the tree keeps, not views of the caller's memory
      const roots = Buffer.from(groupRoots.subarray(0, groups * 32));
      for (let g = 0; g < groups; g++) {
        this.count += LEAF_GROUP;
        this.addBlockRoot(roots.subarray(g * 32, g * 32 + 32));
      }
    }
    for (; at < leaves.length; at += 32) this.append(leaves.subarray(at, at + 32));
  }

  leaf(index: number): Hash {
    this.checkIndex(index, this.count);
    return this.leaves.subarray(index * 32, index * 32 + 32);
  }

  /** The root of the first `size` leaves (the tree head at that size). */
  root(size = this.count): Hash {
    this.checkSize(size);
    return size === 0 ? EMPTY_ROOT : this.range(0, size);
  }

  /** Audit path for leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
  inclusionProof(index: number, size = this.count): Hash[] {
    this.checkSize(size);
    this.checkIndex(index, size);
    const proof: Hash[] = [];
    const walk = (m: number, lo: number, hi: number): void => {
      const n = hi - lo;
      if (n === 1) return;
      const k = splitPoint(n);
      if (m < k) {
        walk(m, lo, lo + k);
        proof.push(this.range(lo + k, hi));
      } else {
        walk(m - k, lo + k, hi);
        proof.push(this.range(lo, lo + k));
      }
    };
    walk(index, 0, size);
    return proof;
  }

  /** Consistency proof between sizes `size1` ≤ `size2` (RFC 9162 §2.1.4.1). */
  consistencyProof(size1: number, size2 = this.count): Hash[] {
    this.checkSize(size2);
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2)
      throw new RangeError(`size1 must be within 0..${size2}`);
    if (size1 === 0 || size1 === size2) return [];
    const proof: Hash[] = [];
    const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
      const n = hi - lo;
      if (m === n) {
        if (!whole) proof.push(this.range(lo, hi));
        return;
      }
      const k = splitPoint(n);
      if (m <= k) {
        sub(m, lo, lo + k, whole);
        proof.push(this.range(lo + k, hi));
      } else {
        sub(m - k, lo + k, hi, false);
        proof.push(this.range(lo, lo + k));
      }
    };
    sub(size1, 0, size2, true);
    return proof;
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.count)
      throw new RangeError(`size must be within 0..${this.count}`);
  }

  private checkIndex(index: number, size: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new RangeError(`index must be within 0..${size - 1}`);
  }

  /** Room for `size` leaves. */
  private reserve(size: number): void {
    if (size * 32 <= this.leaves.length) return;
    let length = this.leaves.length * 2;
    while (length < size * 32) length *= 2;
    const grown = Buffer.alloc(length);
    this.leaves.copy(grown);
    this.leaves = grown;
  }

  /** Keeps the root of the block of leaves just completed, and of the subtrees it completes. */
  private addBlockRoot(root: Hash): void {
    let node = root;
    for (let h = 0; ; h++) {
      const level = (this.levels[h] ??= []);
      level.push(node);
      if (level.length % 2 === 1) break;
      node = nodeHash(level[level.length - 2] as Hash, node);
    }
  }

  private hashLeaves(lo: number, hi: number): Hash {
    if (hi - lo === 1) return this.leaves.subarray(lo * 32, lo * 32 + 32);
    const k = splitPoint(hi - lo);
    return nodeHash(this.hashLeaves(lo, lo + k), this.hashLeaves(lo + k, hi));
  }

  /** MTH of leaves [lo, hi): cached perfect subtrees where they exist. */
  private range(lo: number, hi: number): Hash {
    const n = hi - lo;
    if (n >= this.block && lo % n === 0 && isPowerOfTwo(n)) {
      const h = Math.round(Math.log2(n)) - this.cacheLevel;
      const cached = this.levels[h]?.[lo / n];
      if (cached !== undefined) return cached;
    }
    if (n === 1) return this.leaves.subarray(lo * 32, lo * 32 + 32);
    const k = splitPoint(n);
    return nodeHash(this.range(lo, lo + k), this.range(lo + k, hi));
  }
}

/**
 * The right edge of a growing Merkle tree (a compact range): O(log n) hashes that
 * give the root at the current size. Lets a verifier stream a chain with flat memory
 * and still compare it with a checkpoint's root.
 */
export class MerkleFrontier {
  /** Roots of perfect subtrees (hex), largest first; sizes are the set bits of `size`. */
  private readonly stack: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Uint8Array): void {
    if (leaf.length !== 32) throw new RangeError('a leaf hash is 32 bytes');
    this.appendHex(Buffer.from(leaf.buffer, leaf.byteOffset, 32).toString('hex'));
  }

  /** Appends a leaf hash given in lowercase hex (as `leafHashHex` makes it). */
  appendHex(leaf: string): void {
    let node = leaf;
    let n = this.count;
    while (n % 2 === 1) {
      node = nodeHashHex(this.stack.pop() as string, node);
      n = Math.floor(n / 2);
    }
    this.stack.push(node);
    this.count += 1;
  }

  /**
   * Appends `size` leaves at once, given the root (hex) of the perfect tree over them:
   * `size` must be a power of two and the frontier's size a multiple of it, so that the
   * tree is one of the subtrees RFC 9162 splits the larger tree into.
   */
  appendTreeHex(root: string, size: number): void {
    if (!Number.isSafeInteger(size) || size < 1 || (size & (size - 1)) !== 0)
      throw new RangeError('a perfect subtree holds a power of two of leaves');
    if (this.count % size !== 0)
      throw new RangeError(`a subtree of ${size} leaves cannot start at leaf ${this.count}`);
    let node = root;
    let n = this.count / size;
    while (n % 2 === 1) {
      node = nodeHashHex(this.stack.pop() as string, node);
      n = Math.floor(n / 2);
    }
    this.stack.push(node);
    this.count += size;
  }

  root(): Hash {
    return Buffer.from(this.rootHex(), 'hex');
  }

  rootHex(): string {
    if (this.stack.length === 0) return EMPTY_ROOT_HEX;
    let node = this.stack[this.stack.length - 1] as string;
    for (let i = this.stack.length - 2; i >= 0; i--)
      node = nodeHashHex(this.stack[i] as string, node);
    return node;
  }
}
