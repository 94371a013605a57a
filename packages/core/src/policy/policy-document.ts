import type { Condition } from '../condition/condition.js';

export type RuleEffect = 'score' | 'deny' | 'review';

/** One rule of a native policy: when `when` holds, `effect` applies. */
export interface PolicyRule {
  readonly id: string;
  readonly description?: string;
  readonly when: Condition;
  readonly effect: RuleEffect;
  /** Risk points added when the rule matches (required for `score`). */
  readonly weight?: number;
  /** The reason reported when the rule matches; the rule id when absent. */
  readonly reason?: string;
}

/** What a tenant changes of a shared policy. */
export interface TenantOverride {
  readonly threshold?: number;
  /** Ids of rules of the base policy that do not apply to the tenant. */
  readonly disableRules?: readonly string[];
  /** Rules evaluated after the base policy's rules. */
  readonly rules?: readonly PolicyRule[];
}

/**
 * A native policy document, as written in JSON or YAML.
 *
 * @example
 * const doc: PolicyDocument = {
 *   id: 'default', version: 1, threshold: 50,
 *   rules: [{ id: 'personal-data', when: { path: 'metadata.contains_personal_data', equals: true },
 *             effect: 'score', weight: 70, reason: 'contains_personal_data' }],
 * };
 */
export interface PolicyDocument {
  readonly $schema?: string;
  readonly id: string;
  readonly version: number;
  readonly description?: string;
  /** A request is blocked when its risk score reaches this (0–100). */
  readonly threshold: number;
  readonly rules: readonly PolicyRule[];
  /** Metadata keys that must never reach govgate (content, not metadata). */
  readonly forbiddenFields?: readonly string[];
  /** Per-tenant changes, keyed by tenant id. */
  readonly overrides?: Readonly<Record<string, TenantOverride>>;
}

/** Forbidden content field names when a policy does not list its own. */
export const DEFAULT_FORBIDDEN_FIELDS: readonly string[] = [
  'prompt',
  'prompts',
  'messages',
  'content',
  'input',
  'text',
  'completion',
];
