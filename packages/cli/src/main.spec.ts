import { describe, expect, it } from '@jest/globals';
import { runCli } from './testing/harness.js';

describe('govgate (argument parsing and help)', () => {
  it('lists every command group in --help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const name of ['serve', 'migrate', 'keys', 'policy', 'ledger'])
      expect(run.stdout).toContain(name);
  });

  it.each([
    [
      ['keys', '--help'],
      ['create', 'list', 'rotate', 'revoke'],
    ],
    [
      ['policy', '--help'],
      ['validate', 'test'],
    ],
    [
      ['ledger', '--help'],
      ['verify', 'checkpoint', 'prove'],
    ],
    [
      ['serve', '--help'],
      ['--data-dir', 'GOVGATE_BIND', 'GOVGATE_DATABASE_URL'],
    ],
    [
      ['migrate', '--help'],
      ['--status', '--data-dir'],
    ],
    [
      ['keys', 'create', '--help'],
      ['--role', '--name', '--tenant', '--rate-limit', '--expires-at'],
    ],
    [
      ['keys', 'list', '--help'],
      ['--tenant', '--json'],
    ],
    [
      ['keys', 'rotate', '--help'],
      ['<id>', '--grace-seconds'],
    ],
    [['keys', 'revoke', '--help'], ['<id>']],
    [['policy', 'validate', '--help'], ['<file>']],
    [['policy', 'test', '--help'], ['<paths...>']],
    [
      ['ledger', 'verify', '--help'],
      ['--tenant', '--deep'],
    ],
    [['ledger', 'checkpoint', '--help'], ['--tenant']],
    [
      ['ledger', 'prove', '--help'],
      ['--seq', '--size', '--from', '--to'],
    ],
  ])('explains %j', async (args, words) => {
    const run = await runCli(args);
    expect(run.code).toBe(0);
    for (const word of words) expect(run.stdout).toContain(word);
  });

  it('prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });

  it('refuses an unknown option with exit code 2', async () => {
    const run = await runCli(['ledger', 'verify', '--fast']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--fast'");
  });

  it('shows the group help with exit code 2 when the subcommand is missing', async () => {
    const run = await runCli(['keys']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('create');
  });

  it('refuses a role that does not exist before opening anything', async () => {
    const run = await runCli(['keys', 'create', '--role', 'boss', '--name', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('admin, client, auditor');
  });

  it('refuses a malformed rate limit', async () => {
    const run = await runCli([
      'keys',
      'create',
      '--role',
      'client',
      '--name',
      'x',
      '--rate-limit',
      'lots',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('<count>/<seconds>s');
  });

  it('asks for exactly one kind of proof', async () => {
    const neither = await runCli(['ledger', 'prove']);
    const both = await runCli(['ledger', 'prove', '--seq', '1', '--from', '1']);
    expect([neither.code, both.code]).toEqual([2, 2]);
    expect(neither.stderr).toContain('--seq <n>');
  });

  it('refuses a seq that is not a positive whole number', async () => {
    const run = await runCli(['ledger', 'prove', '--seq', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('at least 1');
  });
});

describe('govgate policy (example policies)', () => {
  it('passes every case of examples/policies', async () => {
    const run = await runCli(['policy', 'test', 'examples/policies']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('examples/policies/default.test.yaml (policy default v1)');
    expect(run.stdout).toMatch(/✓ personal data alone is blocked/);
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout).toMatch(/cases: \d+ passed, \d+ total \(3 files\)/);
  });

  it('validates an example policy', async () => {
    const run = await runCli(['policy', 'validate', 'examples/policies/agent-tools.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✓ examples\/policies\/agent-tools\.yaml: valid policy/);
  });
});
