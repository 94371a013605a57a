import { LEDGER } from '@govgate/core';
import { ContainerModule } from 'inversify';
import type { FsLedger } from './fs-ledger.js';

/**
 * Binds core's `LEDGER` port to an opened file ledger. The ledger is opened (and
 * later closed) by the composition root, since opening is asynchronous and takes the
 * directory's lock.
 *
 * @example
 * const ledger = await FsLedger.open({ dir: './data/ledger' });
 * const container = new Container();
 * container.loadSync(fsLedgerModule(ledger));
 * container.get<LedgerPort>(LEDGER); // the same ledger
 */
export function fsLedgerModule(ledger: FsLedger): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(LEDGER).toConstantValue(ledger);
  });
}
