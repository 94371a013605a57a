/**
 * A worker thread of `WorkerDigester`: digests the runs of entries it is sent with
 * core's `digestEntries` (or `digestBlock`) and answers each with its id.
 */
import { parentPort } from 'node:worker_threads';
// Only the digest module: a worker loads no more of core than it runs.
import { digestBlock, digestEntries } from '@govgate/core/ledger-digest';

/** A run of entries to digest: its entries' text, or a block of their bytes. */
export type DigestWork = { readonly tenant: string } & (
  { readonly bytes: readonly string[] } | { readonly block: Uint8Array }
);

export type DigestJob = DigestWork & { readonly id: number };

const port = parentPort;
if (port === null) throw new Error('digest-worker runs as a worker thread of WorkerDigester');
port.on('message', (job: DigestJob) => {
  // a block's memory goes back with the answer, to be reused
  const memory = 'block' in job ? job.block.buffer : undefined;
  const give = memory instanceof ArrayBuffer ? { memory } : {};
  const transfer = memory instanceof ArrayBuffer ? [memory] : [];
  try {
    const digest =
      'block' in job ? digestBlock(job.block, job.tenant) : digestEntries(job.bytes, job.tenant);
    port.postMessage({ id: job.id, digest, ...give }, transfer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ id: job.id, error: message, ...give }, transfer);
  }
});
