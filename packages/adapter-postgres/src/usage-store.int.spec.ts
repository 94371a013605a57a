import { usageContract } from '@govgate/core/testing';
import { PostgresUsageStore } from './usage-store.js';
import { createTestDatabase } from './testing/test-database.js';

usageContract('PostgresUsageStore', async () => {
  const database = await createTestDatabase();
  return { store: new PostgresUsageStore(database.sql), teardown: () => database.drop() };
});
