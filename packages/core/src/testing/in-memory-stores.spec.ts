import {
  InMemoryEvidenceIndex,
  InMemoryKeyStore,
  InMemoryPolicyStore,
  InMemoryProfileStore,
  InMemoryRateLimitStore,
  InMemoryTenantStore,
  InMemoryUsageStore,
  InMemoryWorkflowStore,
} from './in-memory-stores.js';
import {
  evidenceIndexContract,
  keyStoreContract,
  policyStoreContract,
  profileStoreContract,
  rateLimitContract,
  usageContract,
  workflowStoreContract,
} from './store-contracts.js';

const done = () => Promise.resolve();

policyStoreContract('InMemoryPolicyStore', () =>
  Promise.resolve({ store: new InMemoryPolicyStore(), teardown: done }),
);
keyStoreContract('InMemoryKeyStore', () =>
  Promise.resolve({
    store: { keys: new InMemoryKeyStore(), tenants: new InMemoryTenantStore() },
    teardown: done,
  }),
);
rateLimitContract('InMemoryRateLimitStore', () =>
  Promise.resolve({ store: new InMemoryRateLimitStore(), teardown: done }),
);
usageContract('InMemoryUsageStore', () =>
  Promise.resolve({ store: new InMemoryUsageStore(), teardown: done }),
);
evidenceIndexContract('InMemoryEvidenceIndex', () =>
  Promise.resolve({ store: new InMemoryEvidenceIndex(), teardown: done }),
);
profileStoreContract('InMemoryProfileStore', () =>
  Promise.resolve({ store: new InMemoryProfileStore(), teardown: done }),
);
workflowStoreContract('InMemoryWorkflowStore', () =>
  Promise.resolve({ store: new InMemoryWorkflowStore(), teardown: done }),
);
