/**
 * A worker thread of `WorkerDigester`: digests the runs of entries it is sent with
 * core's `digestEntries` and answers each with its id.
 */
import { parentPort } from 'node:worker_threads';
// Only the digest module: a worker loads no more of core than it runs.
import { digestEntries } from '@govgate/core/ledger-digest';

export interface DigestJob {
  readonly id: number;
  readonly bytes: readonly string[];
  readonly tenant: string;
}

const port = parentPort;
if (port === null) throw new Error('digest-worker runs as a worker thread of WorkerDigester');
port.on('message', (job: DigestJob) => {
  try {
    port.postMessage({ id: job.id, digest: digestEntries(job.bytes, job.tenant) });
  } catch (error) {
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
