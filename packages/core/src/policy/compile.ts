import { ConditionCodegen, gateOf, type ConditionFn } from '../condition/compile.js';
import type {
  Decision,
  DecisionFacts,
  DecisionReason,
  DecisionRequest,
  PolicyRef,
} from '../decision/decision.js';
import { deriveFacts } from '../decision/inspect.js';
import { canonicalDigest } from '../ledger/canonical-json.js';
import {
  DEFAULT_FORBIDDEN_FIELDS,
  type PolicyDocument,
  type PolicyRule,
} from './policy-document.js';
import { policyForTenant } from './overrides.js';
import { POLICY_PATH_ROOTS, assertPolicyDocument } from './validate.js';

/** How rules are run: all in one generated function, or indexed by the paths they read. */
export type EvaluationStrategy = 'inline' | 'indexed';

/** Above this many rules, `auto` indexes rules by path. */
export const INDEX_RULES_ABOVE = 32;

export interface CompileOptions {
  /** Apply this tenant's override from the document's `overrides`. */
  readonly tenant?: string;
  readonly strategy?: EvaluationStrategy | 'auto';
}

/**
 * A policy compiled once for fast, synchronous evaluation.
 */
export interface CompiledPolicy {
  readonly ref: PolicyRef;
  readonly threshold: number;
  /** The document decisions are made with (tenant override applied). */
  readonly document: PolicyDocument;
  /** Lower-cased forbidden content field names. */
  readonly forbiddenFields: ReadonlySet<string>;
  /** True when some rule reads derived facts (`pii.*`). */
  readonly readsFacts: boolean;
  readonly strategy: EvaluationStrategy;
  /**
   * Evaluates a validated request. Facts are derived from the request when a rule
   * needs them and none are given.
   */
  evaluate(request: DecisionRequest, facts?: DecisionFacts): Decision;
}

type Evaluate = (request: DecisionRequest, facts: DecisionFacts | undefined) => Decision;

function reasonOf(rule: PolicyRule): DecisionReason {
  // Keys in RFC 8785 order, so that recording a decision needs no re-sorting.
  return Object.freeze({
    effect: rule.effect,
    reason: rule.reason ?? rule.id,
    rule: rule.id,
    weight: rule.weight ?? 0,
  });
}

function resultExpression(threshold: number): string {
  return `{ allowed: !d && (s > 100 ? 100 : s) < ${threshold}, riskScore: s > 100 ? 100 : s, reasons: r, review: v, policy: P }`;
}

/** What a matched rule does to the accumulators `s` (score), `d` (deny), `v` (review), `r` (reasons). */
function effectStatements(rule: PolicyRule, reasonRef: string, acc = ''): string {
  const weight = rule.weight ?? 0;
  const add = weight > 0 ? `${acc}s += ${weight}; ` : '';
  const flag =
    rule.effect === 'deny'
      ? `${acc}d = true; `
      : rule.effect === 'review'
        ? `${acc}v = true; `
        : '';
  return `${add}${flag}${acc}r.push(${reasonRef});`;
}

/** Every rule in one generated function: the fastest form for small policies. */
function compileInline(doc: PolicyDocument, ref: PolicyRef, gen: ConditionCodegen): Evaluate {
  const lines = doc.rules.map((rule) => {
    const reasonRef = `refs[${gen.refs.push(reasonOf(rule)) - 1}]`;
    return `  if (${gen.expression(rule.when)}) { ${effectStatements(rule, reasonRef)} }`;
  });
  return gen.build<Evaluate>(
    `return function evaluate(i, f) {\n  ${gen.takePrologue()}\n  let s = 0, d = false, v = false;\n  const r = [];\n${lines.join('\n')}\n  return ${resultExpression(doc.threshold)};\n};`,
    { P: ref },
  );
}

/** Ascending in place; insertion sort beats Array#sort on the few candidates a request has. */
function sortSmall(list: number[]): void {
  if (list.length > 64) {
    list.sort((a, b) => a - b);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as number;
    let j = i - 1;
    while (j >= 0 && (list[j] as number) > x) {
      list[j + 1] = list[j] as number;
      j--;
    }
    list[j + 1] = x;
  }
}

/**
 * Rules indexed by the `root.key` their condition needs: a request runs only the
 * rules whose keys it has (plus the rules that have no such key), so the cost
 * follows the request, not the size of the policy.
 */
