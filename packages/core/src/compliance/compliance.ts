import { randomBytes } from 'node:crypto';
import { GovgateError } from '../errors.js';
import { canonicalDigest } from '../ledger/canonical-json.js';
import { appendCheckpoint, type CheckpointSignerPort } from '../ledger/checkpoint.js';
import { recordedChange } from '../ledger/recorded-change.js';
import {
  activateDocumentVersion,
  saveDocumentVersion,
  type SavedVersion,
} from '../stored-document.js';
import type { AppendRequest, LedgerEntry, StoredEntry } from '../ledger/entry.js';
import type {
  ClockPort,
  EvidenceIndexPort,
  LedgerPort,
  ProfileStorePort,
  ProfileVersionRecord,
  WorkflowRecord,
  WorkflowStorePort,
} from '../ports.js';
import { isTenantId } from '../schema/patterns.js';
import { evidenceEntry, evidenceOf, type RecordedEvidence } from './evidence.js';
import { buildEvidencePack, signEvidencePack, type EvidencePack } from './pack.js';
import { compileProfile, type CompiledProfile } from './profile.js';
import { judgeRun, type Verdict } from './verdict.js';
import { assertTransition, type WorkflowState } from './workflow.js';

export interface ComplianceDeps {
  readonly ledger: LedgerPort;
  readonly evidenceIndex: EvidenceIndexPort;
  readonly profiles: ProfileStorePort;
  readonly workflows: WorkflowStorePort;
  /** Signs the checkpoint an evidence pack is proven against; without one, packs are refused. */
  readonly signer?: CheckpointSignerPort;
  readonly clock?: ClockPort;
  /** New workflow ids (default: `wf_` + random). */
  readonly newId?: () => string;
}

const systemClock: ClockPort = { now: () => Date.now() };
/** Ledger reads of one run's evidence in flight at once. */
const RUN_READS_IN_FLIGHT = 16;

function assertTenant(tenant: string): void {
  if (!isTenantId(tenant))
    throw new GovgateError('TENANT_INVALID', `'${String(tenant)}' is not a valid tenant id`);
}

/** Parses `id` or `id@version`. */
function profileRef(text: string): { id: string; version?: number } {
  const at = text.lastIndexOf('@');
  if (at < 0) return { id: text };
  return { id: text.slice(0, at), version: Number(text.slice(at + 1)) };
}

/** What is missing when a profile reference names nothing. */
function profileMissing(text: string): string {
  const ref = profileRef(text);
  return ref.version === undefined
    ? `no profile '${ref.id}'`
    : `profile '${ref.id}' has no version ${ref.version}`;
}

/**
 * The compliance use cases: record evidence for runs, judge runs against requirement
 * profiles, export evidence packs, move assessment workflows. Every change is a
 * ledger entry first; the run index is derived from the ledger.
 *
 * @example
 * const compliance = createCompliance({ ledger, evidenceIndex, profiles, workflows, signer });
 * await compliance.recordEvidence('acme', { runId: 'r1', type: 'eval.accuracy', data: { value: 0.93 } }, 'key:ci');
 * const verdict = await compliance.verdict('acme', 'r1');
 */
export class Compliance {
  private readonly clock: ClockPort;
  private readonly compiled = new Map<string, CompiledProfile>();

