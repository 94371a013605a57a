/**
 * The condition language shared by policy rules and compliance requirements:
 * leaves test one dotted path, combinators nest them.
 *
 * @example
 * const when: Condition = {
 *   all: [
 *     { path: 'metadata.contains_personal_data', equals: true },
 *     { not: { path: 'context.region', in: ['eu-west-1', 'eu-central-1'] } },
 *   ],
 * };
 */
export type Scalar = string | number | boolean | null;

export type LeafCondition =
  | { readonly path: string; readonly equals: Scalar }
  | { readonly path: string; readonly in: readonly Scalar[] }
  | { readonly path: string; readonly exists: boolean }
  | { readonly path: string; readonly gt: number }
  | { readonly path: string; readonly gte: number }
  | { readonly path: string; readonly lt: number }
  | { readonly path: string; readonly lte: number }
  | { readonly path: string; readonly matches: string };

export type Condition =
  | LeafCondition
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition };

export const LEAF_OPERATORS = [
  'equals',
  'in',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'matches',
] as const;
export type LeafOperator = (typeof LEAF_OPERATORS)[number];

/** Longest dotted path, and most segments in one. */
export const MAX_PATH_LENGTH = 256;
export const MAX_PATH_SEGMENTS = 16;
export const MAX_CONDITION_DEPTH = 32;

const scalarSchema = { type: ['string', 'number', 'boolean', 'null'] } as const;

/**
 * JSON Schema (2020-12) definitions of the condition language, to place under `$defs`
 * of any schema that embeds conditions and reference as `#/$defs/condition`.
 * The if/then chain picks one shape per object, so an invalid condition reports the
 * errors of the shape it was meant to be, not of every alternative.
 */
export const conditionSchemaDefs = {
  condition: {
    type: 'object',
    if: { required: ['all'] },
    then: { $ref: '#/$defs/allCondition' },
    else: {
      if: { required: ['any'] },
      then: { $ref: '#/$defs/anyCondition' },
      else: {
        if: { required: ['not'] },
        then: { $ref: '#/$defs/notCondition' },
        else: { $ref: '#/$defs/leafCondition' },
      },
    },
  },
  allCondition: {
    type: 'object',
    additionalProperties: false,
    required: ['all'],
    properties: {
      all: { type: 'array', minItems: 1, maxItems: 1000, items: { $ref: '#/$defs/condition' } },
    },
  },
  anyCondition: {
    type: 'object',
    additionalProperties: false,
    required: ['any'],
    properties: {
      any: { type: 'array', minItems: 1, maxItems: 1000, items: { $ref: '#/$defs/condition' } },
    },
  },
  notCondition: {
    type: 'object',
    additionalProperties: false,
    required: ['not'],
    properties: { not: { $ref: '#/$defs/condition' } },
  },
  leafCondition: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    minProperties: 2,
    maxProperties: 2,
    properties: {
      path: { type: 'string', minLength: 1, maxLength: MAX_PATH_LENGTH },
      equals: scalarSchema,
      in: { type: 'array', minItems: 1, maxItems: 10000, items: scalarSchema },
      exists: { type: 'boolean' },
      gt: { type: 'number' },
      gte: { type: 'number' },
      lt: { type: 'number' },
      lte: { type: 'number' },
      matches: { type: 'string', minLength: 1 },
    },
  },
} as const;
