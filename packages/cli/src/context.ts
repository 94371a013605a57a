import { mkdir } from 'node:fs/promises';
import {
  loadConfig,
  openRuntime,
  type OpenRuntimeOptions,
  type Runtime,
  type ServiceConfig,
} from '@govgate/http-express';

/** Where a command writes and what it reads from its environment. */
export interface CliContext {
  /** Writes text to standard output as is (callers end lines themselves). */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stderr is a terminal: progress is then drawn as a bar, redrawn in place. */
  readonly interactive: boolean;
  /** Installs the stop handler of `serve`; `stopped` resolves with what asked to stop. */
  readonly onStop: () => StopHandle;
  /** The exit code the finished command asks for. */
  exitCode: number;
}

/** A pending stop request (a signal), and how to stop listening for it. */
export interface StopHandle {
  readonly stopped: Promise<string>;
  dispose(): void;
}

/** A failure the command explains itself: printed as `error: <message>`, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Options shared by every command that reads the configuration. */
export interface DataDirOptions {
  readonly dataDir?: string;
}

/** `loadConfig` over the context's environment, `--data-dir` overriding GOVGATE_DATA_DIR. */
export function configOf(ctx: CliContext, options: DataDirOptions): ServiceConfig {
  const env =
    options.dataDir === undefined ? ctx.env : { ...ctx.env, GOVGATE_DATA_DIR: options.dataDir };
  const { config, warnings } = loadConfig(env, ctx.cwd);
  for (const warning of warnings) ctx.stderr(`warning: ${warning}\n`);
  return config;
}

/**
 * Opens the runtime for one command and closes it afterwards, whatever happens. A
 * read-only file ledger needs its directory: commands that only touch the stores (keys)
 * ask for it to be created, so they also work on a data dir no service has used yet.
 */
export async function withRuntime<T>(
  config: ServiceConfig,
  options: OpenRuntimeOptions & { readonly createLedgerDir?: boolean },
  run: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const { createLedgerDir, ...open } = options;
  if (createLedgerDir === true && config.ledger.kind === 'fs')
    await mkdir(config.ledger.dir, { recursive: true, mode: 0o700 });
  const runtime = await openRuntime(config, open);
  try {
    return await run(runtime);
  } finally {
    await runtime.close();
  }
}
