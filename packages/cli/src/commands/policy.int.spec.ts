import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli, tempDir, type TempDir } from '../testing/harness.js';

const POLICY = `id: pii-guard
version: 1
threshold: 50
rules:
  - id: personal_data
    when: { path: metadata.contains_personal_data, equals: true }
    effect: score
    weight: 70
    reason: contains_personal_data
`;

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

function write(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('govgate policy validate', () => {
  it('accepts a valid policy', async () => {
    const file = write('policy.yaml', POLICY);
    const run = await runCli(['policy', 'validate', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("valid policy 'pii-guard' v1, 1 rule");
  });

  it('prints every problem with its JSON pointer and exits 1', async () => {
    const file = write(
      'bad.json',
      JSON.stringify({
        id: 'bad',
        version: 0,
        threshold: 50,
        rules: [
          {
            id: 'a',
            when: { path: 'nowhere.x', equals: 1 },
            effect: 'block',
            weight: 10,
            reason: 'r',
          },
          {
            id: 'a',
            when: { path: 'model', equals: 'x' },
            effect: 'explode',
            weight: 10,
            reason: 'r',
          },
        ],
      }),
    );
    const run = await runCli(['policy', 'validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ .*bad\.json: \d+ problems/);
    expect(run.stdout).toContain('  /version: ');
    expect(run.stdout).toContain('  /rules/0/when/path: ');
    expect(run.stdout).toContain('  /rules/1/id: ');
    expect(run.stdout).toContain('  /rules/1/effect: ');
  });

  it('reports text that is not YAML at the document root', async () => {
    const file = write('broken.yaml', 'id: [unclosed\n');
    const run = await runCli(['policy', 'validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\n {2}\/: /);
  });

  it('fails clearly on a missing file', async () => {
    const run = await runCli(['policy', 'validate', join(tmp.dir, 'nope.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot read '.*nope\.yaml': ENOENT/);
  });
});

describe('govgate policy test', () => {
  it('shows a failing case with what differed, and exits 1', async () => {
    write('policy.yaml', POLICY);
    write(
      'pii.test.yaml',
      `policy: ./policy.yaml
cases:
  - name: personal data is blocked
    request: { model: m, operation: chat, metadata: { contains_personal_data: true } }
    expect: { allowed: false, riskScore: 70 }
  - name: wrongly expects personal data to pass
    request: { model: m, operation: chat, metadata: { contains_personal_data: true } }
    expect: { allowed: true }
`,
    );
    const run = await runCli(['policy', 'test', tmp.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  ✓ personal data is blocked');
    expect(run.stdout).toContain('  ✗ wrongly expects personal data to pass');
    expect(run.stdout).toContain('allowed: expected true, got false');
    expect(run.stdout).toContain('blocked, risk score 70');
    expect(run.stdout).toContain('cases: 1 failed, 1 passed, 2 total (1 file)');
  });

  it('resolves the policy relative to the test file, not the working directory', async () => {
    write('policy.yaml', POLICY);
    mkdirSync(join(tmp.dir, 'tests'));
    const file = write(
      'tests/one.test.json',
      JSON.stringify({
        policy: '../policy.yaml',
        cases: [
          {
            name: 'plain request passes',
            request: { model: 'm', operation: 'o', metadata: {} },
            expect: { allowed: true },
          },
        ],
      }),
    );
    const run = await runCli(['policy', 'test', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cases: 1 passed, 1 total (1 file)');
  });

  it('counts an invalid test file as a failure and names the problem', async () => {
    write(
      'missing-policy.test.yaml',
      'policy: ./absent.yaml\ncases:\n  - { name: x, request: {}, expect: { allowed: true } }\n',
    );
    write('bad-shape.test.yaml', 'policy: ./absent.yaml\ncases: []\n');
    const run = await runCli(['policy', 'test', tmp.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("cannot read the policy './absent.yaml'");
    expect(run.stdout).toContain('POLICY_TEST_INVALID');
    expect(run.stdout).toContain('/cases: ');
    expect(run.stdout).toContain('(2 files, 2 invalid)');
  });

  it('fails on a directory without test files', async () => {
    const run = await runCli(['policy', 'test', tmp.dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no policy test files');
  });
});
