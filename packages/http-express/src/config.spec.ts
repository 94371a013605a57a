import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

function problemOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the zero-config default: SQLite and a file ledger in ./data, 127.0.0.1:8088', () => {
    const { config, warnings } = loadConfig({}, '/srv');
    expect(config).toMatchObject({
      env: 'dev',
      dataDir: '/srv/data',
      host: '127.0.0.1',
      port: 8088,
      store: { kind: 'sqlite', file: '/srv/data/govgate.db' },
      ledger: { kind: 'fs', dir: '/srv/data/ledger' },
      autoMigrate: true,
      logLevel: 'info',
      bodyLimitBytes: 1024 * 1024,
      rateLimit: { capacity: 100, perSeconds: 60 },
    });
    expect(warnings).toEqual([]);
  });

  it('keeps the ledger in Postgres with the stores, or where GOVGATE_LEDGER_URL says', () => {
    const url = 'postgres://u:p@db:5432/govgate';
    expect(loadConfig({ GOVGATE_DATABASE_URL: url }, '/srv').config.ledger).toEqual({
      kind: 'postgres',
      url,
    });
    expect(
      loadConfig(
        { GOVGATE_DATABASE_URL: url, GOVGATE_LEDGER_URL: 'postgresql://w@audit/ledger' },
        '/srv',
      ).config.ledger,
    ).toEqual({ kind: 'postgres', url: 'postgresql://w@audit/ledger' });
    expect(
      loadConfig({ GOVGATE_LEDGER_URL: 'file:/var/lib/govgate/ledger' }, '/srv').config.ledger,
    ).toEqual({
      kind: 'fs',
      dir: '/var/lib/govgate/ledger',
    });
  });

  it('parses sizes, rate limits and IPv6 binds', () => {
    const { config } = loadConfig(
      { GOVGATE_BODY_LIMIT: '256kb', GOVGATE_RATE_LIMIT: '5/1s', GOVGATE_BIND: '[::1]:9000' },
      '/srv',
    );
    expect(config).toMatchObject({
      bodyLimitBytes: 256 * 1024,
      rateLimit: { capacity: 5, perSeconds: 1 },
      host: '::1',
      port: 9000,
    });
  });

  it.each([
    ['GOVGATE_BIND', 'localhost'],
    ['GOVGATE_BIND', '127.0.0.1:99999'],
    ['GOVGATE_ENV', 'production'],
    ['GOVGATE_DATABASE_URL', 'mysql://x'],
    ['GOVGATE_LEDGER_URL', 's3://bucket'],
    ['GOVGATE_AUTO_MIGRATE', 'yes'],
    ['GOVGATE_LOG_LEVEL', 'verbose'],
    ['GOVGATE_BODY_LIMIT', '10gb'],
    ['GOVGATE_BODY_LIMIT', '10'],
    ['GOVGATE_RATE_LIMIT', '100 per minute'],
    ['GOVGATE_RATE_LIMIT', '0/60s'],
  ])('refuses %s=%s naming the variable', (variable, value) => {
    const error = problemOf({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('warns about GOVGATE_ variables it does not know (typos), not about test settings', () => {
    const { warnings } = loadConfig(
      {
        GOVGATE_DATA_DRI: '/x',
        GOVGATE_TEST_DATABASE_URL: 'postgres://x',
        GOVGATE_OPA_BIN: '/bin/opa',
      },
      '/srv',
    );
    expect(warnings).toEqual(['GOVGATE_DATA_DRI is not a govgate setting and is ignored']);
  });

  describe('in prod', () => {
    const signing = { GOVGATE_ENV: 'prod', GOVGATE_SIGNING_KEY: '/etc/govgate/signing.pem' };

    it('refuses to start without a signing key', () => {
      expect(
        problemOf({ GOVGATE_ENV: 'prod', GOVGATE_DATA_DIR: '/var/lib/govgate' }).variable,
      ).toBe('GOVGATE_SIGNING_KEY');
    });

    it('refuses a ledger without a durable, explicit location', () => {
      expect(problemOf(signing).variable).toBe('GOVGATE_DATA_DIR');
      expect(problemOf({ ...signing, GOVGATE_DATA_DIR: 'data' }).variable).toBe('GOVGATE_DATA_DIR');
      expect(problemOf({ ...signing, GOVGATE_LEDGER_URL: 'file:ledger' }).variable).toBe(
        'GOVGATE_LEDGER_URL',
      );
    });

    it('starts with an absolute data dir or a Postgres ledger, and does not migrate by default', () => {
      expect(
        loadConfig({ ...signing, GOVGATE_DATA_DIR: '/var/lib/govgate' }, '/srv').config.autoMigrate,
      ).toBe(false);
      expect(
        loadConfig({ ...signing, GOVGATE_DATABASE_URL: 'postgres://db/g' }, '/srv').config.ledger
          .kind,
      ).toBe('postgres');
    });
  });
});