function compileIndexed(doc: PolicyDocument, ref: PolicyRef, gen: ConditionCodegen): Evaluate {
  type Step = (
    i: unknown,
    f: unknown,
    acc: { s: number; d: boolean; v: boolean; r: DecisionReason[] },
  ) => void;
  const steps: Step[] = doc.rules.map((rule) => {
    const reasonRef = `refs[${gen.refs.push(reasonOf(rule)) - 1}]`;
    const body = `if (${gen.expression(rule.when)}) { ${effectStatements(rule, reasonRef, 'a.')} }`;
    return gen.build<Step>(`return function step(i, f, a) { ${gen.takePrologue()} ${body} };`);
  });
  const always: number[] = [];
  const index = new Map<string, Map<string, number[]>>();
  doc.rules.forEach((rule, n) => {
    const gate = gateOf(rule.when, POLICY_PATH_ROOTS);
    if (gate === undefined) {
      always.push(n);
      return;
    }
    let keys = index.get(gate.root);
    if (keys === undefined) index.set(gate.root, (keys = new Map<string, number[]>()));
    const list = keys.get(gate.key);
    if (list === undefined) keys.set(gate.key, [n]);
    else list.push(n);
  });
  const roots = [...index].map(([root, keys]) => ({
    root,
    keys,
    fromFacts: POLICY_PATH_ROOTS[root]?.source === 'facts',
  }));
  const threshold = doc.threshold;
  return (request, facts) => {
    const candidates = always.length === 0 ? [] : always.slice();
    for (const { root, keys, fromFacts } of roots) {
      const holder: unknown = fromFacts ? facts : request;
      const o: unknown =
        holder !== null &&
        typeof holder === 'object' &&
        Object.prototype.hasOwnProperty.call(holder, root)
          ? (holder as Record<string, unknown>)[root]
          : undefined;
      if (o === null || typeof o !== 'object') continue;
      for (const key of Object.keys(o)) {
        const list = keys.get(key);
        if (list !== undefined) for (const n of list) candidates.push(n);
      }
    }
    sortSmall(candidates);
    const acc = { s: 0, d: false, v: false, r: [] as DecisionReason[] };
    for (const n of candidates) (steps[n] as Step)(request, facts, acc);
    const score = acc.s > 100 ? 100 : acc.s;
    return {
      allowed: !acc.d && score < threshold,
      riskScore: score,
      reasons: acc.r,
      review: acc.v,
      policy: ref,
    };
  };
}

/**
 * Validates a policy document once and compiles it. Conditions become generated
 * JavaScript (values from the document appear only as escaped literals or as
 * references), so evaluation does no interpretation per request.
 *
 * @example
 * const policy = compilePolicy(parseDocumentText(yamlText, 'yaml'));
 * const decision = policy.evaluate({ model: 'gpt-4o', operation: 'chat', metadata: { contains_personal_data: true } });
 * decision.allowed   // false
 * decision.riskScore // 70
 */
export function compilePolicy(document: unknown, options: CompileOptions = {}): CompiledPolicy {
  const base = assertPolicyDocument(document);
  const effective = policyForTenant(base, options.tenant);
  const digest = canonicalDigest(effective);
  const ref: PolicyRef = Object.freeze(
    effective === base
      ? { digest, id: base.id, version: base.version }
      : { baseDigest: canonicalDigest(base), digest, id: base.id, version: base.version },
  );
  const strategy: EvaluationStrategy =
    options.strategy === undefined || options.strategy === 'auto'
      ? effective.rules.length > INDEX_RULES_ABOVE
        ? 'indexed'
        : 'inline'
      : options.strategy;
  const gen = new ConditionCodegen(POLICY_PATH_ROOTS);
  const run =
    strategy === 'inline'
      ? compileInline(effective, ref, gen)
      : compileIndexed(effective, ref, gen);
  const readsFacts = gen.readsFacts;
  const forbiddenFields = new Set(
    (effective.forbiddenFields ?? DEFAULT_FORBIDDEN_FIELDS).map((f) => f.toLowerCase()),
  );
  return Object.freeze({
    ref,
    threshold: effective.threshold,
    document: effective,
    forbiddenFields,
    readsFacts,
    strategy,
    evaluate: (request: DecisionRequest, facts?: DecisionFacts): Decision =>
      run(request, facts ?? (readsFacts ? deriveFacts(request) : undefined)),
  });
}

export type { ConditionFn };
