import { rateLimitContract } from '@govgate/core/testing';
import { PostgresRateLimitStore } from './rate-limit-store.js';
import { createTestDatabase } from './testing/test-database.js';

rateLimitContract('PostgresRateLimitStore', async () => {
  const database = await createTestDatabase();
  return { store: new PostgresRateLimitStore(database.sql), teardown: () => database.drop() };
});
