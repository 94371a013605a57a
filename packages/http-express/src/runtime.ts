import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { access, constants, mkdir, open, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FsLedger, WorkerDigester, fsLedgerModule } from '@govgate/adapter-fs-ledger';
import { regoPolicyLoader } from '@govgate/adapter-opa-wasm';
import {
  openPostgres,
  postgresModule,
  PostgresLedger,
  type PostgresDatabase,
} from '@govgate/adapter-postgres';
import {
  migrate as migrateSqlite,
  migrationStatus as sqliteMigrationStatus,
  openSqlite,
  sqliteModule,
  sqliteStores,
} from '@govgate/adapter-sqlite';
import {
  CHECKPOINT_SIGNER,
  CLOCK,
  createCompliance,
  createGovernance,
  EVIDENCE_INDEX,
  ed25519Signer,
  GovgateError,
  KEY_STORE,
  LEDGER,
  MemoryRateLimitStore,
  POLICY_STORE,
  PROFILE_STORE,
  RATE_LIMIT_STORE,
  TENANT_STORE,
  USAGE_STORE,
  WORKFLOW_STORE,
  type CheckpointSignerPort,
  type ClockPort,
  type Compliance,
  type EvidenceIndexPort,
  type Governance,
  type KeyStorePort,
  type LedgerPort,
  type PolicyStorePort,
  type ProfileStorePort,
  type RateLimitStorePort,
  type TenantStorePort,
  type UsageStorePort,
  type WorkflowStorePort,
} from '@govgate/core';
import { Container, ContainerModule } from 'inversify';
import { ConfigError, type ServiceConfig } from './config.js';
import {
  CachingKeyStore,
  CachingPolicyStore,
  oncePerTurn,
  type ChangeProbe,
} from './caching-stores.js';
import { ObservedLedger, type AppendObserver } from './instrumented-ledger.js';

/** Tokens of what the composition root binds beside core's ports. */
export const GOVERNANCE = Symbol.for('govgate.Governance');
export const COMPLIANCE = Symbol.for('govgate.Compliance');
export const SERVICE_CONFIG = Symbol.for('govgate.ServiceConfig');

/** One readiness check: its name and whether it passed (with why not). */
export interface ReadinessCheck {
  readonly name: 'store' | 'migrations' | 'ledger';
  readonly ok: boolean;
  readonly message?: string;
}

/** Everything the service and the CLI use, opened from one configuration. */
export interface Runtime {
  readonly config: ServiceConfig;
  readonly container: Container;
  readonly governance: Governance;
  readonly compliance: Compliance;
  readonly ledger: LedgerPort;
  readonly policies: PolicyStorePort;
  readonly tenants: TenantStorePort;
  readonly keys: KeyStorePort;
  readonly rateLimits: RateLimitStorePort;
  readonly usage: UsageStorePort;
  readonly evidenceIndex: EvidenceIndexPort;
  readonly profiles: ProfileStorePort;
  readonly workflows: WorkflowStorePort;
  readonly signer: CheckpointSignerPort;
  readonly clock: ClockPort;
  /** Verifies long chains on worker threads for `governance.verify` (closed with the runtime). */
  readonly digester: WorkerDigester;
  /**
   * Reports every ledger append (latency, entries) to `observer`, and every commit of
   * the ledger's group commit (entries made durable together) to `onCommit`: metrics.
   */
  observeLedger(observer: AppendObserver, onCommit?: (entries: number) => void): void;
  /** Store reachable, migrations applied, ledger writable. */
  readiness(): Promise<readonly ReadinessCheck[]>;
  /** Flushes and closes the ledger, then the stores. */
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** Open the ledger read-only (inspection by the CLI while the service runs). */
  readonly readOnlyLedger?: boolean;
  /** Apply pending migrations regardless of config (the `migrate` command). */
  readonly migrate?: boolean;
  /** Skip the migration check (the `migrate` command reports status itself). */
  readonly allowPendingMigrations?: boolean;
  readonly clock?: ClockPort;
}

const systemClock: ClockPort = { now: () => Date.now() };
const TMPFS_MAGIC = 0x01021994;

