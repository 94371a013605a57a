import { conditionSchemaDefs } from '../condition/condition.js';
import { POLICY_ID_PATTERN, RULE_ID_PATTERN, TENANT_ID_PATTERN } from '../schema/patterns.js';

const rule = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'when', 'effect'],
  properties: {
    id: { type: 'string', pattern: RULE_ID_PATTERN },
    description: { type: 'string', maxLength: 2000 },
    when: { $ref: '#/$defs/condition' },
    effect: { enum: ['score', 'deny', 'review'] },
    weight: { type: 'number', minimum: 0, maximum: 100 },
    reason: { type: 'string', minLength: 1, maxLength: 256 },
  },
  if: { required: ['effect'], properties: { effect: { const: 'score' } } },
  then: { required: ['weight'] },
} as const;

/** JSON Schema (2020-12) of a native policy document. */
export const policyDocumentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/policy-document.json',
  title: 'govgate policy document',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'threshold', 'rules'],
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: POLICY_ID_PATTERN },
    version: { type: 'integer', minimum: 1, maximum: 2147483647 },
    description: { type: 'string', maxLength: 2000 },
    threshold: { type: 'number', minimum: 0, maximum: 100 },
    rules: { type: 'array', maxItems: 10000, items: { $ref: '#/$defs/rule' } },
    forbiddenFields: {
      type: 'array',
      maxItems: 256,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 128 },
    },
    overrides: {
      type: 'object',
      maxProperties: 10000,
      propertyNames: { pattern: TENANT_ID_PATTERN },
      additionalProperties: { $ref: '#/$defs/tenantOverride' },
    },
  },
  $defs: {
    ...conditionSchemaDefs,
    rule,
    tenantOverride: {
      type: 'object',
      additionalProperties: false,
      properties: {
        threshold: { type: 'number', minimum: 0, maximum: 100 },
        disableRules: {
          type: 'array',
          maxItems: 10000,
          uniqueItems: true,
          items: { type: 'string', pattern: RULE_ID_PATTERN },
        },
        rules: { type: 'array', maxItems: 10000, items: { $ref: '#/$defs/rule' } },
      },
    },
  },
} as const;
