import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

// jest runs the tests as CommonJS, where __dirname is defined.
/** The repository root: tsx reads its tsconfig there, mapping `@govgate/*` to sources. */
const ROOT = resolve(__dirname, '../../../..');
const CHILD = join(__dirname, 'child.ts');

/** Starts `child.ts <mode> <dir>` in a fresh Node process running TypeScript through tsx. */
export function spawnChild(mode: 'append' | 'hold' | 'open', dir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Everything a child prints, once it has exited. */
export function outputOf(child: ChildProcess): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ stdout, code }));
  });
}
