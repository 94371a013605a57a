import { keyStoreContract } from '@govgate/core/testing';
import { PostgresKeyStore, PostgresTenantStore } from './key-store.js';
import { createTestDatabase } from './testing/test-database.js';

keyStoreContract('PostgresKeyStore with PostgresTenantStore', async () => {
  const database = await createTestDatabase();
  return {
    store: {
      keys: new PostgresKeyStore(database.sql),
      tenants: new PostgresTenantStore(database.sql),
    },
    teardown: () => database.drop(),
  };
});
