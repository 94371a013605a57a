import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { runCli, tempDir, WORKSPACE, type TempDir } from './testing/harness.js';

jest.setTimeout(60_000);

let data: TempDir;
beforeEach(() => {
  data = tempDir();
});
afterEach(() => data.remove());

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** `govgate serve` as its own process, run from the sources. */
function spawnServe(env: Record<string, string>): Child {
  const withoutConfig = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('GOVGATE_')),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('packages', 'cli', 'src', 'bin.ts'), 'serve'],
    { cwd: WORKSPACE, env: { ...withoutConfig, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const state: Child = {
    process: child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (chunk: Buffer) => (state.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (state.stderr += chunk.toString()));
  return state;
}

async function waitFor(child: Child, text: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!child.stdout.includes(text)) {
    if (child.process.exitCode !== null)
      throw new Error(`serve exited early:\n${child.stdout}\n${child.stderr}`);
    if (Date.now() > deadline) throw new Error(`no '${text}' in time:\n${child.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('govgate serve', () => {
  it('serves, announces the first-start admin key once, and exits 0 on SIGTERM with a sound ledger', async () => {
    const port = await freePort();
    const child = spawnServe({ GOVGATE_DATA_DIR: data.dir, GOVGATE_BIND: `127.0.0.1:${port}` });
    try {
      await waitFor(child, 'govgate listening');
      const adminKey = /^\s+(ggk_\S+)$/m.exec(child.stdout)?.[1] ?? '';
      expect(adminKey).not.toBe('');
      // also written to the data dir, readable by its owner only
      const keyFile = join(data.dir, 'admin-key');
      expect(readFileSync(keyFile, 'utf8')).toBe(`${adminKey}\n`);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const res = await fetch(`http://127.0.0.1:${port}/v1/usage`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
    } finally {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
    }
    expect(child.stdout).toContain('govgate stopped: ledger flushed and closed');
    expect(existsSync(join(data.dir, 'ledger', 'LOCK'))).toBe(false);
    const verified = await runCli(['ledger', 'verify', '--data-dir', data.dir]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('ledger verified: OK');
  });

  it('stops on SIGINT too, and does not announce the admin key again', async () => {
    const migrated = await runCli(['migrate', '--data-dir', data.dir]);
    expect(migrated.code).toBe(0);
    const port = await freePort();
    const env = { GOVGATE_DATA_DIR: data.dir, GOVGATE_BIND: `127.0.0.1:${port}` };
    const initial = spawnServe(env);
    await waitFor(initial, 'govgate listening');
    initial.process.kill('SIGINT');
    expect(await initial.exited).toBe(0);
    const restarted = spawnServe(env);
    await waitFor(restarted, 'govgate listening');
    restarted.process.kill('SIGINT');
    expect(await restarted.exited).toBe(0);
    expect(initial.stdout).toContain('shown once');
    expect(restarted.stdout).not.toContain('ggk_');
  });

  it('exits 1 naming the variable when GOVGATE_BIND is malformed', async () => {
    const run = await runCli(['serve', '--data-dir', data.dir], {
      env: { GOVGATE_BIND: 'localhost', GOVGATE_LOG_LEVEL: 'silent' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: GOVGATE_BIND: /);
    expect(run.stdout).toBe('');
    expect(existsSync(join(data.dir, 'govgate.db'))).toBe(false);
  });

  it('exits 1 with the reason when the port is taken', async () => {
    const blocker: Server = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const child = spawnServe({
        GOVGATE_DATA_DIR: data.dir,
        GOVGATE_BIND: `127.0.0.1:${port}`,
        GOVGATE_LOG_LEVEL: 'silent',
      });
      expect(await child.exited).toBe(1);
      expect(child.stderr).toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });
});
