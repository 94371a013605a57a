import {
  DEFAULT_FORBIDDEN_FIELDS,
  deriveFacts,
  type Decision,
  type DecisionFacts,
  type DecisionRequest,
  type PolicyEngine,
  type RegoPolicyLoader,
  type RegoPolicySource,
} from '@govgate/core';
import { loadRegoPolicy, type RegoPolicy } from './rego-policy.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/** The stored bytes of a Rego source: a gzip bundle, or a bare policy.wasm. */
function sourceOptions(source: RegoPolicySource): { bundle: Uint8Array } | { wasm: Uint8Array } {
  const bytes = Buffer.from(source.bundle, 'base64');
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]
    ? { bundle: bytes }
    : { wasm: bytes };
}

/**
 * The Rego engine for core's Governance (`createGovernance({ regoLoader })`): loads a
 * stored `rego-wasm` version once and decides with it synchronously. Decisions carry
 * the version's ref like native ones; forbidden content fields are the defaults. The
 * policy's `data` is the bundle's data.json merged with the tenant's entry of the
 * descriptor's `overrides` (or what `tenantData` gives for the tenant).
 *
 * @example
 * const governance = createGovernance({ ledger, policies, regoLoader: regoPolicyLoader() });
 * await governance.saveRegoPolicy('acme', { id: 'risk', version: 1, bundle, descriptor });
 */
export function regoPolicyLoader(
  options: { readonly tenantData?: (tenant: string) => unknown } = {},
): RegoPolicyLoader {
  return (source, context) => {
    const overrides = (source.descriptor as { overrides?: Record<string, unknown> }).overrides;
    const tenantData = options.tenantData?.(context.tenant) ?? overrides?.[context.tenant];
    const policy: RegoPolicy = loadRegoPolicy({
      ...sourceOptions(source),
      descriptor: source.descriptor,
      ...(tenantData === undefined ? {} : { tenantData }),
    });
    const ref = Object.freeze({ digest: context.digest, id: source.id, version: source.version });
    const engine: PolicyEngine = {
      ref,
      forbiddenFields: new Set(DEFAULT_FORBIDDEN_FIELDS.map((f) => f.toLowerCase())),
      evaluate(request: DecisionRequest, facts?: DecisionFacts): Decision {
        const result = policy.evaluate(request, facts ?? deriveFacts(request));
        return {
          allowed: result.allowed,
          riskScore: result.riskScore,
          reasons: Object.freeze(result.reasons.map((r) => Object.freeze({ ...r }))),
          review: result.review,
          policy: ref,
        };
      },
    };
    return engine;
  };
}
