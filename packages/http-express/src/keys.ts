import { KeyAdmin } from '@govgate/core';
import type { Runtime } from './runtime.js';

export type { IssuedKey, NewKey } from '@govgate/core';

/**
 * The runtime's key administration (the HTTP API, the CLI and the first start share
 * it): every change is recorded in the key's tenant's ledger.
 *
 * @example
 * const { key } = await keyAdmin(runtime).create({ tenant: 'acme', role: 'client', name: 'ci' }, 'cli');
 */
export function keyAdmin(
  runtime: Pick<Runtime, 'keys' | 'tenants' | 'clock' | 'ledger'>,
): KeyAdmin {
  return new KeyAdmin({
    keys: runtime.keys,
    tenants: runtime.tenants,
    ledger: runtime.ledger,
    clock: runtime.clock,
  });
}
