import { DEFAULT_TENANT, type Runtime } from '@govgate/http-express';
import { GovgateError } from '@govgate/core';
import { Option } from 'commander';
import { tenantId } from '../parsers.js';

export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'data directory (overrides GOVGATE_DATA_DIR)');
}

export function tenantOption(): Option {
  return new Option('--tenant <id>', 'tenant').default(DEFAULT_TENANT).argParser(tenantId);
}

/** TENANT_INVALID unless the tenant exists: a typo must not read as an empty ledger. */
export async function requireTenant(runtime: Runtime, tenant: string): Promise<void> {
  if ((await runtime.tenants.get(tenant)) === undefined)
    throw new GovgateError('TENANT_INVALID', `no tenant '${tenant}'`);
}
