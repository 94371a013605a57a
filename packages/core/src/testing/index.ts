/**
 * @govgate/core/testing — what adapters and users test with: in-memory
 * implementations of every port and jest matchers for decisions.
 */
export { InMemoryLedger } from './in-memory-ledger.js';
export {
  InMemoryEvidenceIndex,
  InMemoryKeyStore,
  InMemoryPolicyStore,
  InMemoryProfileStore,
  InMemoryRateLimitStore,
  InMemoryTenantStore,
  InMemoryUsageStore,
  InMemoryWorkflowStore,
  ManualClock,
  SequentialIds,
} from './in-memory-stores.js';
export { policyMatchers } from './matchers.js';
export { PolicyBuilder, aPolicy, aRequest, seedPolicy } from './builders.js';
export { ledgerContract } from './ledger-contract.js';
export { seededRandom } from './seeded-random.js';
export type { LedgerContractOptions, LedgerHarness, LedgerTamper } from './ledger-contract.js';
export {
  evidenceIndexContract,
  keyStoreContract,
  policyStoreContract,
  profileStoreContract,
  rateLimitContract,
  usageContract,
  workflowStoreContract,
} from './store-contracts.js';
export type { ContractOptions, StoreHarness } from './store-contracts.js';
