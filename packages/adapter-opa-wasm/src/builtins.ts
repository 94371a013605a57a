import type { JsonValue } from '@govgate/core';
import { policyInvalidAll } from './errors.js';

/**
 * The builtins @open-policy-agent/opa-wasm 1.10 implements in JavaScript (its
 * src/builtins/{json,strings,regex,yaml}.js). Most OPA builtins are compiled into the
 * wasm module itself and are not asked of the host; these are the ones that are.
 */
export const SDK_BUILTINS: readonly string[] = Object.freeze([
  'json.is_valid',
  'sprintf',
  'regex.split',
  'yaml.is_valid',
  'yaml.marshal',
  'yaml.unmarshal',
]);

/**
 * Builtins govgate never provides, whatever a caller passes: a policy decision must not
 * reach the network or depend on anything but its input and data.
 */
export const NEVER_PROVIDED: readonly string[] = Object.freeze([
  'http.send',
  'net.lookup_ip_addr',
  'opa.runtime',
  'rego.parse_module',
  'trace',
]);

/** A host implementation of a builtin: JSON arguments in, JSON result out. */
export type RegoBuiltin = (...args: JsonValue[]) => JsonValue;

/**
 * Checks the builtins a policy module asks of its host (its `builtins` export) against
 * what the SDK implements and what the caller provides. A policy needing anything else
 * would fail at its first call; it is refused at load instead, naming the builtin.
 */
export function checkBuiltins(
  required: readonly string[],
  provided: Readonly<Record<string, RegoBuiltin>> = {},
): void {
  const sdk = new Set(SDK_BUILTINS);
  const never = new Set(NEVER_PROVIDED);
  const details = required.flatMap((name) => {
    if (never.has(name))
      return [
        {
          pointer: `/builtins/${name}`,
          message: `the policy calls the builtin '${name}', which govgate never provides (decisions may not reach the network or the runtime)`,
        },
      ];
    if (sdk.has(name) || Object.hasOwn(provided, name)) return [];
    return [
      {
        pointer: `/builtins/${name}`,
        message: `the policy calls the builtin '${name}', which neither the OPA wasm SDK nor govgate provides (the SDK has: ${SDK_BUILTINS.join(', ')})`,
      },
    ];
  });
  if (details.length > 0)
    throw policyInvalidAll(details, { pointer: '/builtins', message: 'unsupported builtins' });
}

/** Caller-provided builtins minus the forbidden ones (never handed to the SDK). */
export function allowedBuiltins(
  provided: Readonly<Record<string, RegoBuiltin>>,
): Record<string, RegoBuiltin> {
  const never = new Set(NEVER_PROVIDED);
  return Object.fromEntries(Object.entries(provided).filter(([name]) => !never.has(name)));
}
