import { GovgateError } from '@govgate/core';
import postgres from 'postgres';
import { UNAVAILABLE } from './errors.js';

/** A postgres.js client (a pool of connections). */
export type Sql = postgres.Sql;

/** How to reach Postgres: one client per setting. */
export interface PostgresConnectOptions {
  /** Connection string of the database for everything but the ledger (and the ledger too without `ledgerUrl`). */
  readonly url: string;
  /** Connection string of a separate ledger database (the audit wall on its own instance). */
  readonly ledgerUrl?: string;
  /** How errors name the two settings (default `url` and `ledgerUrl`), e.g. `GOVGATE_DATABASE_URL`. */
  readonly settingNames?: { readonly url?: string; readonly ledgerUrl?: string };
  /** Most connections per client (default 10). */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection before failing (default 10). */
  readonly connectTimeoutSeconds?: number;
}

/** A connection string with its password replaced by `***`, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Unparseable: hide anything between the scheme's `//user:` and `@`.
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Checks a connection string's form; GovgateError naming the setting when it is malformed. */
export function checkUrl(url: unknown, setting: string): string {
  const fail = (why: string): never => {
    throw new GovgateError(
      UNAVAILABLE,
      `${setting} is not a valid Postgres connection string (${why}): '${maskUrl(String(url))}'`,
      { details: [{ pointer: `/${setting}`, message: why }] },
    );
  };
  if (typeof url !== 'string' || url.length === 0) return fail('it is empty');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('expected postgres://user:password@host:port/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    return fail(`the scheme is '${parsed.protocol}', expected postgres: or postgresql:`);
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) return fail('it names no host');
  return url;
}

/**
 * Opens a client for one setting and makes sure the server answers, so a wrong host,
 * port, database or credential is reported at start, naming the setting.
 */
export async function connect(
  url: string,
  setting: string,
  options: Pick<PostgresConnectOptions, 'maxConnections' | 'connectTimeoutSeconds'> = {},
): Promise<Sql> {
  checkUrl(url, setting);
  let sql: Sql;
  try {
    sql = postgres(url, {
      max: options.maxConnections ?? 10,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      onnotice: () => undefined,
    });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new GovgateError(UNAVAILABLE, `${setting} '${maskUrl(url)}' is not usable: ${why}`, {
      cause,
    });
  }
  try {
    await sql`select 1`;
  } catch (cause) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new GovgateError(
      UNAVAILABLE,
      `cannot connect to Postgres with ${setting} '${maskUrl(url)}': ${why}`,
      { cause },
    );
  }
  return sql;
}
