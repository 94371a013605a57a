import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GovgateError, parseDocumentText } from '@govgate/core';
import { keyAdmin } from './keys.js';
import type { Runtime } from './runtime.js';

export const DEFAULT_TENANT = 'default';
export const ADMIN_KEY_FILE = 'admin-key';

/** The seed policy the service activates for `default` on first start. */
export function defaultPolicyDocument(): unknown {
  // `__dirname` exists when the sources run as CommonJS (jest); the built package is ESM.
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  const file = join(here, '..', 'assets', 'default-policy.yaml');
  return parseDocumentText(readFileSync(file, 'utf8'), 'yaml');
}

export interface BootstrapResult {
  /** The admin key created now (print it once), when this was the first start. */
  readonly adminKey?: string;
  /** Where it was written (mode 0600). */
  readonly adminKeyFile?: string;
  readonly createdTenant: boolean;
  readonly activatedPolicy: boolean;
}

/**
 * First start: creates tenant `default`, saves and activates the seed policy for it
 * when it has none, and, when the tenant has no keys, creates its admin key with the
 * platform permission, written to `<dataDir>/admin-key` with mode 0600. Idempotent:
 * later starts change nothing.
 *
 * @example
 * const { adminKey } = await bootstrap(runtime);
 * if (adminKey) console.log(`admin key (shown once): ${adminKey}`);
 */
export async function bootstrap(runtime: Runtime): Promise<BootstrapResult> {
  let createdTenant = false;
  if ((await runtime.tenants.get(DEFAULT_TENANT)) === undefined) {
    try {
      await runtime.tenants.create({
        id: DEFAULT_TENANT,
        name: 'Default tenant',
        createdAt: new Date(runtime.clock.now()).toISOString(),
      });
      createdTenant = true;
    } catch (error) {
      // another instance created it first
      if (!GovgateError.is(error, 'CONFLICT')) throw error;
    }
  }
  let activatedPolicy = false;
  if ((await runtime.policies.getActive(DEFAULT_TENANT)) === undefined) {
    const { record } = await runtime.governance.savePolicy(
      DEFAULT_TENANT,
      defaultPolicyDocument(),
      'system',
    );
    await runtime.governance.activatePolicy(DEFAULT_TENANT, record.id, record.version, 'system');
    activatedPolicy = true;
  }
  if ((await runtime.keys.list(DEFAULT_TENANT)).length > 0)
    return { createdTenant, activatedPolicy };
  const { key } = await keyAdmin(runtime).create(
    { tenant: DEFAULT_TENANT, role: 'admin', name: 'first-start admin', platform: true },
    'system',
  );
  const file = join(runtime.config.dataDir, ADMIN_KEY_FILE);
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // an existing file keeps its old mode on write
  return { adminKey: key, adminKeyFile: file, createdTenant, activatedPolicy };
}
