import type { Condition } from '../condition/condition.js';
import type { DecisionRequest, JsonObject } from '../decision/decision.js';
import type { PolicyDocument, PolicyRule, RuleEffect } from '../policy/policy-document.js';

/**
 * Small builders for policies and requests in tests.
 *
 * @example
 * const doc = aPolicy().withThreshold(50).withRule('pd', { path: 'metadata.pd', equals: true }, 'score', 70).build();
 */
export class PolicyBuilder {
  private doc: { -readonly [K in keyof PolicyDocument]: PolicyDocument[K] };

  constructor(id = 'test-policy', version = 1) {
    this.doc = { id, version, threshold: 50, rules: [] };
  }

  withThreshold(threshold: number): this {
    this.doc.threshold = threshold;
    return this;
  }

  withRule(
    id: string,
    when: Condition,
    effect: RuleEffect = 'score',
    weight?: number,
    reason?: string,
  ): this {
    const rule: PolicyRule = {
      id,
      when,
      effect,
      ...(weight === undefined ? {} : { weight }),
      ...(reason === undefined ? {} : { reason }),
    };
    this.doc.rules = [...this.doc.rules, rule];
    return this;
  }

  with(fields: Partial<PolicyDocument>): this {
    this.doc = { ...this.doc, ...fields };
    return this;
  }

  build(): PolicyDocument {
    return structuredClone(this.doc);
  }
}

export const aPolicy = (id?: string, version?: number): PolicyBuilder =>
  new PolicyBuilder(id, version);

/** The seed risk policy of examples/policies/default.yaml, without the PII rule. */
export const seedPolicy = (): PolicyDocument =>
  aPolicy('default')
    .withRule(
      'personal-data',
      { path: 'metadata.contains_personal_data', equals: true },
      'score',
      70,
      'contains_personal_data',
    )
    .withRule(
      'external-model',
      { path: 'metadata.is_external_model', equals: true },
      'score',
      50,
      'is_external_model',
    )
    .build();

export const aRequest = (
  metadata: JsonObject = {},
  fields: Partial<DecisionRequest> = {},
): DecisionRequest => ({
  model: 'gpt-4o',
  operation: 'chat.completion',
  metadata,
  ...fields,
});
