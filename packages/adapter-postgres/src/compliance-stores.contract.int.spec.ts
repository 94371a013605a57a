import {
  evidenceIndexContract,
  profileStoreContract,
  workflowStoreContract,
  type StoreHarness,
} from '@govgate/core/testing';
import type { Sql } from './connection.js';
import { PostgresEvidenceIndex } from './evidence-index.js';
import { PostgresProfileStore } from './profile-store.js';
import { createTestDatabase } from './testing/test-database.js';
import { PostgresWorkflowStore } from './workflow-store.js';

/** A store on a fresh, migrated database, dropped afterwards. */
function onTestDatabase<S>(make: (sql: Sql) => S): () => Promise<StoreHarness<S>> {
  return async () => {
    const database = await createTestDatabase();
    return { store: make(database.sql), teardown: () => database.drop() };
  };
}

evidenceIndexContract(
  'PostgresEvidenceIndex',
  onTestDatabase((sql) => new PostgresEvidenceIndex(sql)),
);
profileStoreContract(
  'PostgresProfileStore',
  onTestDatabase((sql) => new PostgresProfileStore(sql)),
);
workflowStoreContract(
  'PostgresWorkflowStore',
  onTestDatabase((sql) => new PostgresWorkflowStore(sql)),
);
