import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { packFixture } from '../../../core/src/compliance/__fixtures__/compliance.js';
import { runCli, tempDir } from '../testing/harness.js';

describe('govgate pack verify', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('exits 0 for an intact pack and 1 naming the failure for a changed one', async () => {
    const { pack, publicKeyPem } = await packFixture();
    const key = join(dir.dir, 'key.pem');
    writeFileSync(key, publicKeyPem);
    writeFileSync(join(dir.dir, 'pack.json'), JSON.stringify(pack));
    const ok = await runCli(['pack', 'verify', 'pack.json', '--public-key', key], { cwd: dir.dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('2 entries of run');
    const entries = pack.entries.map((e, i) =>
      i === 0 ? { ...e, bytes: e.bytes.replace('0.93', '0.99') } : e,
    );
    writeFileSync(join(dir.dir, 'tampered.json'), JSON.stringify({ ...pack, entries }));
    const bad = await runCli(['pack', 'verify', 'tampered.json', '--public-key', key], {
      cwd: dir.dir,
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('entry_hash (seq 2)');
    writeFileSync(join(dir.dir, 'broken.json'), '{"schema":');
    const broken = await runCli(['pack', 'verify', 'broken.json', '--public-key', key], {
      cwd: dir.dir,
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not JSON');
  });
});
