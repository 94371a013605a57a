import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { verifyLedger } from '@govgate/core';
import { FsLedger } from './fs-ledger.js';
import { outputOf, spawnChild } from './testing/spawn-child.js';

const RUNS = 5;

/** Acknowledged entries per tenant: seq → hash. */
function acknowledged(stdout: string): Map<string, Map<number, string>> {
  const byTenant = new Map<string, Map<number, string>>();
  for (const line of stdout.split('\n')) {
    const [tenant, seq, hash] = line.split(' ');
    // The last line may be cut short by the kill: only whole lines count.
    if (tenant === undefined || seq === undefined || hash?.length !== 64) continue;
    let acks = byTenant.get(tenant);
    if (acks === undefined) byTenant.set(tenant, (acks = new Map<number, string>()));
    acks.set(Number(seq), hash);
  }
  return byTenant;
}

describe('FsLedger crash safety (a writer killed with SIGKILL at a random moment)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it.each(Array.from({ length: RUNS }, (_, n) => [n + 1]))(
    'given a child appending as fast as it can, when it is killed (run %i), then reopening keeps every acknowledged entry and the chains verify',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'govgate-crash-'));
      dirs.push(dir);
      const child = spawnChild('append', dir);
      const output = outputOf(child);
      // Kill at a random moment once the child is appending.
      await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
      child.kill('SIGKILL');
      const { stdout } = await output;

      const acks = acknowledged(stdout);
      expect(acks.size).toBeGreaterThan(0);
      const ledger = await FsLedger.open({ dir });
      // the space the writer had reserved is given back and any torn write cut (a
      // segment whose entries passed segmentMaxBytes has no space reserved: there may be
      // none), and HEAD records that lag the chain are rewritten
      const segments = ledger.openReport.repairs.filter((r) => !r.startsWith('rewrote '));
      for (const repair of segments)
        expect(repair).toMatch(
          /^(released \d+ bytes of space reserved for appends after the entries of|cut \d+ bytes of a write torn by a crash from) \S+\.jsonl$/,
        );
      try {
        for (const [tenant, seqs] of acks) {
          expect(await verifyLedger(ledger, tenant)).toMatchObject({ ok: true });
          const stored = new Map<number, string>();
          for await (const { entry } of ledger.read(tenant)) stored.set(entry.seq, entry.hash);
          const missing = [...seqs].filter(([seq, hash]) => stored.get(seq) !== hash);
          expect(missing).toEqual([]);
        }
      } finally {
        await ledger.close();
      }
    },
    60_000,
  );
});
