import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerContract } from '@govgate/core/testing';
import { FsLedger } from './fs-ledger.js';
import { fsTamper } from './testing/fs-tamper.js';

ledgerContract('FsLedger', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-fs-ledger-'));
  const ledger = await FsLedger.open({ dir });
  return {
    ledger,
    tamper: fsTamper(dir),
    teardown: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

ledgerContract('FsLedger with small segments and batches', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-fs-ledger-'));
  const ledger = await FsLedger.open({ dir, segmentMaxBytes: 2048, maxBatchEntries: 7 });
  return {
    ledger,
    tamper: fsTamper(dir),
    teardown: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
