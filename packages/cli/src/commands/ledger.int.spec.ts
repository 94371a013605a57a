import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunningService } from '@govgate/http-express';
import { runCli, startQuietService, tempDir, type TempDir } from '../testing/harness.js';

let data: TempDir;
let service: RunningService | undefined;

beforeEach(async () => {
  data = tempDir();
  // First start: tenant `default`, its seed policy saved and activated (two entries).
  service = await startQuietService(data.dir);
});
afterEach(async () => {
  await service?.stop();
  data.remove();
});

async function stopService(): Promise<void> {
  await service?.stop();
  service = undefined;
}

const ledger = (...args: string[]) => runCli(['ledger', ...args, '--data-dir', data.dir]);

/** Changes one character inside the `data` of entry `seq` (line `seq` of the first segment). */
function corruptEntry(seq: number): void {
  const file = join(data.dir, 'ledger', 'default', '00000001.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines[seq - 1] ?? '';
  const start = line.indexOf('"data":{') + '"data":{'.length;
  const at = line.slice(start).search(/[a-z]/) + start;
  lines[seq - 1] = line.slice(0, at) + (line[at] === 'x' ? 'y' : 'x') + line.slice(at + 1);
  writeFileSync(file, lines.join('\n'));
}

describe('govgate ledger verify', () => {
  it('verifies the chain read-only while the service runs', async () => {
    const run = await ledger('verify');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ledger verified: OK');
    expect(run.stdout).toContain('entries checked: 3 (head: 3)');
  });

  it('prints the report as JSON and checks canonical form with --deep', async () => {
    const run = await ledger('verify', '--deep', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ tenant: 'default', ok: true, checked: 3 });
  });

  it('exits 1 naming the first bad seq and the kind when an entry was changed', async () => {
    await stopService();
    corruptEntry(2);
    const run = await ledger('verify');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ledger verification FAILED at seq 2: hash_mismatch');
    expect(run.stdout).toContain('default/00000001.jsonl:2');
    expect(run.stdout).toContain('entries checked: 1');
    expect(run.stderr).toContain('broken at seq 2 (hash_mismatch)');
  });

  it('refuses a tenant that does not exist', async () => {
    const run = await ledger('verify', '--tenant', 'ghost');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("TENANT_INVALID: no tenant 'ghost'");
  });
});

describe('govgate ledger checkpoint', () => {
  it('says clearly that the running service holds the ledger, and exits 1', async () => {
    const run = await ledger('checkpoint');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LEDGER_LOCKED: the running govgate service holds the ledger');
    expect(run.stderr).toContain('POST /v1/ledger/checkpoint');
    expect(run.stdout).toBe('');
  });

  it('signs and appends a checkpoint when no service runs', async () => {
    await stopService();
    const run = await ledger('checkpoint');
    expect(run.code).toBe(0);
    const checkpoint = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(checkpoint).toMatchObject({ tenant: 'default', size: 3 });
    expect(checkpoint.signature).toEqual(expect.any(String));
    const verified = await ledger('verify');
    expect(verified.stdout).toContain('entries checked: 4 (head: 4)');
  });
});

describe('govgate ledger prove', () => {
  it('prints an inclusion proof it has checked', async () => {
    const run = await ledger('prove', '--seq', '1');
    expect(run.code).toBe(0);
    const proof = JSON.parse(run.stdout) as { seq: number; size: number; path: string[] };
    expect(proof).toMatchObject({ tenant: 'default', seq: 1, size: 3 });
    expect(proof.path).toHaveLength(2);
    expect(run.stderr).toContain('✓ entry 1 is included in the tree of 3 entries');
  });

  it('proves inclusion in an earlier tree with --size', async () => {
    const run = await ledger('prove', '--seq', '1', '--size', '1');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ seq: 1, size: 1, path: [] });
  });

  it('prints a consistency proof it has checked', async () => {
    const run = await ledger('prove', '--from', '1', '--to', '2');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ tenant: 'default', from: 1, to: 2 });
    expect(run.stderr).toContain('✓ the tree of 1 entries is a prefix of the tree of 2 entries');
  });

  it('fails with LEDGER_RANGE for a seq past the head', async () => {
    const run = await ledger('prove', '--seq', '99');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: LEDGER_RANGE: /);
  });
});
