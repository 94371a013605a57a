import type { Decision, DecisionRequest, JsonObject } from './decision/decision.js';
import { decisionEntryData } from './decision/decision-entry.js';
import { inspectForRecord, inspectRequest } from './decision/inspect.js';
import { GovgateError } from './errors.js';
import { canonicalDigest, sha256Hex } from './ledger/canonical-json.js';
import {
  appendCheckpoint,
  type CheckpointSignerPort,
  type SignedCheckpoint,
} from './ledger/checkpoint.js';
import { verifyLedger, type VerifyOptions, type VerifyReport } from './ledger/verify.js';
import type { AppendRequest, LedgerEntry } from './ledger/entry.js';
import {
  activateDocumentVersion,
  saveDocumentVersion,
  type SavedVersion,
} from './stored-document.js';
import { compilePolicy } from './policy/compile.js';
import {
  isRegoSource,
  type PolicyEngine,
  type RegoPolicyLoader,
  type RegoPolicySource,
} from './policy/policy-engine.js';
import { POLICY_ID_PATTERN } from './schema/patterns.js';
import { assertPolicyDocument } from './policy/validate.js';
import type {
  ClockPort,
  EntryDigesterPort,
  LedgerPort,
  PolicyStorePort,
  PolicyVersionRecord,
} from './ports.js';
import { isTenantId } from './schema/patterns.js';

/** A decision that was recorded: its ledger seq proves it. */
export interface CheckResult extends Decision {
  readonly seq: number;
}

export interface CheckOptions {
  /** Who asks (a key id, a service name); recorded as the entry's actor. */
  readonly actor?: string;
}

export interface GovernanceDeps {
  readonly ledger: LedgerPort;
  readonly policies: PolicyStorePort;
  readonly clock?: ClockPort;
  /** Signs checkpoints; without one, `checkpoint()` is refused. */
  readonly signer?: CheckpointSignerPort;
  /** Loads Rego policy versions (@govgate/adapter-opa-wasm); without one they are refused. */
  readonly regoLoader?: RegoPolicyLoader;
  /** Digests long chains for `verify` (e.g. on worker threads); see verifyLedger. */
  readonly digester?: EntryDigesterPort;
}

/** A Rego policy version to save: the `opa build -t wasm` output and its descriptor. */
export interface RegoPolicyInput {
  readonly id: string;
  readonly version: number;
  /** bundle.tar.gz, or a bare policy.wasm. */
  readonly bundle: Uint8Array;
  readonly descriptor: unknown;
}

/** What an `audit.correction` entry says about an earlier entry. */
export interface Correction {
  /** The seq of the entry being corrected; it stays as it is. */
  readonly corrects: number;
  readonly reason: string;
  /** What the corrected facts are, if any. */
  readonly data?: JsonObject;
}

const systemClock: ClockPort = { now: () => Date.now() };
const MAX_CACHED_POLICIES = 1024;

function assertTenant(tenant: string): void {
  if (!isTenantId(tenant))
    throw new GovgateError('TENANT_INVALID', `'${String(tenant)}' is not a valid tenant id`, {
      details: [
        {
          pointer: '/tenant',
          message: 'must be 1-63 characters of lowercase letters, digits, _ or -',
        },
      ],
    });
}

/** The error `record` throws: LEDGER_ENTRY_INVALID as it is, anything else as LEDGER_UNAVAILABLE. */
function recordFailure(entry: AppendRequest, cause: unknown): GovgateError {
  if (GovgateError.is(cause, 'LEDGER_ENTRY_INVALID')) return cause;
  return new GovgateError(
    'LEDGER_UNAVAILABLE',
    `the ledger could not record the ${entry.type} entry`,
    { cause },
  );
}

/**
 * The use cases apps call: decide, record, manage policies. Stateless apart from a
 * cache of compiled policies keyed by content digest.
 */
export class Governance {
  private readonly compiled = new Map<string, { digest: string; policy: PolicyEngine }>();
  private readonly clock: ClockPort;

