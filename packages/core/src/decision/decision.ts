import type { PiiKind } from './pii.js';
import type { RuleEffect } from '../policy/policy-document.js';

/** JSON data as govgate accepts it in requests and ledger entries. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What an application asks before it runs an AI operation. Metadata describes the
 * operation; it never carries the content (prompts, messages, completions).
 */
export interface DecisionRequest {
  /** The model to be used, e.g. `gpt-4o` or `internal/llama-3-70b`. */
  readonly model: string;
  /** What is to be done, e.g. `chat.completion`, `model.promote`, `agent.tool_call`. */
  readonly operation: string;
  readonly metadata: JsonObject;
  /** Who or what the operation is about or on behalf of (prefer pseudonymous ids). */
  readonly subject?: string;
  /** Where it happens: environment, application, region, ... */
  readonly context?: JsonObject;
}

/** Facts derived from a request, readable by rules under `pii.*`. */
export type PiiFacts = { readonly [K in PiiKind]: boolean } & { readonly any: boolean };
export interface DecisionFacts {
  readonly pii: PiiFacts;
}

/** One matched rule, in rule order. */
export interface DecisionReason {
  readonly rule: string;
  readonly effect: RuleEffect;
  readonly weight: number;
  readonly reason: string;
}

/** The policy a decision was made with. */
export interface PolicyRef {
  readonly id: string;
  readonly version: number;
  /** sha256 (hex) of the RFC 8785 canonical JSON of the policy the tenant got. */
  readonly digest: string;
  /** When a tenant override applied: the digest of the stored document it came from. */
  readonly baseDigest?: string;
}

/**
 * The answer to a request: allowed ⇔ no `deny` rule matched and the risk score is
 * below the policy's threshold; `review` flags an allowed operation for a human.
 */
export interface Decision {
  readonly allowed: boolean;
  /** min(100, sum of the weights of the matched rules). */
  readonly riskScore: number;
  readonly reasons: readonly DecisionReason[];
  readonly review: boolean;
  readonly policy: PolicyRef;
}
