import { createValidator } from '@govgate/core';
import { policyInvalidAll } from './errors.js';

/**
 * How a Rego policy's entrypoints make a govgate decision. Stored with the policy
 * version beside the bundle. Entrypoint names are those of the wasm module's
 * `entrypoints` map, i.e. the `-e` arguments of `opa build` (`govgate/allow`).
 */
export interface RegoDescriptor {
  readonly entrypoints: {
    /** A boolean: whether the operation may run. Required. */
    readonly allowed: string;
    /** A number in 0..100; 0 when not named or undefined. */
    readonly riskScore?: string;
    /** A set or array of strings, or of objects with a `reason` or `rule` string. */
    readonly reasons?: string;
    /** A boolean: flag an allowed operation for a human; false when not named or undefined. */
    readonly review?: string;
  };
  /**
   * When set, govgate also requires riskScore < threshold for `allowed`, as a native
   * policy does: a safety net if the Rego `allow` rule forgets the score.
   */
  readonly threshold?: number;
  /**
   * Per-tenant data, merged over the bundle's data.json (tenant wins) before the
   * policy sees it as `data`: the Rego counterpart of a native policy's overrides.
   */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The base `data` of a bare policy.wasm (a stored version has nowhere else to keep
   * it). A bundle brings its own data.json, so a descriptor for a bundle must not have it.
   */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An OPA entrypoint: a rule path below `data`, segments separated by '/'. */
const ENTRYPOINT_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$';
const entrypoint = { type: 'string', pattern: ENTRYPOINT_PATTERN, maxLength: 256 } as const;

export const regoDescriptorSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/rego-descriptor.json',
  title: 'govgate Rego policy descriptor',
  type: 'object',
  additionalProperties: false,
  required: ['entrypoints'],
  properties: {
    $schema: { type: 'string' },
    entrypoints: {
      type: 'object',
      additionalProperties: false,
      required: ['allowed'],
      properties: {
        allowed: entrypoint,
        riskScore: entrypoint,
        reasons: entrypoint,
        review: entrypoint,
      },
    },
    threshold: { type: 'number', minimum: 0, maximum: 100 },
    overrides: {
      type: 'object',
      maxProperties: 10000,
      propertyNames: { pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
      additionalProperties: { type: 'object' },
    },
    data: { type: 'object' },
  },
} as const;

const validate = createValidator<RegoDescriptor>(regoDescriptorSchema);

/**
 * Checks a descriptor; POLICY_INVALID with every problem (pointers under `/descriptor`).
 *
 * @example
 * const descriptor = assertRegoDescriptor({ entrypoints: { allowed: 'govgate/allow' } });
 */
export function assertRegoDescriptor(value: unknown): RegoDescriptor {
  const checked = validate(value);
  if (checked.ok) return checked.value;
  const errors = checked.errors.map((e) => ({
    pointer: `/descriptor${e.pointer}`,
    message: `descriptor${e.pointer}: ${
      e.message.startsWith('must match ')
        ? "must be an OPA entrypoint such as 'govgate/allow'"
        : e.message
    }`,
  }));
  throw policyInvalidAll(errors, { pointer: '/descriptor', message: 'descriptor is invalid' });
}

/** The entrypoint names a descriptor uses, by decision field. */
export function namedEntrypoints(descriptor: RegoDescriptor): [field: string, name: string][] {
  return Object.entries(descriptor.entrypoints).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
}

/** Refuses a descriptor naming an entrypoint the policy does not have. */
export function checkEntrypoints(
  descriptor: RegoDescriptor,
  available: Readonly<Record<string, number>>,
): void {
  const names = Object.keys(available).sort();
  const missing = namedEntrypoints(descriptor).filter(
    ([, name]) => !Object.hasOwn(available, name),
  );
  if (missing.length === 0) return;
  const list = names.length === 0 ? '(none)' : names.map((n) => `'${n}'`).join(', ');
  const details = missing.map(([field, name]) => ({
    pointer: `/descriptor/entrypoints/${field}`,
    message: `entrypoint '${name}' (${field}) is not in the policy; it has ${list} — build it with \`opa build -t wasm -e ${name} …\``,
  }));
  throw policyInvalidAll(details, { pointer: '/descriptor', message: 'missing entrypoint' });
}
