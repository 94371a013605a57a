import { canonicalJsonData, jsonString } from '../ledger/canonical-json.js';
import { withCanonicalJson } from '../ledger/entry.js';
import type { Decision, JsonObject, JsonValue } from './decision.js';
import { piiKindsOf, type RecordedRequest } from './inspect.js';

/** Canonical JSON of frozen objects of primitives (policy refs, rule reasons), by object. */
const frozenJson = new WeakMap<object, string>();

/**
 * The canonical JSON of a frozen object whose own properties all hold primitive
 * values, written once per object: such an object can never change. Undefined for any
 * other value.
 */
function jsonOfFrozen(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const known = frozenJson.get(value);
  if (known !== undefined) return known;
  if (!Object.isFrozen(value)) return undefined;
  for (const property of Object.values(Object.getOwnPropertyDescriptors(value)))
    if (!('value' in property) || (typeof property.value === 'object' && property.value !== null))
      return undefined;
  const json = canonicalJsonData(value);
  if (json !== undefined) frozenJson.set(value, json);
  return json;
}

/** Canonical JSON of a decision's parts, or undefined when one is not of the usual kind. */
function decisionJson(decision: Decision): string | undefined {
  const { allowed, policy, reasons, review, riskScore } = decision;
  if (
    typeof allowed !== 'boolean' ||
    typeof review !== 'boolean' ||
    typeof riskScore !== 'number' ||
    !Number.isFinite(riskScore) ||
    !Array.isArray(reasons)
  )
    return undefined;
  const policyJson = jsonOfFrozen(policy);
  if (policyJson === undefined) return undefined;
  let reasonsJson = '[';
  for (let n = 0; n < reasons.length; n++) {
    const reasonJson = jsonOfFrozen(reasons[n]);
    if (reasonJson === undefined) return undefined;
    reasonsJson += n === 0 ? reasonJson : `,${reasonJson}`;
  }
  return `{"allowed":${allowed},"policy":${policyJson},"reasons":${reasonsJson}],"review":${review},"riskScore":${riskScore}}`;
}

/**
 * The `data` of the `decision` entry that records `decision` on `recorded`: the
 * decision, the PII kinds found and the request as stored (redacted). Its canonical
 * JSON is written here from parts already checked (the request by `inspectForRecord`,
 * the decision's frozen policy ref and reasons once each), so the ledger need not
 * check and serialize it again; when a part is unusual the ledger checks it in full.
 *
 * @example
 * const recorded = inspectForRecord(body, policy.forbiddenFields);
 * const data = decisionEntryData(recorded, policy.evaluate(recorded.redacted, recorded.facts));
 * await ledger.append('acme', [{ type: 'decision', actor: 'library', data }]);
 */
export function decisionEntryData(recorded: RecordedRequest, decision: Decision): JsonObject {
  const kinds = piiKindsOf(recorded.facts);
  // Keys in RFC 8785 order, as in the JSON.
  const data: JsonObject = {
    decision: {
      allowed: decision.allowed,
      // frozen, JSON-shaped objects: referenced as they are, without copies
      policy: decision.policy as unknown as JsonValue,
      reasons: decision.reasons as unknown as JsonValue,
      review: decision.review,
      riskScore: decision.riskScore,
    },
    pii: kinds as JsonValue,
    request: recorded.stored,
  };
  if (recorded.storedJson === undefined) return data;
  const json = decisionJson(decision);
  if (json === undefined) return data;
  let piiJson = '[';
  for (let n = 0; n < kinds.length; n++)
    piiJson += n === 0 ? jsonString(kinds[n] as string) : `,${jsonString(kinds[n] as string)}`;
  return withCanonicalJson(
    data,
    `{"decision":${json},"pii":${piiJson}],"request":${recorded.storedJson}}`,
  );
}
