import type {
  Decision,
  DecisionFacts,
  DecisionRequest,
  JsonObject,
  PolicyRef,
} from '../decision/decision.js';
import type { PolicyDocument } from './policy-document.js';

/**
 * What a policy version decides with: a compiled native policy (`compilePolicy`), or
 * a policy of another kind loaded by an adapter (Rego compiled to WebAssembly).
 */
export interface PolicyEngine {
  readonly ref: PolicyRef;
  /** Lower-cased forbidden content field names. */
  readonly forbiddenFields: ReadonlySet<string>;
  /** Decides on a validated, redacted request; synchronous. */
  evaluate(request: DecisionRequest, facts?: DecisionFacts): Decision;
}

/** A Rego policy version as stored: the `opa build -t wasm` output and its descriptor. */
export interface RegoPolicySource {
  readonly kind: 'rego-wasm';
  readonly id: string;
  readonly version: number;
  /** Which entrypoints give allowed, riskScore, reasons, review (see the Rego adapter). */
  readonly descriptor: JsonObject;
  /** The bundle.tar.gz (or bare policy.wasm), base64. Its SHA-256 is the version's digest. */
  readonly bundle: string;
}

/** What a policy version holds: a native document, or a Rego source. */
export type PolicySource = PolicyDocument | RegoPolicySource;

/** True for a Rego policy version's source. */
export function isRegoSource(source: unknown): source is RegoPolicySource {
  return (
    typeof source === 'object' &&
    source !== null &&
    (source as { kind?: unknown }).kind === 'rego-wasm'
  );
}

/**
 * Loads a Rego policy version into an engine (provided by @govgate/adapter-opa-wasm).
 * Throws POLICY_INVALID naming what is wrong with the bundle or descriptor.
 */
export type RegoPolicyLoader = (
  source: RegoPolicySource,
  context: { readonly tenant: string; readonly digest: string },
) => PolicyEngine;
