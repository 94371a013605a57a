import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningService } from '@govgate/http-express';
import { runCli, startQuietService, tempDir, type TempDir } from '../testing/harness.js';

// The CLI changes keys in the store while the service runs on the same data dir.
let data: TempDir;
let service: RunningService;

beforeAll(async () => {
  data = tempDir();
  service = await startQuietService(data.dir);
});
afterAll(async () => {
  await service.stop();
  data.remove();
});

const keys = (...args: string[]) => runCli(['keys', ...args, '--data-dir', data.dir]);

async function usageStatus(key: string): Promise<number> {
  const res = await fetch(`${service.url}/v1/usage`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await res.arrayBuffer();
  return res.status;
}

const idOf = (key: string): string => key.split('_')[1] ?? '';

describe('govgate keys, while the service runs', () => {
  it('creates a key that the running service accepts', async () => {
    const run = await keys('create', '--role', 'client', '--name', 'ci');
    expect(run.code).toBe(0);
    const key = run.stdout.trim();
    expect(key).toMatch(/^ggk_[a-z0-9]+_\S+$/);
    expect(run.stderr).toContain('not shown again');
    expect(run.stderr).toContain(
      'a running govgate service holds the ledger, so this change is not recorded',
    );
    expect(await usageStatus(key)).toBe(200);
  });

  it('creates a key with a rate limit and an expiry, as JSON', async () => {
    const run = await keys(
      'create',
      '--role',
      'auditor',
      '--name',
      'audit',
      '--rate-limit',
      '10/60s',
      '--expires-at',
      '2099-01-01T00:00:00Z',
      '--json',
    );
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      role: 'auditor',
      name: 'audit',
      tenant: 'default',
      status: 'active',
      rateLimit: { capacity: 10, perSeconds: 60 },
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(typeof body.key).toBe('string');
    expect(body).not.toHaveProperty('secretHash');
  });

  it('lists keys as a table and as JSON, never with secrets', async () => {
    const created = (await keys('create', '--role', 'client', '--name', 'listed')).stdout.trim();
    const table = await keys('list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+ROLE\s+STATUS/);
    expect(table.stdout).toContain(idOf(created));
    expect(table.stdout).toContain('first-start admin');
    const listed = await keys('list', '--json');
    const records = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(records.map((r) => r.id)).toContain(idOf(created));
    expect(listed.stdout).not.toMatch(/secretHash|ggk_/);
  });

  it('rotates a key: the new secret works and the old one during the grace period', async () => {
    const old = (await keys('create', '--role', 'client', '--name', 'rotating')).stdout.trim();
    const run = await keys('rotate', idOf(old), '--grace-seconds', '600');
    expect(run.code).toBe(0);
    const fresh = run.stdout.trim();
    expect(fresh).not.toBe(old);
    expect(idOf(fresh)).toBe(idOf(old));
    expect(run.stderr).toContain('the previous secret is valid until');
    expect(await usageStatus(fresh)).toBe(200);
    expect(await usageStatus(old)).toBe(200);
  });

  it('revokes a key: the service refuses it at once', async () => {
    const key = (await keys('create', '--role', 'client', '--name', 'doomed')).stdout.trim();
    expect(await usageStatus(key)).toBe(200);
    const run = await keys('revoke', idOf(key));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`revoked key ${idOf(key)}`);
    expect(await usageStatus(key)).toBe(401);
    const listed = JSON.parse((await keys('list', '--json')).stdout) as {
      id: string;
      status: string;
    }[];
    expect(listed.find((r) => r.id === idOf(key))?.status).toBe('revoked');
  });

  it('fails with the error code for a key that does not exist', async () => {
    const run = await keys('revoke', 'nosuchkey0000000');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: KEY_INVALID: no key 'nosuchkey0000000'\n");
  });

  it('fails with the error code and its details for a tenant that does not exist', async () => {
    const run = await keys('create', '--role', 'client', '--name', 'x', '--tenant', 'nobody');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: TENANT_INVALID: no tenant 'nobody'\n  /tenant: must name an existing tenant\n",
    );
  });
});

describe('govgate keys, with the service stopped', () => {
  it('records each change in the tenant ledger, naming the CLI as the actor', async () => {
    const stopped = tempDir();
    try {
      await (await startQuietService(stopped.dir)).stop(); // first start: tenant, policy, admin key
      const run = (...args: string[]) => runCli(['keys', ...args, '--data-dir', stopped.dir]);
      const made = await run('create', '--role', 'client', '--name', 'recorded');
      expect(made.code).toBe(0);
      expect(made.stderr).not.toContain('warning');
      const id = idOf(made.stdout.trim());
      expect((await run('rotate', id)).code).toBe(0);
      expect((await run('revoke', id)).code).toBe(0);

      const again = await startQuietService(stopped.dir);
      try {
        const admin = readFileSync(join(stopped.dir, 'admin-key'), 'utf8').trim();
        const res = await fetch(`${again.url}/v1/ledger/entries?from=1&limit=100`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        const body = (await res.json()) as {
          entries: { entry: { type: string; subject?: string; actor: string } }[];
        };
        const events = body.entries.map((e) => e.entry).filter((e) => e.subject === id);
        expect(events.map((e) => e.type)).toEqual(['key.created', 'key.rotated', 'key.revoked']);
        for (const event of events) expect(event.actor).toMatch(/^cli(:.+)?$/);
      } finally {
        await again.stop();
      }
    } finally {
      stopped.remove();
    }
  });
});
