import { isAbsolute, resolve } from 'node:path';
import { createValidator, type RateLimitSpec } from '@govgate/core';

export type Environment = 'dev' | 'staging' | 'prod';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Where the stores live: the embedded SQLite file, or a Postgres database. */
export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** Where the ledger lives: segment files in a directory, or a Postgres database. */
export type LedgerConfig =
  | { readonly kind: 'fs'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** The validated service configuration (see `loadConfig`). */
export interface ServiceConfig {
  readonly env: Environment;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly store: StoreConfig;
  readonly ledger: LedgerConfig;
  readonly autoMigrate: boolean;
  readonly logLevel: LogLevel;
  /** A PEM Ed25519 private key, or a file holding one; unset: generated in the data dir. */
  readonly signingKey?: string;
  readonly bodyLimitBytes: number;
  readonly rateLimit: RateLimitSpec;
}

/** Every variable the service reads, with what it means (also the `serve --help` text). */
export const CONFIG_VARIABLES = {
  GOVGATE_ENV: 'dev | staging | prod (default dev)',
  GOVGATE_DATA_DIR: 'data directory: SQLite file, file ledger, first-start key (default ./data)',
  GOVGATE_BIND: 'host:port to listen on (default 127.0.0.1:8088)',
  GOVGATE_DATABASE_URL: 'postgres://… to keep the stores (and the ledger) in Postgres',
  GOVGATE_LEDGER_URL: 'postgres://… or file:<dir>: the ledger apart from the stores',
  GOVGATE_AUTO_MIGRATE: 'true | false: apply pending migrations at start (default true in dev)',
  GOVGATE_LOG_LEVEL: 'trace | debug | info | warn | error | fatal | silent (default info)',
  GOVGATE_SIGNING_KEY: 'Ed25519 private key (PEM, or a path to a PEM file) for checkpoints',
  GOVGATE_BODY_LIMIT: 'largest request body: bytes, or with kb / mb (default 1mb)',
  GOVGATE_RATE_LIMIT: 'default per-key rate limit, <count>/<seconds>s (default 100/60s)',
} as const;
export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

/** Variables that are not configuration but share the prefix (test and tool settings). */
const NOT_CONFIG = /^GOVGATE_(TEST_|OPA_BIN$|BENCH_)/;

const BIND = '^(?:\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$';
const SIZE = '^[0-9]{1,10}(?:b|kb|mb)?$';
const RATE = '^[0-9]{1,9}/[0-9]{1,7}s$';
const POSTGRES_URL = '^postgres(?:ql)?://';

const envSchema = {
  type: 'object',
  properties: {
    GOVGATE_ENV: { enum: ['dev', 'staging', 'prod'] },
    GOVGATE_DATA_DIR: { type: 'string', minLength: 1, maxLength: 4096 },
    GOVGATE_BIND: { type: 'string', pattern: BIND },
    GOVGATE_DATABASE_URL: { type: 'string', pattern: POSTGRES_URL },
    GOVGATE_LEDGER_URL: { type: 'string', pattern: `${POSTGRES_URL}|^file:.+` },
    GOVGATE_AUTO_MIGRATE: { enum: ['true', 'false', '1', '0'] },
    GOVGATE_LOG_LEVEL: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
    GOVGATE_SIGNING_KEY: { type: 'string', minLength: 1 },
    GOVGATE_BODY_LIMIT: { type: 'string', pattern: SIZE },
    GOVGATE_RATE_LIMIT: { type: 'string', pattern: RATE },
  },
} as const;
const validateEnv = createValidator<Partial<Record<ConfigVariable, string>>>(envSchema);

const PATTERN_HINTS: Readonly<Record<string, string>> = {
  GOVGATE_BIND: 'must be host:port, e.g. 127.0.0.1:8088 or [::1]:8088',
  GOVGATE_DATABASE_URL: 'must be a postgres:// or postgresql:// connection string',
  GOVGATE_LEDGER_URL: 'must be a postgres:// connection string or file:<directory>',
  GOVGATE_BODY_LIMIT: 'must be a size such as 1048576, 512kb or 1mb',
  GOVGATE_RATE_LIMIT: 'must be <count>/<seconds>s, e.g. 100/60s',
};

/** A configuration problem: names the variable, so the operator knows what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

function parseSize(text: string): number {
  const match = /^([0-9]+)(b|kb|mb)?$/.exec(text);
  const n = Number(match?.[1]);
  const unit = match?.[2] ?? 'b';
  return n * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/** Parses `<count>/<seconds>s`; undefined when it is not one. */
export function parseRateLimit(text: string): RateLimitSpec | undefined {
  const match = /^([0-9]{1,9})\/([0-9]{1,7})s$/.exec(text);
  if (match === null) return undefined;
  const capacity = Number(match[1]);
  const perSeconds = Number(match[2]);
  if (capacity < 1 || perSeconds < 1) return undefined;
  return { capacity, perSeconds };
}

function parseBind(text: string, variable: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(at + 1));
  if (!Number.isInteger(port) || port > 65535)
    throw new ConfigError(variable, `port ${text.slice(at + 1)} is not within 0..65535`);
  return { host, port };
}

