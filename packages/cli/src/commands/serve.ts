import { CONFIG_VARIABLES, startService } from '@govgate/http-express';
import type { Command } from 'commander';
import { configOf, type CliContext, type DataDirOptions } from '../context.js';
import { dataDirOption } from './shared.js';

function variablesHelp(): string {
  const width = Math.max(...Object.keys(CONFIG_VARIABLES).map((name) => name.length));
  const lines = Object.entries(CONFIG_VARIABLES).map(
    ([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`,
  );
  return `\nConfiguration (environment):\n${lines.join('\n')}\n`;
}

/** `govgate serve`: the HTTP service until SIGTERM or SIGINT. */
export function registerServe(program: Command, ctx: CliContext, version: string): void {
  program
    .command('serve')
    .description('run the HTTP service until SIGTERM or SIGINT (then drain, flush and close)')
    .addOption(dataDirOption())
    .addHelpText('after', variablesHelp())
    .action(async (options: DataDirOptions) => {
      const config = configOf(ctx, options);
      // Listen for signals before starting, so one sent during start-up is not lost.
      const stop = ctx.onStop();
      try {
        const running = await startService(config, {
          version,
          announce: (text) => ctx.stdout(`${text}\n`),
        });
        await stop.stopped;
        await running.stop();
      } finally {
        stop.dispose();
      }
      ctx.exitCode = 0;
    });
}
