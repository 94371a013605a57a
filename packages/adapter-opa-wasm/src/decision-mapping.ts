import type { DecisionReason, RuleEffect } from '@govgate/core';
import type { RegoDescriptor } from './descriptor.js';
import { policyInvalid, preview } from './errors.js';

/** A decision of a Rego policy, before govgate adds the policy reference. */
export interface RegoDecision {
  readonly allowed: boolean;
  readonly riskScore: number;
  readonly reasons: readonly DecisionReason[];
  readonly review: boolean;
}

/** What opa-wasm's evaluate() returned for each entrypoint the descriptor names. */
export interface EntrypointResults {
  readonly allowed: unknown;
  readonly riskScore?: unknown;
  readonly reasons?: unknown;
  readonly review?: unknown;
}

const EFFECTS: ReadonlySet<string> = new Set<RuleEffect>(['score', 'deny', 'review']);

/**
 * The value of a result set: opa-wasm returns `[{ result: value }]`, or `[]` when the
 * rule is undefined for this input.
 */
function valueOf(resultSet: unknown, entrypoint: string): { defined: boolean; value?: unknown } {
  // `undefined`: not evaluated (tests of this function give only some results)
  if (resultSet === undefined || (Array.isArray(resultSet) && resultSet.length === 0))
    return { defined: false };
  if (Array.isArray(resultSet) && resultSet.length === 1) {
    const only: unknown = resultSet[0];
    if (typeof only === 'object' && only !== null && Object.hasOwn(only, 'result'))
      return { defined: true, value: (only as { result: unknown }).result };
  }
  throw wrongType(entrypoint, 'a result set [{ result }]', resultSet);
}

function wrongType(entrypoint: string, expected: string, actual: unknown) {
  return policyInvalid(
    `/entrypoints/${entrypoint}`,
    `entrypoint '${entrypoint}' must give ${expected}; it gave ${preview(actual)}`,
  );
}

function reasonOf(item: unknown, index: number, entrypoint: string): DecisionReason {
  if (typeof item === 'string') return { effect: 'score', reason: item, rule: item, weight: 0 };
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw wrongType(entrypoint, 'reasons as strings or objects', item);
  const o = item as Record<string, unknown>;
  const text = typeof o.reason === 'string' ? o.reason : undefined;
  const rule = typeof o.rule === 'string' ? o.rule : undefined;
  const label = `reason ${index}: an object with a 'reason' or 'rule' string, an optional 'effect' (score, deny, review) and 'weight' (a number ≥ 0)`;
  if (
    (text === undefined && rule === undefined) ||
    (o.reason !== undefined && text === undefined) ||
    (o.rule !== undefined && rule === undefined) ||
    (o.effect !== undefined && (typeof o.effect !== 'string' || !EFFECTS.has(o.effect))) ||
    (o.weight !== undefined &&
      (typeof o.weight !== 'number' || !Number.isFinite(o.weight) || o.weight < 0))
  )
    throw wrongType(entrypoint, label, item);
  // Keys in RFC 8785 order, like the native engine's reasons.
  return {
    effect: (o.effect as RuleEffect | undefined) ?? 'score',
    reason: text ?? (rule as string),
    rule: rule ?? (text as string),
    weight: o.weight ?? 0,
  };
}

/**
 * Maps raw entrypoint results to a decision, checking every type. Pure: no wasm here.
 * A wrong type is a GovgateError POLICY_INVALID naming the entrypoint and what it gave;
 * callers must treat it as a denial (fail closed), never as "no opinion".
 *
 * @example
 * mapRegoResults({ allowed: [{ result: true }], riskScore: [{ result: 20 }] }, descriptor)
 * // { allowed: true, riskScore: 20, reasons: [], review: false }
 */
export function mapRegoResults(
  results: EntrypointResults,
  descriptor: RegoDescriptor,
): RegoDecision {
  const names = descriptor.entrypoints;

  const allowedAt = valueOf(results.allowed, names.allowed);
  if (!allowedAt.defined)
    throw policyInvalid(
      `/entrypoints/${names.allowed}`,
      `entrypoint '${names.allowed}' is undefined for this input; give the rule a default (\`default allow := false\`)`,
    );
  if (typeof allowedAt.value !== 'boolean')
    throw wrongType(names.allowed, 'true or false', allowedAt.value);

  let riskScore = 0;
  if (names.riskScore !== undefined) {
    const at = valueOf(results.riskScore, names.riskScore);
    if (at.defined) {
      if (typeof at.value !== 'number' || !(at.value >= 0 && at.value <= 100))
        throw wrongType(names.riskScore, 'a number from 0 to 100', at.value);
      riskScore = at.value;
    }
  }

  let reasons: DecisionReason[] = [];
  if (names.reasons !== undefined) {
    const name = names.reasons;
    const at = valueOf(results.reasons, name);
    if (at.defined) {
      if (!Array.isArray(at.value)) throw wrongType(name, 'a set or array of reasons', at.value);
      reasons = at.value.map((item: unknown, i) => reasonOf(item, i, name));
    }
  }

  let review = false;
  if (names.review !== undefined) {
    const at = valueOf(results.review, names.review);
    if (at.defined) {
      if (typeof at.value !== 'boolean') throw wrongType(names.review, 'true or false', at.value);
      review = at.value;
    }
  }

  const allowed =
    allowedAt.value && (descriptor.threshold === undefined || riskScore < descriptor.threshold);
  return { allowed, riskScore, reasons, review };
}
