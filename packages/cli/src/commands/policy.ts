import { readdir, readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  compilePolicy,
  formatOf,
  GovgateError,
  parseDocumentText,
  runPolicyTestText,
  validatePolicyDocument,
  type ErrorDetail,
  type PolicyTestCaseResult,
  type PolicyTestOutcome,
  type PolicyTestReport,
} from '@govgate/core';
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context.js';
import { detailLines } from '../format.js';

const TEST_FILE = /\.test\.(ya?ml|json)$/i;

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** A POLICY_INVALID error's problems; anything else is not about the document. */
function problemsOfError(error: unknown): readonly ErrorDetail[] {
  if (!GovgateError.is(error)) throw error;
  return error.details.length > 0 ? error.details : [{ pointer: '', message: error.message }];
}

/** Every problem of a policy document, or none. Parse errors are problems at `/`. */
function problemsOf(
  text: string,
  file: string,
): { problems: readonly ErrorDetail[]; summary?: string } {
  let document: unknown;
  try {
    document = parseDocumentText(text, formatOf(file));
  } catch (error) {
    return { problems: problemsOfError(error) };
  }
  const result = validatePolicyDocument(document);
  if (!result.ok) return { problems: result.errors };
  try {
    compilePolicy(result.value);
  } catch (error) {
    return { problems: problemsOfError(error) };
  }
  const { id, version, rules } = result.value;
  return {
    problems: [],
    summary: `policy '${id}' v${version}, ${rules.length} rule${rules.length === 1 ? '' : 's'}`,
  };
}

/** The test files named: files as given, directories by their `*.test.{yaml,yml,json}`. */
async function testFilesOf(paths: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const full = resolve(cwd, path);
    const info = await stat(full).catch((error: unknown) => {
      throw new CliError(
        `cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    });
    if (!info.isDirectory()) {
      files.push(full);
      continue;
    }
    const found = (await readdir(full)).filter((name) => TEST_FILE.test(name)).sort();
    if (found.length === 0)
      throw new CliError(
        `no policy test files (*.test.yaml, *.test.yml, *.test.json) in '${path}'`,
      );
    files.push(...found.map((name) => join(full, name)));
  }
  return files;
}

/** A test file's `policy: ./x.yaml` is relative to the test file. */
function policyLoader(testFile: string): (reference: string) => unknown {
  return (reference) => {
    const path = resolve(dirname(testFile), reference);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new GovgateError(
        'POLICY_TEST_INVALID',
        `cannot read the policy '${reference}' (${path}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        { details: [{ pointer: '/policy', message: 'names a file that cannot be read' }] },
      );
    }
    return parseDocumentText(text, formatOf(path));
  };
}

function outcomeText(outcome: PolicyTestOutcome): string {
  if ('rejected' in outcome) {
    const where = outcome.details.map((d) => d.pointer || '/').join(', ');
    return `rejected ${outcome.rejected}${where === '' ? '' : ` at ${where}`}`;
  }
  const d = outcome.decision;
  const matched = d.reasons.map((r) => r.rule).join(', ');
  return `${d.allowed ? 'allowed' : 'blocked'}, risk score ${d.riskScore}${d.review ? ', review' : ''}, matched: ${matched === '' ? 'none' : matched}`;
}

function caseLines(result: PolicyTestCaseResult): string[] {
  if (result.passed) return [`  ✓ ${result.name}`];
  return [
    `  ✗ ${result.name}`,
    ...result.mismatches.map(
      (m) =>
        `      ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`,
    ),
    `      (${outcomeText(result.outcome)})`,
  ];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `govgate policy validate` and `govgate policy test`: no data dir needed. */
export function registerPolicy(program: Command, ctx: CliContext): void {
  const policy = program
    .command('policy')
    .description('check policy documents and run policy tests (offline, no data dir)');

  policy
    .command('validate')
    .description(
      'validate a policy document (JSON or YAML, by extension); every problem with its JSON pointer',
    )
    .argument('<file>', 'policy document')
    .action(async (file: string) => {
      const text = await readText(resolve(ctx.cwd, file));
      const { problems, summary } = problemsOf(text, file);
      if (problems.length === 0) {
        ctx.stdout(`✓ ${file}: valid ${summary ?? 'policy'}\n`);
        return;
      }
      ctx.stdout(
        [`✗ ${file}: ${plural(problems.length, 'problem')}`, ...detailLines(problems)].join('\n') +
          '\n',
      );
      ctx.exitCode = 1;
    });

  policy
    .command('test')
    .description('run policy test files; a directory: every *.test.yaml|yml|json in it')
    .argument('<paths...>', 'test files or directories')
    .action(async (paths: string[]) => {
      const files = await testFilesOf(paths, ctx.cwd);
      let passed = 0;
      let failed = 0;
      let invalidFiles = 0;
      for (const file of files) {
        const near = relative(ctx.cwd, file);
        const shown = near === '' || near.startsWith('..') ? file : near;
        let report: PolicyTestReport;
        try {
          const text = await readText(file);
          report = runPolicyTestText(text, formatOf(file), { loadPolicy: policyLoader(file) });
        } catch (error) {
          if (!GovgateError.is(error) && !(error instanceof CliError)) throw error;
          invalidFiles += 1;
          const lines = GovgateError.is(error)
            ? [`  ✗ ${error.code}: ${error.message}`, ...detailLines(error.details, '      ')]
            : [`  ✗ ${error.message}`];
          ctx.stdout([shown, ...lines, ''].join('\n'));
          continue;
        }
        passed += report.passed;
        failed += report.failed;
        ctx.stdout(
          [
            `${shown} (policy ${report.policy.id} v${report.policy.version})`,
            ...report.cases.flatMap(caseLines),
            '',
          ].join('\n'),
        );
      }
      const parts = [
        ...(failed > 0 ? [`${failed} failed`] : []),
        `${passed} passed`,
        `${passed + failed} total`,
      ];
      const fileNote =
        invalidFiles > 0
          ? `${plural(files.length, 'file')}, ${invalidFiles} invalid`
          : plural(files.length, 'file');
      ctx.stdout(`\ncases: ${parts.join(', ')} (${fileNote})\n`);
      ctx.exitCode = failed > 0 || invalidFiles > 0 ? 1 : 0;
    });
}
