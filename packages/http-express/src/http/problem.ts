import { GovgateError, type ErrorDetail, type GovgateErrorCode } from '@govgate/core';

/** Problems only the HTTP layer has: authentication, routing, bodies, throttling. */
export type HttpProblemCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BAD_REQUEST'
  | 'MALFORMED_BODY'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'HEADERS_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'NOT_READY'
  | 'INTERNAL';

export type ProblemCode = GovgateErrorCode | HttpProblemCode;

interface ProblemKind {
  readonly status: number;
  readonly title: string;
}

/** Status and title per code: the only place where error codes meet HTTP statuses. */
export const PROBLEM_KINDS: Readonly<Record<ProblemCode, ProblemKind>> = {
  POLICY_INVALID: { status: 422, title: 'The policy document is invalid' },
  POLICY_NOT_FOUND: { status: 404, title: 'No such policy' },
  POLICY_TEST_INVALID: { status: 422, title: 'The policy test file is invalid' },
  REQUEST_INVALID: { status: 422, title: 'The request is invalid' },
  FORBIDDEN_CONTENT_FIELD: { status: 422, title: 'The request carries forbidden content fields' },
  LEDGER_UNAVAILABLE: { status: 503, title: 'The ledger is unavailable' },
  STORE_UNAVAILABLE: { status: 503, title: 'The store is unavailable' },
  LEDGER_ENTRY_INVALID: { status: 422, title: 'The ledger entry is invalid' },
  LEDGER_CORRUPT: { status: 500, title: 'The ledger is corrupt' },
  LEDGER_CHAIN_BROKEN: { status: 500, title: 'The ledger chain is broken' },
  LEDGER_RANGE: { status: 404, title: 'No such entry or tree size in the ledger' },
  LEDGER_LOCKED: { status: 503, title: 'The ledger is locked by another process' },
  TENANT_INVALID: { status: 422, title: 'The tenant id is invalid' },
  KEY_INVALID: { status: 404, title: 'No such key' },
  CONFLICT: { status: 409, title: 'Conflict' },
  EVIDENCE_INVALID: { status: 422, title: 'The evidence is invalid' },
  PROFILE_INVALID: { status: 422, title: 'The requirement profile is invalid' },
  PROFILE_NOT_FOUND: { status: 404, title: 'No such requirement profile' },
  WORKFLOW_NOT_FOUND: { status: 404, title: 'No such workflow' },
  WORKFLOW_TRANSITION_INVALID: { status: 409, title: 'The workflow cannot make this transition' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'The key may not do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  MALFORMED_BODY: { status: 400, title: 'The body is not well-formed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  RATE_LIMITED: { status: 429, title: 'Rate limit exceeded' },
  NOT_READY: { status: 503, title: 'Not ready' },
  INTERNAL: { status: 500, title: 'Internal error' },
};

/** The stable problem `type` URI of a code: `https://govgate.dev/problems/policy-invalid`. */
export function problemType(code: ProblemCode): string {
  return `https://govgate.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

/** An error the HTTP layer answers with as it is (RFC 9457 problem details). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly errors: readonly ErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** RFC 9457 body; `errors` lists every problem found, each with its JSON pointer. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly ErrorDetail[];
}

type ProblemOutcome = {
  body: Omit<ProblemBody, 'instance' | 'requestId'>;
  headers: Readonly<Record<string, string>>;
  internal: boolean;
};

function outcome(
  code: ProblemCode,
  detail: string,
  errors: readonly ErrorDetail[],
  headers: Readonly<Record<string, string>> = {},
): ProblemOutcome {
  const kind = PROBLEM_KINDS[code];
  return {
    body: {
      type: problemType(code),
      title: kind.title,
      status: kind.status,
      detail,
      code,
      ...(errors.length === 0 ? {} : { errors }),
    },
    headers,
    internal: kind.status >= 500,
  };
}

/** Turns any thrown value into problem details; unknown errors reveal nothing. */
export function toProblem(error: unknown): ProblemOutcome {
  if (error instanceof HttpProblem)
    return outcome(error.code, error.message, error.errors, error.headers);
  if (GovgateError.is(error)) return outcome(error.code, error.message, error.details);
  return outcome(
    'INTERNAL',
    'an unexpected error occurred; the request id identifies it in the logs',
    [],
  );
}
