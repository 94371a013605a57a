import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkPackPublicKey, verifyPack } from '@govgate/core';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, type CliContext } from '../context.js';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read the ${what} '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/**
 * Reads `--public-key <file>` when the options are parsed: a file that cannot be read
 * or is not an Ed25519 public key in PEM is a usage error naming the option (exit 2),
 * before the pack is read or any check runs, never a pack that fails to verify.
 */
function publicKeyFile(cwd: string): (path: string) => string {
  return (path) => {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, path), 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(
        `cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    const problem = checkPackPublicKey(text);
    if (problem !== undefined)
      throw new InvalidArgumentError(
        `${problem.message} (give the checkpoint key: GET /v1/ledger/public-key → publicKeyPem)`,
      );
    return text;
  };
}

/** `govgate pack verify`: checks an evidence pack offline with the signer's public key. */
export function registerPack(program: Command, ctx: CliContext): void {
  const pack = program.command('pack').description('evidence packs of compliance runs (offline)');
  pack
    .command('verify')
    .description(
      'verify an evidence pack (GET /v1/runs/:runId/pack) with nothing but the pack and the public key; exit 1 on any failure',
    )
    .argument('<file>', 'the pack (JSON)')
    .requiredOption(
      '--public-key <file>',
      'the checkpoint public key, SPKI PEM (GET /v1/ledger/public-key → publicKeyPem)',
      publicKeyFile(ctx.cwd),
    )
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { publicKey: string; json?: boolean }) => {
      const text = await readText(resolve(ctx.cwd, file), 'pack');
      const key = options.publicKey; // the key's text: read and checked by publicKeyFile
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new CliError(
          `'${file}' is not JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const report = verifyPack(value, key);
      if (options.json === true) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else if (report.ok) {
        const p = value as { runId: string; tenant: string; checkpoint: { size: number } };
        ctx.stdout(
          `✓ ${file}: ${report.entries} entries of run '${p.runId}' (tenant '${p.tenant}') verify against the checkpoint of ${p.checkpoint.size} entries\n`,
        );
      } else {
        ctx.stdout(
          [
            `✗ ${file}: ${report.failures.length} failure${report.failures.length === 1 ? '' : 's'}`,
            ...report.failures.map(
              (f) => `  ${f.code}${f.seq === undefined ? '' : ` (seq ${f.seq})`}: ${f.message}`,
            ),
          ].join('\n') + '\n',
        );
      }
      if (!report.ok) ctx.exitCode = 1;
    });
}