/**
 * Reads and validates the `GOVGATE_*` variables. Every problem throws a ConfigError
 * naming the variable, before anything is opened or bound. Unknown `GOVGATE_*`
 * names are returned as warnings (a typo must not go unnoticed).
 *
 * @example
 * const { config, warnings } = loadConfig(process.env);
 * // config.store: { kind: 'sqlite', file: '/srv/govgate/data/govgate.db' }
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): { config: ServiceConfig; warnings: string[] } {
  const raw: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('GOVGATE_') || value === undefined) continue;
    if (name in CONFIG_VARIABLES) {
      if (value.trim() !== '') raw[name] = value.trim();
    } else if (!NOT_CONFIG.test(name)) {
      warnings.push(`${name} is not a govgate setting and is ignored`);
    }
  }
  const checked = validateEnv(raw);
  if (!checked.ok) {
    const first = checked.errors[0];
    const variable = first?.pointer.slice(1) ?? 'GOVGATE_*';
    const message = PATTERN_HINTS[variable] ?? first?.message ?? 'is invalid';
    throw new ConfigError(variable, message);
  }
  const v = checked.value;
  const env_ = (v.GOVGATE_ENV ?? 'dev') as Environment;
  const dataDir = resolve(cwd, v.GOVGATE_DATA_DIR ?? 'data');
  const { host, port } = parseBind(v.GOVGATE_BIND ?? '127.0.0.1:8088', 'GOVGATE_BIND');
  const store: StoreConfig =
    v.GOVGATE_DATABASE_URL === undefined
      ? { kind: 'sqlite', file: resolve(dataDir, 'govgate.db') }
      : { kind: 'postgres', url: v.GOVGATE_DATABASE_URL };
  let ledger: LedgerConfig;
  if (v.GOVGATE_LEDGER_URL?.startsWith('file:') === true) {
    const path = decodeURIComponent(
      v.GOVGATE_LEDGER_URL.slice('file:'.length).replace(/^\/\//, ''),
    );
    if (!isAbsolute(path) && env_ === 'prod')
      throw new ConfigError('GOVGATE_LEDGER_URL', 'must name an absolute directory in prod');
    ledger = { kind: 'fs', dir: resolve(cwd, path) };
  } else if (v.GOVGATE_LEDGER_URL !== undefined) {
    ledger = { kind: 'postgres', url: v.GOVGATE_LEDGER_URL };
  } else if (store.kind === 'postgres') {
    // N instances on one Postgres: the chains must be shared too.
    ledger = { kind: 'postgres', url: store.url };
  } else {
    ledger = { kind: 'fs', dir: resolve(dataDir, 'ledger') };
  }
  const bodyLimitBytes = parseSize(v.GOVGATE_BODY_LIMIT ?? '1mb');
  if (bodyLimitBytes < 1024 || bodyLimitBytes > 64 * 1024 * 1024)
    throw new ConfigError('GOVGATE_BODY_LIMIT', 'must be between 1kb and 64mb');
  const rateLimit = parseRateLimit(v.GOVGATE_RATE_LIMIT ?? '100/60s');
  if (rateLimit === undefined)
    throw new ConfigError('GOVGATE_RATE_LIMIT', 'count and seconds must both be at least 1');
  const autoMigrate =
    v.GOVGATE_AUTO_MIGRATE === undefined
      ? env_ === 'dev'
      : v.GOVGATE_AUTO_MIGRATE === 'true' || v.GOVGATE_AUTO_MIGRATE === '1';

  if (env_ === 'prod') {
    if (v.GOVGATE_SIGNING_KEY === undefined)
      throw new ConfigError(
        'GOVGATE_SIGNING_KEY',
        'must be set in prod (checkpoints are signed with it; a generated key would not be managed)',
      );
    if (
      ledger.kind === 'fs' &&
      v.GOVGATE_LEDGER_URL === undefined &&
      (v.GOVGATE_DATA_DIR === undefined || !isAbsolute(v.GOVGATE_DATA_DIR))
    )
      throw new ConfigError(
        'GOVGATE_DATA_DIR',
        'must be set to an absolute directory in prod, or GOVGATE_LEDGER_URL must name the ledger: the ledger needs a durable location',
      );
  }
  const config: ServiceConfig = {
    env: env_,
    dataDir,
    host,
    port,
    store,
    ledger,
    autoMigrate,
    logLevel: (v.GOVGATE_LOG_LEVEL ?? 'info') as LogLevel,
    ...(v.GOVGATE_SIGNING_KEY === undefined ? {} : { signingKey: v.GOVGATE_SIGNING_KEY }),
    bodyLimitBytes,
    rateLimit,
  };
  return { config, warnings };
}