  constructor(private readonly deps: GovernanceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Loads any saved version into an engine, without caching it (dry runs of
   * versions that are not active).
   */
  engineOf(tenant: string, record: PolicyVersionRecord): PolicyEngine {
    if (!isRegoSource(record.document)) return compilePolicy(record.document, { tenant });
    const loader = this.deps.regoLoader;
    if (loader === undefined)
      throw new GovgateError(
        'POLICY_INVALID',
        `policy '${record.id}' version ${record.version} is Rego (rego-wasm) and no Rego engine is configured`,
      );
    return loader(record.document, { tenant, digest: record.digest });
  }

  /** The active version's engine: one per tenant is kept, replaced when the digest changes. */
  private engineFor(tenant: string, record: PolicyVersionRecord): PolicyEngine {
    const cached = this.compiled.get(tenant);
    if (cached !== undefined && cached.digest === record.digest) return cached.policy;
    const policy = this.engineOf(tenant, record);
    if (this.compiled.size >= MAX_CACHED_POLICIES) this.compiled.clear();
    this.compiled.set(tenant, { digest: record.digest, policy });
    return policy;
  }

  /** The active policy of a tenant, ready to evaluate; POLICY_NOT_FOUND when none is active. */
  async activePolicy(tenant: string): Promise<PolicyEngine> {
    assertTenant(tenant);
    const record = await this.deps.policies.getActive(tenant);
    if (record === undefined)
      throw new GovgateError('POLICY_NOT_FOUND', `tenant '${tenant}' has no active policy`);
    return this.engineFor(tenant, record);
  }

  private async record(tenant: string, entry: AppendRequest): Promise<LedgerEntry> {
    let written: LedgerEntry | undefined;
    try {
      written = (await this.deps.ledger.append(tenant, [entry]))[0];
    } catch (cause) {
      throw recordFailure(entry, cause);
    }
    if (written === undefined) throw recordFailure(entry, new Error('ledger returned no entry'));
    return written;
  }

  /**
   * Decides whether an operation may run and records the decision. Fails closed: if
   * the decision cannot be written to the ledger, this throws LEDGER_UNAVAILABLE and
   * no decision is returned.
   *
   * @throws GovgateError REQUEST_INVALID, FORBIDDEN_CONTENT_FIELD (recorded as a
   *   `decision.rejected` entry naming the paths, never the values), POLICY_NOT_FOUND,
   *   TENANT_INVALID, LEDGER_UNAVAILABLE.
   *
   * @example
   * const result = await governance.check('acme', { model: 'gpt-4o', operation: 'chat', metadata: {} });
   * if (!result.allowed) throw new Error(result.reasons.map((r) => r.reason).join(', '));
   */
  async check(tenant: string, request: unknown, options: CheckOptions = {}): Promise<CheckResult> {
    // activePolicy() and record() written out: two async calls fewer on the hot path.
    assertTenant(tenant);
    const active = await this.deps.policies.getActive(tenant);
    if (active === undefined)
      throw new GovgateError('POLICY_NOT_FOUND', `tenant '${tenant}' has no active policy`);
    const policy = this.engineFor(tenant, active);
    const actor = options.actor ?? 'library';
    let inspected;
    try {
      inspected = inspectForRecord(request, policy.forbiddenFields);
    } catch (error) {
      if (GovgateError.is(error, 'FORBIDDEN_CONTENT_FIELD')) {
        await this.record(tenant, {
          type: 'decision.rejected',
          actor,
          data: {
            code: error.code,
            paths: error.details.map((d) => d.pointer),
            policy: { ...policy.ref },
          },
        });
      }
      throw error;
    }
    // Engines decide on the redacted request (PII as `[REDACTED:<kind>]`, found kinds as
    // facts): a Rego policy or a native rule never sees a personal value.
    const decision = policy.evaluate(inspected.redacted, inspected.facts);
    const data = decisionEntryData(inspected, decision);
    const entry: AppendRequest =
      inspected.subject === undefined
        ? { type: 'decision', actor, data }
        : { type: 'decision', actor, subject: inspected.subject, data };
    let written: LedgerEntry | undefined;
    try {
      written = (await this.deps.ledger.append(tenant, [entry]))[0];
    } catch (cause) {
      throw recordFailure(entry, cause);
    }
    if (written === undefined) throw recordFailure(entry, new Error('ledger returned no entry'));
    // Listed, not spread: copying the generated decision object by spread costs more.
    return {
      allowed: decision.allowed,
      riskScore: decision.riskScore,
      reasons: decision.reasons,
      review: decision.review,
      policy: decision.policy,
      seq: written.seq,
    };
  }

  /** Evaluates a request against the active policy without recording it (a dry run). */
  async evaluate(tenant: string, request: unknown): Promise<Decision> {
    const policy = await this.activePolicy(tenant);
    const inspected = inspectRequest(request, policy.forbiddenFields);
    return policy.evaluate(inspected.redacted, inspected.facts);
  }

  /**
   * Validates and saves a policy document as an immutable version, and records a
   * `policy.version` entry. Saving the same (id, version) again with identical
   * content is a no-op (`created: false`, nothing recorded); with other content it is
   * a CONFLICT.
   *
   * @example
   * const { record, created } = await governance.savePolicy('acme', document, 'key:admin');
   */
  async savePolicy(
    tenant: string,
    document: unknown,
    actor = 'library',
  ): Promise<SavedVersion<PolicyVersionRecord>> {
    assertTenant(tenant);
    const doc = assertPolicyDocument(document);
    compilePolicy(doc); // every override must compile too
    const digest = canonicalDigest(doc);
    return saveDocumentVersion(
      this.deps.policies,
      this.deps.ledger,
      {
        tenant,
        id: doc.id,
        version: doc.version,
        digest,
        document: doc,
        createdAt: new Date(this.clock.now()).toISOString(),
        createdBy: actor,
      },
      {
        type: 'policy.version',
        actor,
        data: { policy: { id: doc.id, version: doc.version, digest } },
      },
      'policy',
    );
  }

  /**
   * Saves a Rego policy version (kind `rego-wasm`): the bundle is loaded once to check
   * it (POLICY_INVALID naming what is wrong), its SHA-256 is the version's digest, and
   * a `policy.version` entry records it. Versions, activation and checks then work as
   * for native policies; saving the same bundle again is a no-op as for `savePolicy`.
   *
   * @example
   * await governance.saveRegoPolicy('acme', { id: 'risk', version: 1, bundle: readFileSync('bundle.tar.gz'), descriptor });
   */
  async saveRegoPolicy(
    tenant: string,
    input: RegoPolicyInput,
    actor = 'library',
  ): Promise<SavedVersion<PolicyVersionRecord>> {
    assertTenant(tenant);
    const problems = [];
    if (typeof input.id !== 'string' || !new RegExp(POLICY_ID_PATTERN).test(input.id))
      problems.push({ pointer: '/id', message: 'must be 1-128 letters, digits, ., _ or -' });
    if (!Number.isSafeInteger(input.version) || input.version < 1)
      problems.push({ pointer: '/version', message: 'must be an integer of at least 1' });
    if (!(input.bundle instanceof Uint8Array) || input.bundle.length === 0)
      problems.push({ pointer: '/bundle', message: 'must be the non-empty output of opa build' });
    if (input.descriptor === null || typeof input.descriptor !== 'object')
      problems.push({ pointer: '/descriptor', message: 'must be an object' });
    if (problems.length > 0)
      throw new GovgateError('POLICY_INVALID', 'the Rego policy version is invalid', {
        details: problems,
      });
    const source: RegoPolicySource = {
      kind: 'rego-wasm',
      id: input.id,
      version: input.version,
      descriptor: input.descriptor as RegoPolicySource['descriptor'],
      bundle: Buffer.from(input.bundle).toString('base64'),
    };
    const digest = sha256Hex(input.bundle);
    const probe: PolicyVersionRecord = {
      tenant,
      id: input.id,
      version: input.version,
      digest,
      document: source,
      createdAt: new Date(this.clock.now()).toISOString(),
      createdBy: actor,
    };
    this.engineOf(tenant, probe); // refuses a bundle or descriptor that cannot decide
    return saveDocumentVersion(
      this.deps.policies,
      this.deps.ledger,
      probe,
      {
        type: 'policy.version',
        actor,
        data: { policy: { digest, id: input.id, kind: 'rego-wasm', version: input.version } },
      },
      'policy',
    );
  }

  /**
   * Makes a saved version the tenant's active policy, recording `policy.activated`
   * first: if the ledger cannot record it, nothing changes and LEDGER_UNAVAILABLE is
   * thrown (see `recordedChange`). Activating the version that is active already
   * changes and records nothing, also when several such requests come at once (see
   * `activateDocumentVersion`).
   *
   * @throws GovgateError POLICY_NOT_FOUND, TENANT_INVALID, LEDGER_UNAVAILABLE, CONFLICT
   *   (another version was activated meanwhile by another process).
   */
  async activatePolicy(
    tenant: string,
    id: string,
    version: number,
    actor = 'library',
  ): Promise<PolicyVersionRecord> {
    assertTenant(tenant);
    return activateDocumentVersion(
      this.deps.policies,
      this.deps.ledger,
      { tenant, id, version },
      { noun: 'policy', notFound: 'POLICY_NOT_FOUND' },
      (record, previous) => ({
        type: 'policy.activated',
        actor,
        data: {
          policy: { id, version, digest: record.digest },
          ...(previous === undefined
            ? {}
            : { previous: { id: previous.id, version: previous.version } }),
        },
      }),
    );
  }

  /**
   * Signs the tenant's current tree head and appends it as a `checkpoint` entry.
   * Publish the result: anyone holding it can later prove the ledger was not rewritten.
   */
  async checkpoint(tenant: string, actor = 'system'): Promise<SignedCheckpoint> {
    assertTenant(tenant);
    const signer = this.deps.signer;
    if (signer === undefined)
      throw new GovgateError('KEY_INVALID', 'no checkpoint signing key is configured');
    try {
      return (
        await appendCheckpoint(this.deps.ledger, tenant, signer, { actor, now: this.clock.now() })
      ).checkpoint;
    } catch (cause) {
      if (GovgateError.is(cause)) throw cause;
      throw new GovgateError('LEDGER_UNAVAILABLE', 'the ledger could not record the checkpoint', {
        cause,
      });
    }
  }

  /** Streams the tenant's chain and reports the first problem, if any (see verifyLedger). */
  verify(tenant: string, options: VerifyOptions = {}): Promise<VerifyReport> {
    assertTenant(tenant);
    const digester = this.deps.digester;
    return verifyLedger(
      this.deps.ledger,
      tenant,
      digester === undefined || options.digester !== undefined ? options : { ...options, digester },
    );
  }

  /**
   * Records a correction of an earlier entry. Nothing is ever edited: the correction
   * is a new `audit.correction` entry that names the seq it corrects.
   */
  async correct(tenant: string, correction: Correction, actor = 'library'): Promise<LedgerEntry> {
    assertTenant(tenant);
    const head = await this.deps.ledger.head(tenant);
    if (
      !Number.isSafeInteger(correction.corrects) ||
      correction.corrects < 1 ||
      correction.corrects > head.size
    )
      throw new GovgateError(
        'LEDGER_RANGE',
        `there is no entry ${String(correction.corrects)} to correct (the chain has ${head.size})`,
        {
          details: [{ pointer: '/corrects', message: `must be within 1..${head.size}` }],
        },
      );
    if (typeof correction.reason !== 'string' || correction.reason.trim().length === 0)
      throw new GovgateError('LEDGER_ENTRY_INVALID', 'a correction needs a reason', {
        details: [{ pointer: '/reason', message: 'must be a non-empty string' }],
      });
    return this.record(tenant, {
      type: 'audit.correction',
      actor,
      data: {
        corrects: correction.corrects,
        reason: correction.reason,
        ...(correction.data === undefined ? {} : { data: correction.data }),
      },
    });
  }
}

/**
 * Builds the facade from port implementations, for apps that do not use a DI
 * container.
 *
 * @example
 * import { createGovernance } from '@govgate/core';
 * import { InMemoryLedger, InMemoryPolicyStore } from '@govgate/core/testing';
 * const governance = createGovernance({ ledger: new InMemoryLedger(), policies: new InMemoryPolicyStore() });
 */
export function createGovernance(deps: GovernanceDeps): Governance {
  return new Governance(deps);
}

export type { DecisionRequest };