/**
 * The checkpoint signer: GOVGATE_SIGNING_KEY (PEM text or a file), or a key generated
 * once into the data dir (mode 0600) outside prod.
 */
export async function loadSigner(config: ServiceConfig): Promise<CheckpointSignerPort> {
  const configured = config.signingKey;
  if (configured !== undefined) {
    let pem = configured;
    if (!configured.includes('-----BEGIN')) {
      try {
        pem = readFileSync(configured, 'utf8');
      } catch {
        throw new ConfigError('GOVGATE_SIGNING_KEY', `cannot read the key file '${configured}'`);
      }
    }
    try {
      return ed25519Signer(pem);
    } catch {
      throw new ConfigError('GOVGATE_SIGNING_KEY', 'is not an Ed25519 private key in PEM (PKCS#8)');
    }
  }
  const file = join(config.dataDir, 'signing-key.pem');
  if (!existsSync(file)) {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // 'wx': never overwrite a key another process wrote in the meantime.
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
  }
  return ed25519Signer(readFileSync(file, 'utf8'));
}

async function probeDirectory(dir: string): Promise<string | undefined> {
  try {
    await access(dir, constants.W_OK);
    const probe = join(dir, `.ready-${process.pid}`);
    const handle = await open(probe, 'w');
    await handle.close();
    await unlink(probe);
    return undefined;
  } catch (error) {
    return `the ledger directory '${dir}' is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

/** Rejects after `ms`, so a hung database cannot hang /ready. */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const READY_TIMEOUT_MS = 2000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Refuses a ledger directory on tmpfs (looked up from its nearest existing ancestor). */
function refuseTmpfs(dir: string, variable: string): void {
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if (statfsSync(at).type === TMPFS_MAGIC)
        throw new ConfigError(
          variable,
          `'${dir}' is on tmpfs: the ledger would not survive a reboot in prod`,
        );
      return;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      if (at === dirname(at)) return;
    }
  }
}

/**
 * The composition root: opens the stores and the ledger chosen by config, applies or
 * checks migrations, and binds core's ports (adapters' container modules) and core's
 * services (factory bindings) in one inversify container.
 *
 * @example
 * const { config } = loadConfig(process.env);
 * const runtime = await openRuntime(config);
 * const decision = await runtime.governance.check('default', request);
 * await runtime.close();
 */
export async function openRuntime(
  config: ServiceConfig,
  options: OpenRuntimeOptions = {},
): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const container = new Container();
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    const failures: unknown[] = [];
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0] as Error;
    if (failures.length > 1) throw new AggregateError(failures, 'closing the runtime failed');
  };
  const migrateNow = options.migrate === true || config.autoMigrate;
  let commitObserver: ((entries: number) => void) | undefined;
  const onCommit = (entries: number): void => commitObserver?.(entries);
  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    if (config.env === 'prod') refuseTmpfs(config.dataDir, 'GOVGATE_DATA_DIR');
    const signer = await loadSigner(config);

    let storeCheck: () => Promise<void>;
    let migrationCheck: () => Promise<string[]>;
    let probe: ChangeProbe | undefined;
    let pg: PostgresDatabase | undefined;
    if (config.store.kind === 'sqlite') {
      const db = openSqlite({ file: config.store.file });
      closers.push(() => db.close());
      // moves whenever another connection (the CLI, a script) commits
      const dataVersion = db.client.prepare('PRAGMA data_version').pluck();
      probe = oncePerTurn(() => dataVersion.get() as number);
      if (migrateNow) migrateSqlite(db);
      container.loadSync(
        sqliteModule(sqliteStores(db, { ledger: config.ledger.kind === 'fs' ? false : true })),
      );
      storeCheck = () => {
        db.client.prepare('SELECT 1').get();
        return Promise.resolve();
      };
      migrationCheck = () => Promise.resolve([...sqliteMigrationStatus(db).pending]);
    } else {
      const ledgerUrl =
        config.ledger.kind === 'postgres' && config.ledger.url !== config.store.url
          ? config.ledger.url
          : undefined;
      const db = await openPostgres({
        url: config.store.url,
        ...(ledgerUrl === undefined ? {} : { ledgerUrl }),
        settingNames: { url: 'GOVGATE_DATABASE_URL', ledgerUrl: 'GOVGATE_LEDGER_URL' },
        ledger: { onCommit },
      });
      pg = db;
      closers.push(() => db.close());
      if (migrateNow) await db.migrate();
      container.loadSync(postgresModule(db.stores));
      storeCheck = async () => {
        await db.sql`SELECT 1`;
      };
      migrationCheck = async () => {
        const status = await db.migrationStatus();
        return [
          ...status.store.pending,
          ...status.ledger.pending.filter((m) => !status.store.pending.includes(m)),
        ];
      };
    }
    if (options.allowPendingMigrations !== true) {
      const pending = await migrationCheck();
      if (pending.length > 0)
        throw new ConfigError(
          'GOVGATE_AUTO_MIGRATE',
          `migrations ${pending.join(', ')} are not applied: run \`govgate migrate\` or set GOVGATE_AUTO_MIGRATE=true`,
        );
    }

    // The ledger: files, or Postgres (with the stores, or a database of its own).
    let ledgerCheck: () => Promise<string | undefined>;
    if (config.ledger.kind === 'fs') {
      const dir = config.ledger.dir;
      if (config.env === 'prod') refuseTmpfs(dir, 'GOVGATE_LEDGER_URL');
      const fsLedger = await FsLedger.open({
        dir,
        clock,
        onCommit,
        ...(options.readOnlyLedger === true ? { readOnly: true } : {}),
      });
      closers.push(() => fsLedger.close());
      if (container.isBound(LEDGER)) container.unbindSync(LEDGER);
      container.loadSync(fsLedgerModule(fsLedger));
      // A ledger stopped by a failure it could not undo stays stopped until reopened.
      ledgerCheck = async () => fsLedger.failureReason ?? probeDirectory(dir);
    } else if (pg !== undefined) {
      const ledgerSql = pg.ledgerSql;
      ledgerCheck = async () => {
        try {
          await ledgerSql`SELECT 1 FROM ledger_heads LIMIT 1`;
          return undefined;
        } catch (error) {
          return `the ledger database is not reachable: ${message(error)}`;
        }
      };
    } else {
      // SQLite stores with the ledger in Postgres.
      const url = config.ledger.url;
      const db = await openPostgres({ url, settingNames: { url: 'GOVGATE_LEDGER_URL' } });
      closers.push(() => db.close());
      if (migrateNow) await db.migrate();
      const ledger = new PostgresLedger(db.sql, { onCommit });
      closers.push(() => ledger.close());
      if (container.isBound(LEDGER)) container.unbindSync(LEDGER);
      container.bind(LEDGER).toConstantValue(ledger);
      ledgerCheck = async () => {
        try {
          await db.sql`SELECT 1`;
          return undefined;
        } catch (error) {
          return `the ledger database is not reachable: ${message(error)}`;
        }
      };
    }

    // Buckets are shared through Postgres; one SQLite service instance keeps them in
    // memory, so throttling never costs a durable write per request.
    if (config.store.kind === 'sqlite') {
      container.unbindSync(RATE_LIMIT_STORE);
      container.bind(RATE_LIMIT_STORE).toConstantValue(new MemoryRateLimitStore());
    }
    // Keys and active policies are read on every request: cached briefly (caching-stores.ts).
    const keyStore = new CachingKeyStore(container.get<KeyStorePort>(KEY_STORE), clock, probe);
    container.unbindSync(KEY_STORE);
    container.bind(KEY_STORE).toConstantValue(keyStore);
    const policyStore = new CachingPolicyStore(
      container.get<PolicyStorePort>(POLICY_STORE),
      clock,
      probe,
    );
    container.unbindSync(POLICY_STORE);
    container.bind(POLICY_STORE).toConstantValue(policyStore);
    // Verifying a long chain hashes on worker threads (started at the first such verify).
    const digester = new WorkerDigester();
    closers.push(() => digester.close());
    // Every use of the ledger goes through one observable wrapper (metrics).
    const observed = new ObservedLedger(container.get<LedgerPort>(LEDGER));
    container.unbindSync(LEDGER);
    container.bind(LEDGER).toConstantValue(observed);
    container.bind(CLOCK).toConstantValue(clock);
    container.bind(CHECKPOINT_SIGNER).toConstantValue(signer);
    container.bind(SERVICE_CONFIG).toConstantValue(config);
    container.loadSync(
      new ContainerModule(({ bind }) => {
        bind(GOVERNANCE)
          .toDynamicValue((context) =>
            createGovernance({
              ledger: context.get<LedgerPort>(LEDGER),
              policies: context.get<PolicyStorePort>(POLICY_STORE),
              clock: context.get<ClockPort>(CLOCK),
              signer: context.get<CheckpointSignerPort>(CHECKPOINT_SIGNER),
              regoLoader: regoPolicyLoader(),
              digester,
            }),
          )
          .inSingletonScope();
        bind(COMPLIANCE)
          .toDynamicValue((context) =>
            createCompliance({
              ledger: context.get<LedgerPort>(LEDGER),
              evidenceIndex: context.get<EvidenceIndexPort>(EVIDENCE_INDEX),
              profiles: context.get<ProfileStorePort>(PROFILE_STORE),
              workflows: context.get<WorkflowStorePort>(WORKFLOW_STORE),
              clock: context.get<ClockPort>(CLOCK),
              signer: context.get<CheckpointSignerPort>(CHECKPOINT_SIGNER),
            }),
          )
          .inSingletonScope();
      }),
    );

    const runtime: Runtime = {
      config,
      container,
      governance: container.get<Governance>(GOVERNANCE),
      compliance: container.get<Compliance>(COMPLIANCE),
      ledger: container.get<LedgerPort>(LEDGER),
      policies: container.get<PolicyStorePort>(POLICY_STORE),
      tenants: container.get<TenantStorePort>(TENANT_STORE),
      keys: container.get<KeyStorePort>(KEY_STORE),
      rateLimits: container.get<RateLimitStorePort>(RATE_LIMIT_STORE),
      usage: container.get<UsageStorePort>(USAGE_STORE),
      evidenceIndex: container.get<EvidenceIndexPort>(EVIDENCE_INDEX),
      profiles: container.get<ProfileStorePort>(PROFILE_STORE),
      workflows: container.get<WorkflowStorePort>(WORKFLOW_STORE),
      signer,
      clock,
      digester,
      observeLedger: (observer, commits) => {
        observed.observer = observer;
        commitObserver = commits;
      },
      readiness: async () => {
        const checks: ReadinessCheck[] = [];
        try {
          await within(READY_TIMEOUT_MS, 'the store', storeCheck());
          checks.push({ name: 'store', ok: true });
          const pending = await within(READY_TIMEOUT_MS, 'the store', migrationCheck());
          checks.push(
            pending.length === 0
              ? { name: 'migrations', ok: true }
              : { name: 'migrations', ok: false, message: `pending: ${pending.join(', ')}` },
          );
        } catch (error) {
          checks.push({
            name: 'store',
            ok: false,
            message: `the store is not reachable: ${message(error)}`,
          });
          checks.push({
            name: 'migrations',
            ok: false,
            message: 'unknown: the store is not reachable',
          });
        }
        const ledgerProblem = await within(READY_TIMEOUT_MS, 'the ledger', ledgerCheck()).catch(
          (error: unknown) => message(error),
        );
        checks.push(
          ledgerProblem === undefined
            ? { name: 'ledger', ok: true }
            : { name: 'ledger', ok: false, message: ledgerProblem },
        );
        return checks;
      },
      close: closeAll,
    };
    return runtime;
  } catch (error) {
    await closeAll().catch(() => undefined);
    if (error instanceof ConfigError || GovgateError.is(error)) throw error;
    throw new GovgateError('STORE_UNAVAILABLE', `cannot start: ${message(error)}`, {
      cause: error,
    });
  }
}
