import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  evidenceIndexContract,
  keyStoreContract,
  policyStoreContract,
  profileStoreContract,
  rateLimitContract,
  usageContract,
  workflowStoreContract,
  type StoreHarness,
} from '@govgate/core/testing';
import { migrate, openSqlite, type SqliteDatabase } from './database.js';
import { SqliteEvidenceIndex } from './sqlite-evidence-index.js';
import { SqliteKeyStore, SqliteTenantStore } from './sqlite-key-store.js';
import { SqlitePolicyStore } from './sqlite-policy-store.js';
import { SqliteProfileStore } from './sqlite-profile-store.js';
import { SqliteRateLimitStore } from './sqlite-rate-limit-store.js';
import { SqliteUsageStore } from './sqlite-usage-store.js';
import { SqliteWorkflowStore } from './sqlite-workflow-store.js';

/** A store on a fresh, migrated database file in the temp directory, removed afterwards. */
function onTempFile<S>(make: (db: SqliteDatabase) => S): () => Promise<StoreHarness<S>> {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-sqlite-store-'));
    const db = openSqlite({ file: join(dir, 'govgate.db') });
    migrate(db);
    return {
      store: make(db),
      teardown: async () => {
        db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

policyStoreContract(
  'SqlitePolicyStore',
  onTempFile((db) => new SqlitePolicyStore(db)),
);
keyStoreContract(
  'SqliteKeyStore + SqliteTenantStore',
  onTempFile((db) => ({ keys: new SqliteKeyStore(db), tenants: new SqliteTenantStore(db) })),
);
rateLimitContract(
  'SqliteRateLimitStore',
  onTempFile((db) => new SqliteRateLimitStore(db)),
);
usageContract(
  'SqliteUsageStore',
  onTempFile((db) => new SqliteUsageStore(db)),
);
evidenceIndexContract(
  'SqliteEvidenceIndex',
  onTempFile((db) => new SqliteEvidenceIndex(db)),
);
profileStoreContract(
  'SqliteProfileStore',
  onTempFile((db) => new SqliteProfileStore(db)),
);
workflowStoreContract(
  'SqliteWorkflowStore',
  onTempFile((db) => new SqliteWorkflowStore(db)),
);
