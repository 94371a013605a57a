import { GovgateError } from '../errors.js';
import type { ConsistencyProof, InclusionProof, TreeHead } from '../ports.js';
import type { StoredEntry } from './entry.js';
import { LEAF_GROUP, MerkleTree, leafHash, type LeafPiece } from './merkle.js';

/** Entries `fromSeq`.. of a tenant in seq order; only their stored bytes are used. */
type ReadFrom = (
  tenant: string,
  fromSeq: number,
  limit: number,
) => AsyncIterable<Pick<StoredEntry, 'bytes'>>;

/**
 * The leaf hashes of a tenant's entries from seq 1 on, in seq order, 32 bytes each, in
 * pieces of whole leaves, with their group roots when the backend has them: a faster way
 * for a backend to load a whole tree (e.g. hashing on worker threads). It may give more
 * leaves than asked for; the rest are not read.
 */
export type LoadLeaves = (tenant: string) => AsyncIterable<LeafPiece>;

export interface LedgerTreesOptions {
  /**
   * Extends a tree by `loadLeavesFrom` leaves or more with it, when at least as many
   * leaves are missing as the tree has (it hashes from seq 1 on; a tree that grows by
   * less is extended from `readFrom`).
   */
  readonly loadLeaves?: LoadLeaves;
  /** Default 4,096 leaves (fewer are read from `readFrom`). */
  readonly loadLeavesFrom?: number;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * Merkle trees of tenants' ledgers for backends: built lazily from the entries a
 * backend reads, extended on demand, so tree heads and proofs cost O(log n) once a
 * tenant's tree is loaded. One instance per ledger; requests for one tenant are
 * serialized so the tree is extended once. Many missing leaves at once (a large tree's
 * first load) come through `loadLeaves` when the backend gives one.
 */
export class LedgerTrees {
  private readonly trees = new Map<string, MerkleTree>();
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly readFrom: ReadFrom,
    private readonly options: LedgerTreesOptions = {},
  ) {}

  /**
   * Extends a tree to `size` leaves (or what there is) through `loadLeaves` when that
   * many are missing (see LedgerTreesOptions); leaves the tree already has are skipped.
   */
  private async loadMany(tenant: string, tree: MerkleTree, size: number): Promise<void> {
    const { loadLeaves } = this.options;
    const missing = size - tree.size;
    if (
      loadLeaves === undefined ||
      missing < (this.options.loadLeavesFrom ?? 4096) ||
      missing < tree.size
    )
      return;
    let skip = tree.size * 32;
    for await (const { leaves, groupRoots } of loadLeaves(tenant)) {
      const from = Math.min(skip, leaves.length);
      skip -= from;
      const wanted = (size - tree.size) * 32;
      // the group roots still line up with the leaves taken when whole groups are skipped
      const group = from / (LEAF_GROUP * 32);
      tree.appendLeaves(
        leaves.subarray(from, Math.min(leaves.length, from + wanted)),
        Number.isInteger(group) ? groupRoots?.subarray(group * 32) : undefined,
      );
      if (tree.size >= size) break;
    }
  }

  private async ensure(tenant: string, size: number): Promise<MerkleTree> {
    let tree = this.trees.get(tenant);
    if (tree === undefined) this.trees.set(tenant, (tree = new MerkleTree()));
    const current = tree;
    if (current.size >= size) return current;
    const run = (this.pending.get(tenant) ?? Promise.resolve()).then(async () => {
      if (current.size >= size) return;
      await this.loadMany(tenant, current, size);
      if (current.size >= size) return;
      for await (const stored of this.readFrom(tenant, current.size + 1, size - current.size)) {
        if (current.size >= size) break;
        current.append(leafHash(stored.bytes));
      }
      if (current.size < size)
        throw new GovgateError(
          'LEDGER_CORRUPT',
          `tenant '${tenant}': entries end at ${current.size}, the head says ${size}`,
        );
    });
    this.pending.set(
      tenant,
      run.catch(() => undefined),
    );
    await run;
    return current;
  }

  private static checkSize(size: number, headSize: number, what: string): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > headSize)
      throw new GovgateError('LEDGER_RANGE', `${what} must be an integer within 0..${headSize}`, {
        details: [{ pointer: `/${what}`, message: `must be within 0..${headSize}` }],
      });
  }

  async treeHead(tenant: string, headSize: number, size = headSize): Promise<TreeHead> {
    LedgerTrees.checkSize(size, headSize, 'size');
    const tree = await this.ensure(tenant, size);
    return { size, root: hex(tree.root(size)) };
  }

  async inclusionProof(
    tenant: string,
    headSize: number,
    seq: number,
    size = headSize,
  ): Promise<InclusionProof> {
    LedgerTrees.checkSize(size, headSize, 'size');
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > size)
      throw new GovgateError('LEDGER_RANGE', `seq must be an integer within 1..${size}`, {
        details: [{ pointer: '/seq', message: `must be within 1..${size}` }],
      });
    const tree = await this.ensure(tenant, size);
    return {
      seq,
      size,
      leafHash: hex(tree.leaf(seq - 1)),
      path: tree.inclusionProof(seq - 1, size).map(hex),
      root: hex(tree.root(size)),
    };
  }

  async consistencyProof(
    tenant: string,
    headSize: number,
    from: number,
    to = headSize,
  ): Promise<ConsistencyProof> {
    LedgerTrees.checkSize(to, headSize, 'to');
    LedgerTrees.checkSize(from, to, 'from');
    const tree = await this.ensure(tenant, to);
    return {
      from,
      to,
      fromRoot: hex(tree.root(from)),
      toRoot: hex(tree.root(to)),
      path: tree.consistencyProof(from, to).map(hex),
    };
  }

  /** Forgets a tenant's tree (after its storage changed underneath, e.g. in tests). */
  forget(tenant: string): void {
    this.trees.delete(tenant);
  }
}
