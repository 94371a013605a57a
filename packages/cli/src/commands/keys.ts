import { userInfo } from 'node:os';
import {
  GovgateError,
  KeyAdmin,
  type ApiKeyRecord,
  type RateLimitSpec,
  type Role,
} from '@govgate/core';
import { keyAdmin, type Runtime, type ServiceConfig } from '@govgate/http-express';
import { Option, type Command } from 'commander';
import { configOf, withRuntime, type CliContext, type DataDirOptions } from '../context.js';
import { json, table } from '../format.js';
import { integerAtLeast, rateLimit, tenantId, timestamp } from '../parsers.js';
import { dataDirOption, tenantOption } from './shared.js';

/** What may be shown of a key: never its secret's hash. */
function publicView(record: ApiKeyRecord, now: number): Record<string, unknown> {
  return {
    id: record.id,
    tenant: record.tenant,
    role: record.role,
    name: record.name,
    status: statusOf(record, now),
    createdAt: record.createdAt,
    ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
    ...(record.revokedAt === undefined ? {} : { revokedAt: record.revokedAt }),
    ...(record.lastUsedAt === undefined ? {} : { lastUsedAt: record.lastUsedAt }),
    ...(record.rateLimit === undefined ? {} : { rateLimit: record.rateLimit }),
    ...(record.previousValidUntil === undefined
      ? {}
      : { previousValidUntil: record.previousValidUntil }),
    ...(record.platform === true ? { platform: true } : {}),
  };
}

function statusOf(record: ApiKeyRecord, now: number): 'active' | 'revoked' | 'expired' {
  if (record.revokedAt !== undefined) return 'revoked';
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now) return 'expired';
  return 'active';
}

const rateText = (spec: RateLimitSpec | undefined): string =>
  spec === undefined ? 'default' : `${spec.capacity}/${spec.perSeconds}s`;

/** Finds a key by id; KEY_INVALID when it does not exist in the tenant (if one is named). */
async function findKey(runtime: Runtime, id: string, tenant?: string): Promise<ApiKeyRecord> {
  const record = await runtime.keys.findById(id);
  if (record === undefined || (tenant !== undefined && record.tenant !== tenant))
    throw new GovgateError(
      'KEY_INVALID',
      `no key '${id}'${tenant === undefined ? '' : ` in tenant '${tenant}'`}`,
    );
  return record;
}

/** Who the ledger names as the actor of a change made here: `cli:<OS user>`. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * Runs a key change with the ledger open for writing, so the change is recorded as
 * `key.created` / `key.rotated` / `key.revoked`. While a running service holds the file
 * ledger, the change is made in the store all the same (the service sees it at once)
 * and a warning says it is not in the ledger: the HTTP API records such changes.
 */
async function withKeyAdmin<T>(
  ctx: CliContext,
  config: ServiceConfig,
  run: (runtime: Runtime, admin: KeyAdmin) => Promise<T>,
): Promise<T> {
  try {
    return await withRuntime(config, { createLedgerDir: true }, (runtime) =>
      run(runtime, keyAdmin(runtime)),
    );
  } catch (error) {
    if (!GovgateError.is(error, 'LEDGER_LOCKED')) throw error;
  }
  const result = await withRuntime(
    config,
    { readOnlyLedger: true, createLedgerDir: true },
    (runtime) =>
      run(
        runtime,
        new KeyAdmin({ keys: runtime.keys, tenants: runtime.tenants, clock: runtime.clock }),
      ),
  );
  ctx.stderr(
    'warning: a running govgate service holds the ledger, so this change is not recorded in it; ' +
      'make key changes through the service (POST /v1/admin/keys, …/rotate, DELETE …) to have them recorded\n',
  );
  return result;
}

interface CreateOptions extends DataDirOptions {
  readonly role: Role;
  readonly name: string;
  readonly tenant: string;
  readonly rateLimit?: RateLimitSpec;
  readonly expiresAt?: string;
  readonly json?: boolean;
}

/**
 * `govgate keys …`: changes are recorded in the key's tenant's ledger; they also work
 * while the service runs on the same data dir (see `withKeyAdmin`).
 */
