import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, startService, type RunningService } from '@govgate/http-express';
import { main, type MainOptions } from '../main.js';

/** The workspace root (tests run with it as the working directory). */
export const WORKSPACE = resolve(__dirname, '..', '..', '..', '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `govgate <args>` in-process with captured output and only the given environment. */
export async function runCli(
  args: readonly string[],
  options: Omit<MainOptions, 'stdout' | 'stderr'> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'govgate', ...args], {
    env: { GOVGATE_LOG_LEVEL: 'silent' },
    cwd: WORKSPACE,
    interactive: false,
    ...options,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

export interface TempDir {
  readonly dir: string;
  remove(): void;
}

export function tempDir(prefix = 'govgate-cli-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The service on `dataDir`, in this process, on a free port, quiet. */
export async function startQuietService(dataDir: string): Promise<RunningService> {
  const { config } = loadConfig({
    GOVGATE_DATA_DIR: dataDir,
    GOVGATE_BIND: '127.0.0.1:0',
    GOVGATE_LOG_LEVEL: 'silent',
  });
  return startService(config, { announce: () => undefined, drainTimeoutMs: 1_000 });
}
