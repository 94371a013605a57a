import {
  checkCondition,
  compileCondition,
  type ConditionFn,
  type PathRoots,
} from '../condition/compile.js';
import { conditionSchemaDefs, type Condition } from '../condition/condition.js';
import { GovgateError, type ErrorDetail } from '../errors.js';
import { canonicalDigest } from '../ledger/canonical-json.js';
import { POLICY_ID_PATTERN } from '../schema/patterns.js';
import { createValidator } from '../schema/validator.js';
import { EVIDENCE_TYPE_PATTERN } from './evidence.js';

/** One required kind of evidence, optionally with a predicate on its data. */
export interface Requirement {
  readonly type: string;
  /** Condition on the evidence entry; paths start at `data` (the evidence's own data). */
  readonly where?: Condition;
  readonly description?: string;
}

/** Who must approve a run, and how many of them. */
export interface ApprovalRule {
  /** Evidence type of an approval (default `approval`); the approver is `data.approver`. */
  readonly type?: string;
  readonly approvers: readonly string[];
  readonly min: number;
}

/**
 * A requirement profile: what evidence a run must have to be VALID. Versioned and
 * activated like policies.
 */
export interface RequirementProfile {
  readonly id: string;
  readonly version: number;
  readonly description?: string;
  readonly requires: readonly Requirement[];
  readonly approvals?: ApprovalRule;
  /** Evidence older than this many days (at judgment time) does not count. */
  readonly maxAgeDays?: number;
}

/** Paths of a requirement's `where`: the evidence's data. */
export const PROFILE_PATH_ROOTS: PathRoots = {
  data: { kind: 'object', source: 'input' },
};

/** JSON Schema (2020-12) of a requirement profile. */
export const requirementProfileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/requirement-profile.json',
  title: 'govgate requirement profile',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'requires'],
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: POLICY_ID_PATTERN },
    version: { type: 'integer', minimum: 1, maximum: 2147483647 },
    description: { type: 'string', maxLength: 2000 },
    requires: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: { type: 'string', pattern: EVIDENCE_TYPE_PATTERN, maxLength: 128 },
          where: { $ref: '#/$defs/condition' },
          description: { type: 'string', maxLength: 2000 },
        },
      },
    },
    approvals: {
      type: 'object',
      additionalProperties: false,
      required: ['approvers', 'min'],
      properties: {
        type: { type: 'string', pattern: EVIDENCE_TYPE_PATTERN, maxLength: 128 },
        approvers: {
          type: 'array',
          minItems: 1,
          maxItems: 1000,
          uniqueItems: true,
          items: { type: 'string', minLength: 1, maxLength: 256 },
        },
        min: { type: 'integer', minimum: 1, maximum: 1000 },
      },
    },
    maxAgeDays: { type: 'number', exclusiveMinimum: 0, maximum: 36500 },
  },
  $defs: conditionSchemaDefs,
} as const;

const validateShape = createValidator<RequirementProfile>(requirementProfileSchema);

/** Every problem of a profile document, each with its JSON pointer. */
export function validateRequirementProfile(
  value: unknown,
): { ok: true; value: RequirementProfile } | { ok: false; errors: readonly ErrorDetail[] } {
  const shape = validateShape(value);
  const errors: ErrorDetail[] = shape.ok ? [] : [...shape.errors];
  const doc = value as Partial<RequirementProfile> | null;
  if (doc !== null && typeof doc === 'object' && Array.isArray(doc.requires)) {
    const seen = new Map<string, number>();
    (doc.requires as readonly (Partial<Requirement> | null)[]).forEach((r, i) => {
      if (r === null || typeof r !== 'object') return;
      if (typeof r.type === 'string') {
        const earlier = seen.get(r.type);
        if (earlier !== undefined)
          errors.push({
            pointer: `/requires/${i}/type`,
            message: `'${r.type}' is already required at /requires/${earlier}; put both conditions in one 'where' with 'all'`,
          });
        else seen.set(r.type, i);
      }
      if (r.where !== null && typeof r.where === 'object')
        errors.push(...checkCondition(r.where, `/requires/${i}/where`, PROFILE_PATH_ROOTS));
    });
    const approvals = doc.approvals;
    if (approvals !== undefined && approvals !== null && typeof approvals === 'object') {
      const type = approvals.type ?? 'approval';
      if (seen.has(type))
        errors.push({
          pointer: '/approvals/type',
          message: `'${type}' is both a required evidence type and the approval type`,
        });
      if (
        Array.isArray(approvals.approvers) &&
        typeof approvals.min === 'number' &&
        approvals.min > approvals.approvers.length
      )
        errors.push({
          pointer: '/approvals/min',
          message: `needs ${approvals.min} approvers but only ${approvals.approvers.length} are allowed`,
        });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: value as RequirementProfile };
}

/** A profile checked and compiled once: its predicates are functions. */
export interface CompiledProfile {
  readonly profile: RequirementProfile;
  readonly ref: { readonly id: string; readonly version: number; readonly digest: string };
  readonly approvalType: string;
  readonly predicates: ReadonlyMap<string, ConditionFn>;
}

/**
 * Validates and compiles a requirement profile; PROFILE_INVALID naming every problem.
 *
 * @example
 * const profile = compileProfile({ id: 'model-release', version: 1, requires: [{ type: 'data.provenance' }] });
 */
export function compileProfile(value: unknown): CompiledProfile {
  const checked = validateRequirementProfile(value);
  if (!checked.ok) {
    const first = checked.errors[0];
    throw new GovgateError(
      'PROFILE_INVALID',
      `requirement profile is invalid (${checked.errors.length} problem${checked.errors.length === 1 ? '' : 's'})` +
        (first === undefined ? '' : `: ${first.pointer || '/'} ${first.message}`),
      { details: checked.errors },
    );
  }
  const profile = checked.value;
  const predicates = new Map<string, ConditionFn>();
  for (const r of profile.requires)
    if (r.where !== undefined)
      predicates.set(r.type, compileCondition(r.where, PROFILE_PATH_ROOTS));
  return {
    profile,
    ref: { id: profile.id, version: profile.version, digest: canonicalDigest(profile) },
    approvalType: profile.approvals?.type ?? 'approval',
    predicates,
  };
}
