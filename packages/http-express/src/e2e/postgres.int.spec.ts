import { createTestDatabase } from '@govgate/adapter-postgres/testing';
import { describe, expect, it } from '@jest/globals';
import { serviceSuite } from './service-suite.js';
import { client, start, TcpProxy, tempDir, testConfig } from './harness.js';

// Postgres for the stores and the ledger (the shared, multi-instance mode), reached
// through a TCP proxy that the outage test cuts.
serviceSuite('Postgres', async () => {
  const database = await createTestDatabase({ migrated: false });
  const target = new URL(database.url);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const data = tempDir();
  const config = testConfig(data.dir, { GOVGATE_DATABASE_URL: viaProxy.toString() });
  return {
    config,
    outage: { check: 'store' as const, cut: () => proxy.cut(), restore: () => proxy.restore() },
    isolated: async () => {
      const own = await createTestDatabase({ migrated: false });
      const dir = tempDir();
      return {
        config: testConfig(dir.dir, { GOVGATE_DATABASE_URL: own.url }),
        cleanup: async () => {
          dir.remove();
          await own.drop();
        },
      };
    },
    cleanup: async () => {
      await proxy.cut();
      data.remove();
      await database.drop();
    },
  };
});

describe('two service instances on one Postgres', () => {
  it('share rate-limit buckets and chains', async () => {
    const database = await createTestDatabase({ migrated: false });
    const dirs = [tempDir(), tempDir()];
    const [a, b] = await Promise.all(
      dirs.map((d) => start(testConfig(d.dir, { GOVGATE_DATABASE_URL: database.url }))),
    );
    try {
      const adminKey = (a!.bootstrap.adminKey ?? b!.bootstrap.adminKey) as string;
      expect(adminKey).toBeDefined();
      const made = await client(a!.url, adminKey).post('/v1/admin/keys', {
        role: 'client',
        name: 'shared',
        rateLimit: '3/60s',
      });
      const onA = client(a!.url, made.body.key as string);
      const onB = client(b!.url, made.body.key as string);
      const request = { model: 'm', operation: 'o', metadata: {} };
      const statuses = [
        (await onA.post('/v1/check', request)).status,
        (await onB.post('/v1/check', request)).status,
        (await onA.post('/v1/check', request)).status,
        (await onB.post('/v1/check', request)).status,
      ];
      expect(statuses).toEqual([200, 200, 200, 429]);
      const report = await a!.runtime.governance.verify('default');
      expect(report.ok).toBe(true);
      expect(report.checked).toBe((await b!.runtime.ledger.head('default')).size);
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      for (const d of dirs) d.remove();
      await database.drop();
    }
  }, 60_000);
});
