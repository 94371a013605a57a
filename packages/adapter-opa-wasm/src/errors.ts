import { GovgateError, type ErrorDetail } from '@govgate/core';

/** A POLICY_INVALID error with one located problem; the message repeats it for logs. */
export function policyInvalid(
  pointer: string,
  message: string,
  cause?: unknown,
): GovgateError<'POLICY_INVALID'> {
  return new GovgateError('POLICY_INVALID', `Rego policy is invalid: ${message}`, {
    details: [{ pointer, message }],
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A POLICY_INVALID error listing several problems; the message names the first. */
export function policyInvalidAll(
  details: readonly ErrorDetail[],
  fallback: ErrorDetail,
): GovgateError<'POLICY_INVALID'> {
  const first = details[0] ?? fallback;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new GovgateError('POLICY_INVALID', `Rego policy is invalid: ${first.message}${more}`, {
    details: details.length === 0 ? [fallback] : details,
  });
}

/** Text of anything thrown: opa-wasm throws strings and plain objects, not Errors. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown === 'object' && thrown !== null && 'message' in thrown)
    return String(thrown.message);
  return typeof thrown === 'number' || typeof thrown === 'boolean'
    ? String(thrown)
    : 'unknown error';
}

/** JSON of a value for an error message, cut to `max` characters. */
export function preview(value: unknown, max = 200): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? `(a ${typeof value})`);
  } catch {
    text = '(a value that is not JSON)';
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
