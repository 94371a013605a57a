import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli, tempDir, type TempDir } from '../testing/harness.js';

let data: TempDir;
beforeEach(() => {
  data = tempDir();
});
afterEach(() => data.remove());

// Auto-migration off, as in staging and prod: only `migrate` changes the schema.
const migrate = (...args: string[]) =>
  runCli(['migrate', ...args, '--data-dir', data.dir], {
    env: { GOVGATE_LOG_LEVEL: 'silent', GOVGATE_AUTO_MIGRATE: 'false' },
  });

describe('govgate migrate', () => {
  it('reports pending migrations with --status and exits 1', async () => {
    const run = await migrate('--status');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^store \(SQLite .*govgate\.db\): \d+ pending: 0000_/);
  });

  it('applies pending migrations, then reports them up to date', async () => {
    const applied = await migrate();
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/store \(SQLite .*\): applied 0000_/);
    expect(applied.stdout).toMatch(/up to date \(\d+ applied\)/);
    const status = await migrate('--status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('up to date');
    const again = await migrate();
    expect(again.stdout).toContain('nothing to apply');
  });
});
