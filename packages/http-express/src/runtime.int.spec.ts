import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '@govgate/adapter-sqlite';
import { verifyLedger } from '@govgate/core';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ConfigError } from './config.js';
import { tempDir, testConfig } from './e2e/harness.js';
import { openRuntime } from './runtime.js';

describe('openRuntime', () => {
  const dirs: { remove: () => void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('refuses unapplied migrations without GOVGATE_AUTO_MIGRATE, and leaves nothing open', async () => {
    const data = tempDir();
    dirs.push(data);
    openSqlite({ file: join(data.dir, 'govgate.db') }).close(); // an empty, unmigrated database
    const config = testConfig(data.dir, { GOVGATE_AUTO_MIGRATE: 'false' });
    const error = await openRuntime(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('GOVGATE_AUTO_MIGRATE');
    expect((error as ConfigError).message).toContain('govgate migrate');
    // the ledger lock was not taken: a migrating start succeeds right after
    const runtime = await openRuntime(testConfig(data.dir, { GOVGATE_AUTO_MIGRATE: 'true' }));
    expect((await runtime.readiness()).every((c) => c.ok)).toBe(true);
    await runtime.close();
  });

  it('verifies a long chain on worker threads, with the report it makes alone', async () => {
    const data = tempDir();
    dirs.push(data);
    const runtime = await openRuntime(testConfig(data.dir));
    try {
      for (let from = 0; from < 5000; from += 1000)
        await runtime.ledger.append(
          'default',
          Array.from({ length: 1000 }, (_, n) => ({
            type: 'decision',
            actor: 'spec',
            data: { n: from + n },
          })),
        );
      const alone = await verifyLedger(runtime.ledger, 'default');
      expect(alone).toMatchObject({ ok: true });
      expect(runtime.digester.running).toBe(0);
      expect(await runtime.governance.verify('default')).toEqual(alone);
      expect(runtime.digester.running).toBeGreaterThan(0);
      expect(runtime.digester.workerFailures).toBe(0);
    } finally {
      await runtime.close();
    }
    expect(runtime.digester.running).toBe(0);
  });

  it('in prod refuses a file ledger on tmpfs, naming GOVGATE_LEDGER_URL', async () => {
    const data = tempDir();
    dirs.push(data);
    const shm = mkdtempSync('/dev/shm/govgate-ledger-'); // tmpfs on Linux
    dirs.push({ remove: () => rmSync(shm, { recursive: true, force: true }) });
    const signingKey = join(data.dir, 'signing.pem');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(signingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    const config = testConfig(data.dir, {
      GOVGATE_ENV: 'prod',
      GOVGATE_SIGNING_KEY: signingKey,
      GOVGATE_LEDGER_URL: `file:${join(shm, 'ledger')}`,
      GOVGATE_AUTO_MIGRATE: 'true',
    });
    const error = await openRuntime(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('GOVGATE_LEDGER_URL');
    expect((error as ConfigError).message).toContain('tmpfs');
    expect(existsSync(join(shm, 'ledger'))).toBe(false);
  });

  it('generates a checkpoint signing key once, readable only by its owner', async () => {
    const data = tempDir();
    dirs.push(data);
    const first = await openRuntime(testConfig(data.dir));
    const keyId = first.signer.keyId;
    await first.close();
    const file = join(data.dir, 'signing-key.pem');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await openRuntime(testConfig(data.dir));
    expect(second.signer.keyId).toBe(keyId);
    await second.close();
  });

  it('names GOVGATE_SIGNING_KEY when the key cannot be used', async () => {
    const data = tempDir();
    dirs.push(data);
    const missing = await openRuntime(
      testConfig(data.dir, { GOVGATE_SIGNING_KEY: join(data.dir, 'nope.pem') }),
    ).catch((e: unknown) => e);
    expect((missing as ConfigError).variable).toBe('GOVGATE_SIGNING_KEY');
    const garbage = await openRuntime(
      testConfig(data.dir, {
        GOVGATE_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      }),
    ).catch((e: unknown) => e);
    expect((garbage as ConfigError).variable).toBe('GOVGATE_SIGNING_KEY');
  });
});
