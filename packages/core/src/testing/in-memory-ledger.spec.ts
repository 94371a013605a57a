import { InMemoryLedger } from './in-memory-ledger.js';
import { ledgerContract } from './ledger-contract.js';

ledgerContract('InMemoryLedger', () => {
  const ledger = new InMemoryLedger();
  return Promise.resolve({ ledger, tamper: ledger.tamper, teardown: () => ledger.close() });
});
