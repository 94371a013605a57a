/**
 * A worker thread of `WorkerDigester`: digests the runs of entries it is sent with
 * core's `digestEntries` (or `digestBlock`), or hashes a block's leaves
 * (`blockLeaves`), and answers each with its id.
 */
import { parentPort } from 'node:worker_threads';
// Only the digest module: a worker loads no more of core than it runs.
import {
  blockLeafPiece,
  digestBlock,
  digestEntries,
  type LeafPiece,
} from '@govgate/core/ledger-digest';

/**
 * What a worker is sent: a run of entries to digest (its entries' text, or a block of
 * their bytes), or a block whose leaf hashes are wanted.
 */
export type DigestWork =
  | { readonly tenant: string; readonly bytes: readonly string[] }
  | { readonly tenant: string; readonly block: Uint8Array }
  | { readonly leavesOf: Uint8Array };

export type DigestJob = DigestWork & { readonly id: number };

/** What a job's answer holds: a ChunkDigest, or a block's leaf hashes and group roots. */
const work = (job: DigestJob): unknown =>
  'leavesOf' in job
    ? blockLeafPiece(job.leavesOf)
    : 'block' in job
      ? digestBlock(job.block, job.tenant)
      : digestEntries(job.bytes, job.tenant);

/** The memory of a leaf piece's buffers, each once. */
function ownMemory(piece: LeafPiece): ArrayBuffer[] {
  const memory = [piece.leaves.buffer, piece.groupRoots?.buffer].filter(
    (m): m is ArrayBuffer => m instanceof ArrayBuffer && m.byteLength > 0,
  );
  return [...new Set(memory)];
}

const port = parentPort;
if (port === null) throw new Error('digest-worker runs as a worker thread of WorkerDigester');
port.on('message', (job: DigestJob) => {
  // a block's memory goes back with the answer, to be reused
  const block = 'leavesOf' in job ? job.leavesOf : 'block' in job ? job.block : undefined;
  const memory = block?.buffer instanceof ArrayBuffer ? block.buffer : undefined;
  const give = memory === undefined ? {} : { memory };
  try {
    const value = work(job);
    // a leaf piece's hashes are moved too (their memory is their own)
    const transfer = [
      ...(memory === undefined ? [] : [memory]),
      ...('leavesOf' in job ? ownMemory(value as LeafPiece) : []),
    ];
    port.postMessage({ id: job.id, value, ...give }, transfer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ id: job.id, error: message, ...give }, memory === undefined ? [] : [memory]);
  }
});
