/**
 * Every failure govgate reports as an exception carries one of these codes.
 * The codes are stable: the HTTP service maps each to a status and a problem type.
 */
export type GovgateErrorCode =
  | 'POLICY_INVALID'
  | 'POLICY_NOT_FOUND'
  | 'POLICY_TEST_INVALID'
  | 'REQUEST_INVALID'
  | 'FORBIDDEN_CONTENT_FIELD'
  | 'LEDGER_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'LEDGER_ENTRY_INVALID'
  | 'LEDGER_CORRUPT'
  | 'LEDGER_CHAIN_BROKEN'
  | 'LEDGER_RANGE'
  | 'LEDGER_LOCKED'
  | 'TENANT_INVALID'
  | 'KEY_INVALID'
  | 'CONFLICT'
  | 'EVIDENCE_INVALID'
  | 'PROFILE_INVALID'
  | 'PROFILE_NOT_FOUND'
  | 'WORKFLOW_NOT_FOUND'
  | 'WORKFLOW_TRANSITION_INVALID';

/** One problem found in an input, located by a JSON pointer (RFC 6901) into it. */
export interface ErrorDetail {
  /** JSON pointer to the offending value, `''` for the whole input. */
  readonly pointer: string;
  readonly message: string;
}

const BRAND = Symbol.for('govgate.GovgateError');

/**
 * The one error type of govgate. `details` lists every problem found, so a caller
 * can fix all of them at once.
 *
 * @example
 * try { compilePolicy(doc) } catch (e) {
 *   if (GovgateError.is(e, 'POLICY_INVALID')) console.error(e.details);
 * }
 */
export class GovgateError<C extends GovgateErrorCode = GovgateErrorCode> extends Error {
  override readonly name = 'GovgateError';
  readonly code: C;
  readonly details: readonly ErrorDetail[];

  constructor(
    code: C,
    message: string,
    options: { cause?: unknown; details?: readonly ErrorDetail[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? [];
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for a GovgateError (optionally of one code), also when it was thrown by
   * another copy of this package: the brand is a registered symbol, not a class.
   */
  static is<C extends GovgateErrorCode>(error: unknown, code?: C): error is GovgateError<C> {
    if (typeof error !== 'object' || error === null) return false;
    if ((error as Record<symbol, unknown>)[BRAND] !== true) return false;
    return code === undefined || (error as GovgateError).code === code;
  }
}

/** Escapes one JSON pointer reference token (RFC 6901 §3). */
export function pointerToken(key: string | number): string {
  const text = String(key);
  // Most keys need no escaping; skip the two replacements for them (hot path).
  return text.includes('~') || text.includes('/')
    ? text.replace(/~/g, '~0').replace(/\//g, '~1')
    : text;
}