export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program
    .command('keys')
    .description('create, list, rotate and revoke API keys (works while the service runs)');
  const storesOnly = { readOnlyLedger: true, createLedgerDir: true } as const;
  const actor = cliActor();

  keys
    .command('create')
    .description('create an API key and print it (shown once)')
    .addOption(
      new Option('--role <role>', 'what the key may do')
        .choices(['admin', 'client', 'auditor'])
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'a name to recognize the key by')
    .addOption(tenantOption())
    .option('--rate-limit <count/seconds>', 'rate limit of this key, e.g. 100/60s', rateLimit)
    .option(
      '--expires-at <iso>',
      'when the key stops working, e.g. 2027-01-31T00:00:00Z',
      timestamp,
    )
    .option('--json', 'print the key and its record as JSON')
    .addOption(dataDirOption())
    .action(async (options: CreateOptions) => {
      const config = configOf(ctx, options);
      await withKeyAdmin(ctx, config, async (runtime, admin) => {
        const issued = await admin.create(
          {
            tenant: options.tenant,
            role: options.role,
            name: options.name,
            ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
            ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
          },
          actor,
        );
        const view = publicView(issued.record, runtime.clock.now());
        if (options.json === true) {
          ctx.stdout(json({ key: issued.key, ...view }));
          return;
        }
        // The key alone on stdout, so `KEY=$(govgate keys create …)` works.
        ctx.stdout(`${issued.key}\n`);
        ctx.stderr(
          `created ${options.role} key ${issued.record.id} '${options.name}' for tenant '${options.tenant}': store it now, it is not shown again\n`,
        );
      });
    });

  keys
    .command('list')
    .description("list a tenant's keys (never their secrets)")
    .addOption(tenantOption())
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .action(async (options: DataDirOptions & { tenant: string; json?: boolean }) => {
      const config = configOf(ctx, options);
      await withRuntime(config, storesOnly, async (runtime) => {
        const now = runtime.clock.now();
        const records = await runtime.keys.list(options.tenant);
        if (options.json === true) {
          ctx.stdout(json(records.map((r) => publicView(r, now))));
          return;
        }
        if (records.length === 0) {
          ctx.stdout(`no keys in tenant '${options.tenant}'\n`);
          return;
        }
        const rows = records.map((r) => [
          r.id,
          r.role + (r.platform === true ? '+platform' : ''),
          statusOf(r, now),
          rateText(r.rateLimit),
          r.createdAt,
          r.expiresAt ?? '-',
          r.lastUsedAt ?? '-',
          r.name,
        ]);
        ctx.stdout(
          `${table([['ID', 'ROLE', 'STATUS', 'RATE LIMIT', 'CREATED', 'EXPIRES', 'LAST USED', 'NAME'], ...rows])}\n`,
        );
      });
    });

  keys
    .command('rotate')
    .description('give a key a new secret and print it; the old one stays valid for a grace period')
    .argument('<id>', 'key id')
    .option('--grace-seconds <n>', 'how long the old secret stays valid', integerAtLeast(0), 3600)
    .option('--tenant <id>', 'the tenant the key must belong to', tenantId)
    .option('--json', 'print the key and its record as JSON')
    .addOption(dataDirOption())
    .action(
      async (
        id: string,
        options: DataDirOptions & { graceSeconds: number; tenant?: string; json?: boolean },
      ) => {
        const config = configOf(ctx, options);
        await withKeyAdmin(ctx, config, async (runtime, admin) => {
          const record = await findKey(runtime, id, options.tenant);
          const issued = await admin.rotate(record, options.graceSeconds, actor);
          if (options.json === true) {
            ctx.stdout(
              json({ key: issued.key, ...publicView(issued.record, runtime.clock.now()) }),
            );
            return;
          }
          ctx.stdout(`${issued.key}\n`);
          ctx.stderr(
            `rotated key ${id}: the previous secret is valid until ${issued.record.previousValidUntil ?? 'now'}; store the new one now, it is not shown again\n`,
          );
        });
      },
    );

  keys
    .command('revoke')
    .description('revoke a key (at once; the record stays)')
    .argument('<id>', 'key id')
    .option('--tenant <id>', 'the tenant the key must belong to', tenantId)
    .addOption(dataDirOption())
    .action(async (id: string, options: DataDirOptions & { tenant?: string }) => {
      const config = configOf(ctx, options);
      await withKeyAdmin(ctx, config, async (runtime, admin) => {
        const record = await findKey(runtime, id, options.tenant);
        const revoked = await admin.revoke(record, actor);
        ctx.stdout(`revoked key ${id} at ${revoked.revokedAt ?? 'now'}\n`);
      });
    });
}
