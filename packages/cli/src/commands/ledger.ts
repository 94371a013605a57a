import {
  GovgateError,
  verifyConsistencyProof,
  verifyInclusionProof,
  type VerifyReport,
} from '@govgate/core';
import type { Runtime } from '@govgate/http-express';
import type { Command } from 'commander';
import {
  CliError,
  configOf,
  withRuntime,
  type CliContext,
  type DataDirOptions,
} from '../context.js';
import { json } from '../format.js';
import { integerAtLeast } from '../parsers.js';
import { progressReporter } from '../progress.js';
import { dataDirOption, requireTenant, tenantOption } from './shared.js';

const readOnly = { readOnlyLedger: true } as const;
/** Plain progress lines (not on a terminal) come this many entries apart. */
const PLAIN_PROGRESS_EVERY = 100_000;
const BAR_PROGRESS_EVERY = 1_000;

interface TenantOptions extends DataDirOptions {
  readonly tenant: string;
}

function reportText(report: VerifyReport, headSize: number): string {
  const lines = [
    `tenant:          ${report.tenant}`,
    `entries checked: ${report.checked} (head: ${headSize})`,
    `head hash:       ${report.headHash}`,
    `root:            ${report.root}`,
  ];
  const failure = report.failure;
  if (failure === undefined) return `ledger verified: OK\n${lines.join('\n')}\n`;
  return [
    `ledger verification FAILED at seq ${failure.seq}: ${failure.kind}`,
    `  ${failure.message}${failure.location === undefined ? '' : ` (${failure.location})`}`,
    ...lines,
    '',
  ].join('\n');
}

async function readEntryBytes(runtime: Runtime, tenant: string, seq: number): Promise<string> {
  for await (const stored of runtime.ledger.read(tenant, { fromSeq: seq, limit: 1 }))
    return stored.bytes;
  throw new GovgateError('LEDGER_RANGE', `the ledger of '${tenant}' has no entry ${seq}`);
}

interface ProveOptions extends TenantOptions {
  readonly seq?: number;
  readonly size?: number;
  readonly from?: number;
  readonly to?: number;
}

/** `govgate ledger verify | checkpoint | prove`. */
export function registerLedger(program: Command, ctx: CliContext): void {
  const ledger = program
    .command('ledger')
    .description('verify the audit ledger, sign checkpoints, print proofs');

  ledger
    .command('verify')
    .description("verify a tenant's chain (read-only; works while the service runs)")
    .addOption(tenantOption())
    .option('--deep', 'also check that every entry is stored in canonical form (slower)')
    .option('--json', 'print the report as JSON')
    .addOption(dataDirOption())
    .action(async (options: TenantOptions & { deep?: boolean; json?: boolean }) => {
      const config = configOf(ctx, options);
      await withRuntime(config, readOnly, async (runtime) => {
        await requireTenant(runtime, options.tenant);
        const head = await runtime.ledger.head(options.tenant);
        const progress = progressReporter(ctx.stderr, ctx.interactive, head.size, 'entries');
        let report: VerifyReport;
        try {
          report = await runtime.governance.verify(options.tenant, {
            deep: options.deep === true,
            progressEvery: ctx.interactive ? BAR_PROGRESS_EVERY : PLAIN_PROGRESS_EVERY,
            onProgress: (checked) => progress.update(checked),
          });
        } finally {
          progress.finish();
        }
        ctx.stdout(options.json === true ? json(report) : reportText(report, head.size));
        if (report.failure !== undefined) {
          ctx.stderr(
            `error: the ledger of '${options.tenant}' is broken at seq ${report.failure.seq} (${report.failure.kind})\n`,
          );
          ctx.exitCode = 1;
        }
      });
    });

  ledger
    .command('checkpoint')
    .description(
      "sign the current tree head and append it as a checkpoint (needs the ledger's writer)",
    )
    .addOption(tenantOption())
    .addOption(dataDirOption())
    .action(async (options: TenantOptions) => {
      const config = configOf(ctx, options);
      try {
        await withRuntime(config, {}, async (runtime) => {
          await requireTenant(runtime, options.tenant);
          const checkpoint = await runtime.governance.checkpoint(options.tenant, 'cli');
          ctx.stdout(json(checkpoint));
        });
      } catch (error) {
        if (!GovgateError.is(error, 'LEDGER_LOCKED')) throw error;
        throw new CliError(
          [
            `LEDGER_LOCKED: the running govgate service holds the ledger (${error.message}).`,
            "Only the ledger's writer can append a checkpoint: ask the service with",
            '  POST /v1/ledger/checkpoint   (Authorization: Bearer <admin key>)',
            'or stop the service and run this command again.',
          ].join('\n'),
        );
      }
    });

  ledger
    .command('prove')
    .description(
      'print an inclusion proof (--seq [--size]) or a consistency proof (--from [--to]), checked before printing',
    )
    .option('--seq <n>', 'entry to prove included', integerAtLeast(1))
    .option('--size <n>', 'tree size to prove it in (default: the head)', integerAtLeast(1))
    .option('--from <n>', 'smaller tree size of a consistency proof', integerAtLeast(1))
    .option('--to <n>', 'larger tree size (default: the head)', integerAtLeast(1))
    .addOption(tenantOption())
    .addOption(dataDirOption())
    .action(async (options: ProveOptions, command: Command) => {
      const inclusion = options.seq !== undefined;
      const consistency = options.from !== undefined;
      if (inclusion === consistency)
        command.error('error: give either --seq <n> (inclusion) or --from <n> (consistency)');
      if (inclusion && options.to !== undefined)
        command.error('error: --to belongs to a consistency proof (--from); use --size with --seq');
      if (consistency && options.size !== undefined)
        command.error('error: --size belongs to an inclusion proof (--seq); use --to with --from');
      const config = configOf(ctx, options);
      await withRuntime(config, readOnly, async (runtime) => {
        await requireTenant(runtime, options.tenant);
        const tenant = options.tenant;
        if (options.seq !== undefined) {
          const proof = await runtime.ledger.inclusionProof(tenant, options.seq, options.size);
          const entryBytes = await readEntryBytes(runtime, tenant, options.seq);
          if (!verifyInclusionProof(proof, { entryBytes }))
            throw new GovgateError(
              'LEDGER_CHAIN_BROKEN',
              `the inclusion proof of entry ${proof.seq} in the tree of ${proof.size} does not verify`,
            );
          ctx.stdout(json({ tenant, ...proof }));
          ctx.stderr(
            `✓ entry ${proof.seq} is included in the tree of ${proof.size} entries (root ${proof.root})\n`,
          );
          return;
        }
        const proof = await runtime.ledger.consistencyProof(tenant, options.from ?? 1, options.to);
        if (!verifyConsistencyProof(proof))
          throw new GovgateError(
            'LEDGER_CHAIN_BROKEN',
            `the consistency proof from ${proof.from} to ${proof.to} entries does not verify`,
          );
        ctx.stdout(json({ tenant, ...proof }));
        ctx.stderr(
          `✓ the tree of ${proof.from} entries is a prefix of the tree of ${proof.to} entries\n`,
        );
      });
    });
}
