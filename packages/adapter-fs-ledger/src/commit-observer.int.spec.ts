import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FsLedger } from './fs-ledger.js';

describe('FsLedger onCommit', () => {
  it('reports every durable batch with its entry count, adding up to everything appended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'govgate-commits-'));
    const commits: number[] = [];
    const ledger = await FsLedger.open({ dir, onCommit: (n) => commits.push(n) });
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          ledger.append('acme', [
            { type: 'decision', actor: 'k', data: { i } },
            { type: 'decision', actor: 'k', data: { i, second: true } },
          ]),
        ),
      );
      expect(commits.reduce((a, b) => a + b, 0)).toBe(80);
      expect(commits.length).toBeLessThan(40); // grouped, not one sync per call
    } finally {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
