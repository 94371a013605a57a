import { mkdir } from 'node:fs/promises';
import { maskUrl, openPostgres } from '@govgate/adapter-postgres';
import { migrationStatus as sqliteMigrationStatus, openSqlite } from '@govgate/adapter-sqlite';
import { GovgateError } from '@govgate/core';
import type { ServiceConfig } from '@govgate/http-express';
import type { Command } from 'commander';
import {
  CliError,
  configOf,
  withRuntime,
  type CliContext,
  type DataDirOptions,
} from '../context.js';
import { dataDirOption } from './shared.js';

/** Migration status of one database govgate uses. */
interface DatabaseStatus {
  readonly role: 'store' | 'ledger';
  readonly where: string;
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

async function statusOf(config: ServiceConfig): Promise<DatabaseStatus[]> {
  const result: DatabaseStatus[] = [];
  if (config.store.kind === 'sqlite') {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const db = openSqlite({ file: config.store.file });
    try {
      const { applied, pending } = sqliteMigrationStatus(db);
      result.push({ role: 'store', where: `SQLite ${config.store.file}`, applied, pending });
    } finally {
      db.close();
    }
    if (config.ledger.kind === 'postgres') {
      const url = config.ledger.url;
      const pg = await openPostgres({ url, settingNames: { url: 'GOVGATE_LEDGER_URL' } });
      try {
        const { store } = await pg.migrationStatus();
        result.push({ role: 'ledger', where: `Postgres ${maskUrl(url)}`, ...store });
      } finally {
        await pg.close();
      }
    }
    return result;
  }
  const url = config.store.url;
  const ledgerUrl =
    config.ledger.kind === 'postgres' && config.ledger.url !== url ? config.ledger.url : undefined;
  const pg = await openPostgres({
    url,
    ...(ledgerUrl === undefined ? {} : { ledgerUrl }),
    settingNames: { url: 'GOVGATE_DATABASE_URL', ledgerUrl: 'GOVGATE_LEDGER_URL' },
  });
  try {
    const status = await pg.migrationStatus();
    result.push({ role: 'store', where: `Postgres ${maskUrl(url)}`, ...status.store });
    if (ledgerUrl !== undefined)
      result.push({ role: 'ledger', where: `Postgres ${maskUrl(ledgerUrl)}`, ...status.ledger });
  } finally {
    await pg.close();
  }
  return result;
}

function statusLines(statuses: readonly DatabaseStatus[]): string {
  return statuses
    .map((s) => {
      const state =
        s.pending.length === 0
          ? `up to date (${s.applied.length} applied)`
          : `${s.pending.length} pending: ${s.pending.join(', ')}`;
      return `${s.role} (${s.where}): ${state}\n`;
    })
    .join('');
}

/** `govgate migrate [--status]`. */
export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations (stop the service first)')
    .option(
      '--status',
      'only report which migrations are applied and pending (exit 1 if any is pending)',
    )
    .addOption(dataDirOption())
    .action(async (options: DataDirOptions & { status?: boolean }) => {
      const config = configOf(ctx, options);
      const before = await statusOf(config);
      const pending = before.some((s) => s.pending.length > 0);
      if (options.status === true) {
        ctx.stdout(statusLines(before));
        ctx.exitCode = pending ? 1 : 0;
        return;
      }
      if (!pending) {
        ctx.stdout(statusLines(before));
        ctx.stdout('nothing to apply\n');
        return;
      }
      try {
        await withRuntime(config, { migrate: true, allowPendingMigrations: true }, () =>
          Promise.resolve(),
        );
      } catch (error) {
        if (GovgateError.is(error, 'LEDGER_LOCKED'))
          throw new CliError(
            `the data dir is in use by a running govgate service (${error.message}): stop it before migrating, or let it migrate at start with GOVGATE_AUTO_MIGRATE=true`,
          );
        throw error;
      }
      const after = await statusOf(config);
      for (const was of before) {
        const now = after.find((s) => s.role === was.role);
        const applied = was.pending.filter((tag) => now?.pending.includes(tag) !== true);
        if (applied.length > 0)
          ctx.stdout(`${was.role} (${was.where}): applied ${applied.join(', ')}\n`);
      }
      ctx.stdout(statusLines(after));
      ctx.exitCode = after.some((s) => s.pending.length > 0) ? 1 : 0;
    });
}
