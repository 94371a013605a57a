import {
  InMemoryKeyStore,
  InMemoryPolicyStore,
  InMemoryRateLimitStore,
  InMemoryTenantStore,
  InMemoryUsageStore,
} from './in-memory-stores.js';
import {
  keyStoreContract,
  policyStoreContract,
  rateLimitContract,
  usageContract,
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
