import { join } from 'node:path';
import { freezeDirectory, serviceSuite } from './service-suite.js';
import { tempDir, testConfig } from './harness.js';

// SQLite store + file ledger: the zero-config default.
serviceSuite('SQLite + file ledger', () => {
  const data = tempDir();
  const config = testConfig(data.dir);
  let thaw: (() => void) | undefined;
  return Promise.resolve({
    config,
    outage: {
      check: 'ledger' as const,
      cut: () => {
        thaw = freezeDirectory(join(data.dir, 'ledger'));
        return Promise.resolve();
      },
      restore: () => {
        thaw?.();
        return Promise.resolve();
      },
    },
    isolated: () => {
      const other = tempDir();
      return Promise.resolve({
        config: testConfig(other.dir),
        cleanup: () => Promise.resolve(other.remove()),
      });
    },
    cleanup: () => Promise.resolve(data.remove()),
  });
});
