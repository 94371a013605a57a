import { checkCondition, type PathRoots } from '../condition/compile.js';
import { GovgateError, pointerToken, type ErrorDetail } from '../errors.js';
import { createValidator } from '../schema/validator.js';
import type { PolicyDocument, PolicyRule } from './policy-document.js';
import { policyDocumentSchema } from './policy-schema.js';

/** What a policy rule's paths may start with: the request and the derived facts. */
export const POLICY_PATH_ROOTS: PathRoots = {
  model: { kind: 'scalar', source: 'input' },
  operation: { kind: 'scalar', source: 'input' },
  subject: { kind: 'scalar', source: 'input' },
  metadata: { kind: 'object', source: 'input' },
  context: { kind: 'object', source: 'input' },
  pii: { kind: 'object', source: 'facts' },
};

const validateShape = createValidator<PolicyDocument>(policyDocumentSchema);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function checkRules(rules: unknown, at: string, taken: Map<string, string>): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  listOf(rules).forEach((rule, i) => {
    if (!isObject(rule)) return;
    const pointer = `${at}/${i}`;
    if (typeof rule.id === 'string') {
      const earlier = taken.get(rule.id);
      if (earlier !== undefined) {
        errors.push({
          pointer: `${pointer}/id`,
          message: `rule id '${rule.id}' is already used at ${earlier}`,
        });
      } else taken.set(rule.id, pointer);
    }
    if (isObject(rule.when))
      errors.push(
        ...checkCondition(rule.when as PolicyRule['when'], `${pointer}/when`, POLICY_PATH_ROOTS),
      );
  });
  return errors;
}

/** The checks the schema cannot express. Defensive: runs on schema-invalid documents too. */
function checkSemantics(doc: unknown): ErrorDetail[] {
  if (!isObject(doc)) return [];
  const baseIds = new Map<string, string>();
  const errors = checkRules(doc.rules, '/rules', baseIds);
  if (!isObject(doc.overrides)) return errors;
  for (const [tenant, override] of Object.entries(doc.overrides)) {
    if (!isObject(override)) continue;
    const at = `/overrides/${pointerToken(tenant)}`;
    const disable = listOf(override.disableRules).filter(
      (id): id is string => typeof id === 'string',
    );
    disable.forEach((id, i) => {
      if (!baseIds.has(id))
        errors.push({
          pointer: `${at}/disableRules/${i}`,
          message: `no rule '${id}' in this policy to disable`,
        });
    });
    // An override may replace a base rule by disabling it and adding one of the same id.
    const disabled = new Set(disable);
    const taken = new Map([...baseIds].filter(([id]) => !disabled.has(id)));
    errors.push(...checkRules(override.rules, `${at}/rules`, taken));
  }
  return errors;
}

/**
 * Validates a policy document: its shape against the JSON Schema (unknown keys are
 * errors) and what the schema cannot say (unique rule ids, path roots, safe regexes,
 * overrides that name existing rules). Returns every problem at once.
 *
 * @example
 * const result = validatePolicyDocument(JSON.parse(text));
 * if (!result.ok) for (const e of result.errors) console.log(e.pointer, e.message);
 */
export function validatePolicyDocument(
  value: unknown,
): { ok: true; value: PolicyDocument } | { ok: false; errors: readonly ErrorDetail[] } {
  const shape = validateShape(value);
  const semantic = checkSemantics(value);
  if (shape.ok && semantic.length === 0) return shape;
  const errors = shape.ok ? semantic : [...shape.errors, ...semantic];
  return { ok: false, errors: sortByPointer(errors) };
}

function sortByPointer(errors: readonly ErrorDetail[]): ErrorDetail[] {
  return [...errors].sort((a, b) => a.pointer.localeCompare(b.pointer, 'en', { numeric: true }));
}

/** Like validatePolicyDocument, throwing a POLICY_INVALID error that lists every problem. */
export function assertPolicyDocument(value: unknown): PolicyDocument {
  const result = validatePolicyDocument(value);
  if (result.ok) return result.value;
  const first = result.errors[0];
  throw new GovgateError(
    'POLICY_INVALID',
    `policy document is invalid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'})` +
      (first === undefined ? '' : `: ${first.pointer || '/'} ${first.message}`),
    { details: result.errors },
  );
}
