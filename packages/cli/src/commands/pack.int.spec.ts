import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { packFixture } from '../../../core/src/compliance/__fixtures__/compliance.js';
import { USAGE_EXIT_CODE } from '../main.js';
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

  it('refuses a --public-key that is no Ed25519 PEM key as a usage error naming the option, checking nothing', async () => {
    const { pack } = await packFixture();
    writeFileSync(join(dir.dir, 'pack.json'), JSON.stringify(pack));
    writeFileSync(join(dir.dir, 'README.md'), '# govgate\n\nNot a key.\n');
    for (const [key, problem] of [
      ['README.md', 'is not a PEM public key'],
      ['missing.pem', 'cannot read it: ENOENT'],
    ]) {
      const run = await runCli(['pack', 'verify', 'pack.json', '--public-key', key as string], {
        cwd: dir.dir,
      });
      expect([key, run.code]).toEqual([key, USAGE_EXIT_CODE]);
      expect(run.stderr).toContain(`option '--public-key <file>' argument '${key as string}'`);
      expect(run.stderr).toContain(problem);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toContain('pack_signature');
    }
    // the same with a pack that is not there: the key is refused before anything is read
    const run = await runCli(['pack', 'verify', 'nothing.json', '--public-key', 'README.md'], {
      cwd: dir.dir,
    });
    expect(run.code).toBe(USAGE_EXIT_CODE);
    expect(run.stderr).not.toContain('nothing.json');
  });
});
