import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerKeys } from './commands/keys.js';
import { registerLedger } from './commands/ledger.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPack } from './commands/pack.js';
import { registerPolicy } from './commands/policy.js';
import { registerServe } from './commands/serve.js';
import type { CliContext, StopHandle } from './context.js';
import { describeError } from './format.js';

/** What `main` reads and writes; every field defaults to the process's own. */
export interface MainOptions {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Draw progress as a bar (default: whether stderr is a terminal). */
  readonly interactive?: boolean;
  /** How `serve` learns it must stop (default: the first SIGTERM or SIGINT). */
  readonly onStop?: () => StopHandle;
}

/** Exit code of a usage error (unknown command or option, bad option value). */
export const USAGE_EXIT_CODE = 2;

function packageVersion(): string {
  // `__dirname` exists when the sources run as CommonJS (jest); the built package is ESM.
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  try {
    const text = readFileSync(join(here, '..', 'package.json'), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function onSignal(): StopHandle {
  let dispose = (): void => undefined;
  const stopped = new Promise<string>((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      dispose();
      resolve(signal);
    };
    // Once: a second signal during shutdown falls back to the default (terminate).
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
    dispose = () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    };
  });
  return { stopped, dispose };
}

function buildProgram(ctx: CliContext, version: string): Command {
  const program = new Command('govgate')
    .description('govgate: AI governance engine — service, keys, policies and the audit ledger')
    .version(version, '-V, --version')
    // Settings set before `.command()` are inherited by every subcommand.
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true);
  registerServe(program, ctx, version);
  registerMigrate(program, ctx);
  registerKeys(program, ctx);
  registerPolicy(program, ctx);
  registerLedger(program, ctx);
  registerPack(program, ctx);
  return program;
}

/**
 * Runs the `govgate` command line and resolves with the exit code: 0 success, 1 a
 * failure (printed as `error: <CODE>: <message>` on stderr), 2 a usage error. Never
 * exits the process itself, so tests run it in-process with captured output.
 *
 * @example
 * const out: string[] = [];
 * const code = await main(['node', 'govgate', 'policy', 'test', 'examples/policies'], {
 *   stdout: (text) => out.push(text),
 * });
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const ctx: CliContext = {
    stdout: options.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: options.stderr ?? ((text) => void process.stderr.write(text)),
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    interactive: options.interactive ?? process.stderr.isTTY === true,
    onStop: options.onStop ?? onSignal,
    exitCode: 0,
  };
  const program = buildProgram(ctx, packageVersion());
  try {
    await program.parseAsync([...argv]);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    ctx.stderr(`${describeError(error)}\n`);
    return 1;
  }
}
