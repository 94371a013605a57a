import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `opa build -t wasm -e <entrypoint>… <source>` with the user's own opa binary, as the
 * README tells users to compile a policy; returns bundle.tar.gz. For the tests and the
 * benchmark that need a real compiled policy (there is no opa binary on the build
 * machines: they run only when GOVGATE_OPA_BIN names one).
 */
export function opaBuild(opa: string, source: string, entrypoints: readonly string[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'govgate-opa-'));
  try {
    const out = join(dir, 'bundle.tar.gz');
    execFileSync(
      opa,
      ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', out, source],
      { stdio: 'pipe' },
    );
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
