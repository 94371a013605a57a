import { policyStoreContract } from '@govgate/core/testing';
import { PostgresPolicyStore } from './policy-store.js';
import { createTestDatabase } from './testing/test-database.js';

policyStoreContract('PostgresPolicyStore', async () => {
  const database = await createTestDatabase();
  return { store: new PostgresPolicyStore(database.sql), teardown: () => database.drop() };
});
