import { GovgateError, type GovgateErrorCode } from '@govgate/core';

/** A store (policies, tenants, keys, buckets, usage) or its database cannot be used. */
export const UNAVAILABLE: GovgateErrorCode = 'STORE_UNAVAILABLE';
/** The ledger cannot be written or read. */
export const LEDGER_UNAVAILABLE: GovgateErrorCode = 'LEDGER_UNAVAILABLE';

/** Postgres SQLSTATEs that mean the schema is not (fully) migrated. */
const NOT_MIGRATED = new Set([
  '42P01', // undefined_table
  '42703', // undefined_column
  '3F000', // invalid_schema_name
  '42883', // undefined_function
]);

/** The SQLSTATE of a postgres.js error (also when drizzle wrapped it), if any. */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  let current: unknown = error;
  // drizzle wraps the driver's error in "Failed query: …"; the driver's says why.
  while (typeof current === 'object' && current !== null && 'cause' in current) {
    const cause = (current as { cause?: unknown }).cause;
    if (cause === undefined || cause === null) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}

/**
 * Wraps a driver error in a GovgateError with context and the original as `cause`.
 * A GovgateError passes through unchanged; a missing table or column says to run
 * the migrations rather than showing the SQL error.
 */
export function wrapError(
  error: unknown,
  context: string,
  code: GovgateErrorCode = UNAVAILABLE,
): GovgateError {
  if (GovgateError.is(error)) return error;
  const state = sqlState(error);
  if (state !== undefined && NOT_MIGRATED.has(state))
    return new GovgateError(
      code,
      `${context}: the database schema is not migrated; run the migrations ` +
        '(`govgate migrate`, or migrate() of @govgate/adapter-postgres) and retry',
      { cause: error },
    );
  return new GovgateError(code, `${context}: ${messageOf(error)}`, { cause: error });
}

/** Runs `work`, wrapping whatever it throws (see wrapError). */
export async function guarded<T>(
  context: string,
  work: () => Promise<T>,
  code: GovgateErrorCode = UNAVAILABLE,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw wrapError(error, context, code);
  }
}

export const UNIQUE_VIOLATION = '23505';