  constructor(private readonly deps: ComplianceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  private async record(tenant: string, entry: AppendRequest): Promise<LedgerEntry> {
    try {
      const [written] = await this.deps.ledger.append(tenant, [entry]);
      if (written === undefined) throw new Error('ledger returned no entry');
      return written;
    } catch (cause) {
      if (GovgateError.is(cause, 'LEDGER_ENTRY_INVALID')) throw cause;
      throw new GovgateError(
        'LEDGER_UNAVAILABLE',
        `the ledger could not record the ${entry.type} entry`,
        {
          cause,
        },
      );
    }
  }

  /**
   * Records a piece of evidence (EVIDENCE_INVALID names every problem) as an
   * `evidence` entry, then indexes it by run. Evidence that names a requirement
   * profile (`id` or `id@version`) is recorded only if the tenant has that profile
   * (version): PROFILE_NOT_FOUND naming `/profile` otherwise, and nothing is written.
   * If indexing fails after the entry is written, `reindex` repairs the index from the
   * ledger.
   *
   * @throws GovgateError EVIDENCE_INVALID, PROFILE_NOT_FOUND, TENANT_INVALID,
   *   LEDGER_UNAVAILABLE.
   */
  async recordEvidence(tenant: string, input: unknown, actor: string): Promise<RecordedEvidence> {
    assertTenant(tenant);
    const request = evidenceEntry(input, actor);
    const named = request.data.profile;
    // Versions are never deleted: a profile found now is there for every later verdict.
    if (typeof named === 'string' && (await this.namedProfile(tenant, named)) === undefined)
      throw new GovgateError(
        'PROFILE_NOT_FOUND',
        `${profileMissing(named)}: nothing was recorded`,
        {
          details: [
            {
              pointer: '/profile',
              message: `must name a requirement profile of the tenant (id or id@version): ${profileMissing(named)}`,
            },
          ],
        },
      );
    const entry = await this.record(tenant, request);
    const evidence = evidenceOf(entry) as RecordedEvidence;
    await this.deps.evidenceIndex.add(tenant, [
      { runId: evidence.runId, seq: entry.seq, type: evidence.type },
    ]);
    return evidence;
  }

  /** Scans the chain past the index's watermark into the index (a rebuild from 0). */
  async reindex(tenant: string): Promise<{ scanned: number; indexed: number }> {
    assertTenant(tenant);
    const from = (await this.deps.evidenceIndex.watermark(tenant)) + 1;
    let scanned = 0;
    let indexed = 0;
    let last = from - 1;
    let batch: { runId: string; seq: number; type: string }[] = [];
    for await (const { entry } of this.deps.ledger.read(tenant, { fromSeq: from })) {
      scanned++;
      last = entry.seq;
      const evidence = evidenceOf(entry);
      if (evidence !== undefined)
        batch.push({ runId: evidence.runId, seq: entry.seq, type: evidence.type });
      if (batch.length >= 1000) {
        await this.deps.evidenceIndex.add(tenant, batch);
        indexed += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await this.deps.evidenceIndex.add(tenant, batch);
    indexed += batch.length;
    if (last >= from) await this.deps.evidenceIndex.setWatermark(tenant, last);
    return { scanned, indexed };
  }

  /** A run's evidence entries as stored, in seq order, found through the index. */
  async runEntries(tenant: string, runId: string): Promise<StoredEntry[]> {
    assertTenant(tenant);
    const rows = await this.deps.evidenceIndex.list(tenant, { runId });
    // contiguous seqs become one range; ranges are read a few at a time, concurrently
    const ranges: { from: number; count: number }[] = [];
    for (const { seq } of rows) {
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last.from + last.count === seq) last.count += 1;
      else ranges.push({ from: seq, count: 1 });
    }
    const read = async (range: { from: number; count: number }): Promise<StoredEntry[]> => {
      const out: StoredEntry[] = [];
      for await (const stored of this.deps.ledger.read(tenant, {
        fromSeq: range.from,
        limit: range.count,
      }))
        if (evidenceOf(stored.entry)?.runId === runId) out.push(stored);
      return out;
    };
    const results: StoredEntry[][] = new Array<StoredEntry[]>(ranges.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ranges.length) {
        const i = next++;
        results[i] = await read(ranges[i] as { from: number; count: number });
      }
    };
    await Promise.all(Array.from({ length: Math.min(RUN_READS_IN_FLIGHT, ranges.length) }, worker));
    return results.flat();
  }

  private compiledOf(record: ProfileVersionRecord): CompiledProfile {
    const key = `${record.tenant}\u0000${record.digest}`;
    let compiled = this.compiled.get(key);
    if (compiled === undefined) {
      compiled = compileProfile(record.document);
      if (this.compiled.size >= 1024) this.compiled.clear();
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  /**
   * The version a profile reference names: `id@version` that version; `id` the active
   * version if it is of that profile, else its latest. Undefined when there is none.
   */
  private async namedProfile(
    tenant: string,
    text: string,
  ): Promise<ProfileVersionRecord | undefined> {
    const ref = profileRef(text);
    if (ref.version !== undefined)
      return this.deps.profiles.getVersion(tenant, ref.id, ref.version);
    const active = await this.deps.profiles.getActive(tenant);
    if (active?.id === ref.id) return active;
    const versions = await this.deps.profiles.listVersions(tenant, ref.id);
    return versions[versions.length - 1];
  }

  /** The profile a run is judged by: named, or named by its first evidence, or the active one. */
  private async profileFor(
    tenant: string,
    evidence: readonly RecordedEvidence[],
    named?: string,
  ): Promise<ProfileVersionRecord> {
    const text = named ?? evidence.find((e) => e.profile !== undefined)?.profile;
    if (text === undefined) {
      const active = await this.deps.profiles.getActive(tenant);
      if (active === undefined)
        throw new GovgateError(
          'PROFILE_NOT_FOUND',
          'the run names no requirement profile and the tenant has no active one',
        );
      return active;
    }
    const record = await this.namedProfile(tenant, text);
    if (record === undefined) throw new GovgateError('PROFILE_NOT_FOUND', profileMissing(text));
    return record;
  }

  /** Judges a run (see judgeRun) against its profile, at the current time. */
  async verdict(
    tenant: string,
    runId: string,
    options: { profile?: string } = {},
  ): Promise<Verdict> {
    const entries = await this.runEntries(tenant, runId);
    const evidence = entries.map((s) => evidenceOf(s.entry) as RecordedEvidence);
    const record = await this.profileFor(tenant, evidence, options.profile);
    return judgeRun(this.compiledOf(record), runId, evidence, this.clock.now());
  }

  /**
   * Exports a run's evidence pack: signs a fresh checkpoint of the chain (appended as
   * a `checkpoint` entry, so the export itself is on record) and proves every entry
   * of the run against it.
   */
  async pack(tenant: string, runId: string, actor = 'system'): Promise<EvidencePack> {
    const signer = this.deps.signer;
    if (signer === undefined)
      throw new GovgateError('KEY_INVALID', 'no checkpoint signing key is configured');
    const entries = await this.runEntries(tenant, runId);
    if (entries.length === 0)
      throw new GovgateError('EVIDENCE_INVALID', `run '${runId}' has no evidence`);
    const { checkpoint } = await appendCheckpoint(this.deps.ledger, tenant, signer, {
      actor,
      now: this.clock.now(),
    });
    const proofs = await Promise.all(
      entries.map((s) => this.deps.ledger.inclusionProof(tenant, s.entry.seq, checkpoint.size)),
    );
    const unsigned = buildEvidencePack({
      tenant,
      runId,
      entries,
      proofs,
      checkpoint,
      createdAt: new Date(this.clock.now()).toISOString(),
    });
    return signEvidencePack(unsigned, signer);
  }

  /**
   * Saves a requirement profile version (PROFILE_INVALID names every problem); a
   * `profile.version` entry. Saving the same (id, version) again with identical content
   * is a no-op (`created: false`, nothing recorded); with other content a CONFLICT.
   */
  async saveProfile(
    tenant: string,
    document: unknown,
    actor: string,
  ): Promise<SavedVersion<ProfileVersionRecord>> {
    assertTenant(tenant);
    const compiled = compileProfile(document);
    const { id, version } = compiled.profile;
    const digest = canonicalDigest(compiled.profile);
    return saveDocumentVersion(
      this.deps.profiles,
      this.deps.ledger,
      {
        tenant,
        id,
        version,
        digest,
        document: compiled.profile,
        createdAt: new Date(this.clock.now()).toISOString(),
        createdBy: actor,
      },
      { type: 'profile.version', actor, data: { profile: { id, version, digest } } },
      'profile',
    );
  }

  /**
   * Activates a saved profile version; a `profile.activated` entry, written first (see
   * `recordedChange`). Activating the version that is active already changes and
   * records nothing (see `activateDocumentVersion`).
   */
  async activateProfile(
    tenant: string,
    id: string,
    version: number,
    actor: string,
  ): Promise<ProfileVersionRecord> {
    assertTenant(tenant);
    return activateDocumentVersion(
      this.deps.profiles,
      this.deps.ledger,
      { tenant, id, version },
      { noun: 'profile', notFound: 'PROFILE_NOT_FOUND' },
      (record) => ({
        type: 'profile.activated',
        actor,
        data: { profile: { id, version, digest: record.digest } },
      }),
    );
  }

  /** Opens an assessment of a regulation, in state `draft`; a `workflow.created` entry. */
  async createWorkflow(
    tenant: string,
    input: { regulation: string; title: string },
    actor: string,
  ): Promise<WorkflowRecord> {
    assertTenant(tenant);
    const now = new Date(this.clock.now()).toISOString();
    const id = this.deps.newId?.() ?? `wf_${randomBytes(10).toString('hex')}`;
    await this.record(tenant, {
      type: 'workflow.created',
      actor,
      subject: id,
      data: { regulation: input.regulation, title: input.title, workflowId: id },
    });
    return this.deps.workflows.create({
      tenant,
      id,
      regulation: input.regulation,
      title: input.title,
      state: 'draft',
      createdAt: now,
      createdBy: actor,
      updatedAt: now,
    });
  }

  /**
   * Moves a workflow to `to` (WORKFLOW_TRANSITION_INVALID when the state machine does
   * not allow it). The transition is recorded in the ledger with actor and comment
   * before the state changes (compare-and-set: a concurrent transition that got there
   * first makes this one fail, and an `audit.correction` says so).
   */
  async transition(
    tenant: string,
    id: string,
    to: string,
    comment: string,
    actor: string,
  ): Promise<WorkflowRecord> {
    assertTenant(tenant);
    const current = await this.deps.workflows.get(tenant, id);
    if (current === undefined) throw new GovgateError('WORKFLOW_NOT_FOUND', `no workflow '${id}'`);
    assertTransition(current.state, to);
    const target: WorkflowState = to;
    return recordedChange(
      this.deps.ledger,
      tenant,
      {
        type: 'workflow.transition',
        actor,
        subject: id,
        data: { comment, from: current.state, to: target, workflowId: id },
      },
      () =>
        this.deps.workflows.transition(
          tenant,
          id,
          current.state,
          target,
          new Date(this.clock.now()).toISOString(),
        ),
    );
  }
}

/** Builds the compliance facade from port implementations. */
export function createCompliance(deps: ComplianceDeps): Compliance {
  return new Compliance(deps);
}
