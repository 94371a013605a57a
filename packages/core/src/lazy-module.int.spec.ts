import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const here = __dirname;
const coreIndex = pathToFileURL(join(here, 'index.ts')).href;

/** Runs an ES module script in a fresh node (sources through tsx) and returns its stdout. */
function run(script: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: join(here, '..'),
    encoding: 'utf8',
  });
}

describe('lazyModule', () => {
  it('given core imported, when nothing is validated or parsed, then neither ajv nor yaml is loaded; using them loads them', () => {
    const out = run(`
      import { createRequire } from 'node:module';
      const loaded = () => {
        const cache = Object.keys(createRequire(import.meta.url).cache);
        return ['/ajv/', '/yaml/'].map((m) => cache.some((k) => k.includes(m)));
      };
      const core = await import(${JSON.stringify(coreIndex)});
      const before = loaded();
      core.verifyLedger; core.REGULATION_CATALOGS[0].controls.length; // what a verify-only process touches
      const touched = loaded();
      core.parseDocumentText('a: 1', 'yaml');
      const afterYaml = loaded();
      const checked = core.validatePolicyDocument({ id: 'p' });
      console.log(JSON.stringify({ before, touched, afterYaml, after: loaded(), ok: checked.ok }));
    `);
    expect(JSON.parse(out)).toEqual({
      before: [false, false],
      touched: [false, false],
      afterYaml: [false, true],
      after: [true, true],
      ok: false,
    });
  }, 60_000);
});
