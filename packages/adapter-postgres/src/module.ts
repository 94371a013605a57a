import {
  EVIDENCE_INDEX,
  KEY_STORE,
  LEDGER,
  POLICY_STORE,
  PROFILE_STORE,
  RATE_LIMIT_STORE,
  TENANT_STORE,
  USAGE_STORE,
  WORKFLOW_STORE,
} from '@govgate/core';
import { ContainerModule } from 'inversify';
import type { PostgresStores } from './database.js';

/**
 * Binds core's storage ports to the Postgres stores. The composition root opens the
 * database (asynchronous) and closes it on shutdown.
 *
 * @example
 * const db = await openPostgres({ url: process.env.GOVGATE_DATABASE_URL! });
 * const container = new Container();
 * container.loadSync(postgresModule(db.stores));
 * container.get<LedgerPort>(LEDGER); // db.stores.ledger
 */
export function postgresModule(stores: PostgresStores): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(LEDGER).toConstantValue(stores.ledger);
    bind(POLICY_STORE).toConstantValue(stores.policies);
    bind(TENANT_STORE).toConstantValue(stores.tenants);
    bind(KEY_STORE).toConstantValue(stores.keys);
    bind(RATE_LIMIT_STORE).toConstantValue(stores.rateLimits);
    bind(USAGE_STORE).toConstantValue(stores.usage);
    bind(EVIDENCE_INDEX).toConstantValue(stores.evidenceIndex);
    bind(PROFILE_STORE).toConstantValue(stores.profiles);
    bind(WORKFLOW_STORE).toConstantValue(stores.workflows);
  });
}
