import { createTestDatabase } from '@govgate/adapter-postgres/testing';
import { serviceSuite } from './service-suite.js';
import { TcpProxy, tempDir, testConfig } from './harness.js';

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
