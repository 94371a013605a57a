import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  formatOf,
  formatPolicyTestReport,
  parseDocumentText,
  runPolicyTestText,
  type PolicyTestReport,
} from '@govgate/core';

// Every policy test file under examples/policies runs as part of `pnpm test`.
const dir = join(__dirname, 'policies');
const testFiles = readdirSync(dir).filter((f) => /\.test\.(ya?ml|json)$/.test(f));

function run(file: string): PolicyTestReport {
  const path = join(dir, file);
  return runPolicyTestText(readFileSync(path, 'utf8'), formatOf(file), {
    loadPolicy: (ref) => {
      const policyPath = resolve(dirname(path), ref);
      return parseDocumentText(readFileSync(policyPath, 'utf8'), formatOf(policyPath));
    },
  });
}

describe('example policies', () => {
  it('has a test file for each of the three example policies', () => {
    expect(testFiles.sort()).toEqual([
      'agent-tools.test.yaml',
      'default.test.yaml',
      'model-allowlist.test.yaml',
    ]);
  });

  describe.each(testFiles)('%s', (file) => {
    const report = run(file);
    it.each(report.cases.map((c) => [c.name, c] as const))('%s', (_name, result) => {
      if (!result.passed) throw new Error(formatPolicyTestReport({ ...report, cases: [result] }));
      expect(result.mismatches).toEqual([]);
    });
  });
});
