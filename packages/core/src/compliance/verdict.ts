import type { RecordedEvidence } from './evidence.js';
import type { CompiledProfile } from './profile.js';

export type VerdictStatus = 'VALID' | 'INVALID' | 'INCOMPLETE';

/** Why a run is not VALID, one finding at a time. */
export interface VerdictReason {
  readonly code:
    'predicate_failed' | 'approver_not_allowed' | 'evidence_after_approval' | 'missing' | 'stale';
  readonly message: string;
  readonly type?: string;
  /** The evidence entry concerned, when there is one. */
  readonly seq?: number;
}

/** A required item the run does not have (yet). */
export interface MissingItem {
  readonly type: string;
  readonly description: string;
  /** For approvals: how many more distinct allowed approvers are needed. */
  readonly needed?: number;
}

export interface Verdict {
  readonly runId: string;
  readonly status: VerdictStatus;
  readonly reasons: readonly VerdictReason[];
  readonly missing: readonly MissingItem[];
  readonly profile: { readonly id: string; readonly version: number; readonly digest: string };
  /** Seqs of every evidence entry the verdict considered, ascending. */
  readonly basedOn: readonly number[];
  readonly counts: {
    readonly evidence: number;
    readonly counted: number;
    readonly approvals: number;
  };
  /** When it was judged (freshness is relative to it). */
  readonly judgedAt: string;
}

const DAY_MS = 86_400_000;

/**
 * Judges a run's evidence against a requirement profile. A pure, deterministic
 * function of the profile, the entries and the judgment time:
 *
 * - evidence older than `maxAgeDays` does not count (a `stale` reason says so);
 * - each required type needs at least one counted entry, and **every** counted entry
 *   of that type must satisfy its `where` (a failing eval is not hidden by a later
 *   passing one), so the result does not depend on submission order;
 * - approvals (`data.approver`) must come from the allowlist, at least `min` distinct
 *   ones, and after every other piece of evidence of the run: evidence recorded
 *   after the first approval makes the run INVALID (what was approved changed).
 *
 * INVALID when any predicate fails, an approver is not allowed, or evidence follows an
 * approval; otherwise INCOMPLETE with what is missing; otherwise VALID.
 *
 * @example
 * const verdict = judgeRun(compileProfile(doc), 'release-42', evidence, Date.now());
 * if (verdict.status !== 'VALID') console.log(verdict.missing, verdict.reasons);
 */
export function judgeRun(
  compiled: CompiledProfile,
  runId: string,
  evidence: readonly RecordedEvidence[],
  nowMs: number,
): Verdict {
  const { profile } = compiled;
  const run = evidence.filter((e) => e.runId === runId).sort((a, b) => a.seq - b.seq);
  const reasons: VerdictReason[] = [];
  const missing: MissingItem[] = [];
  const maxAgeMs = profile.maxAgeDays === undefined ? undefined : profile.maxAgeDays * DAY_MS;
  const fresh = (e: RecordedEvidence): boolean =>
    maxAgeMs === undefined || nowMs - Date.parse(e.ts) <= maxAgeMs;

  const counted = run.filter(fresh);
  for (const e of run)
    if (!fresh(e))
      reasons.push({
        code: 'stale',
        type: e.type,
        seq: e.seq,
        message: `${e.type} (seq ${e.seq}) is older than ${String(profile.maxAgeDays)} days and does not count`,
      });

  for (const requirement of profile.requires) {
    const entries = counted.filter((e) => e.type === requirement.type);
    if (entries.length === 0) {
      missing.push({
        type: requirement.type,
        description: requirement.description ?? `evidence of type ${requirement.type}`,
      });
      continue;
    }
    const predicate = compiled.predicates.get(requirement.type);
    if (predicate === undefined) continue;
    for (const e of entries)
      if (!predicate({ data: e.data }, undefined))
        reasons.push({
          code: 'predicate_failed',
          type: e.type,
          seq: e.seq,
          message: `${e.type} (seq ${e.seq}) does not satisfy ${JSON.stringify(requirement.where)}`,
        });
  }

  let approvals = 0;
  const rule = profile.approvals;
  if (rule !== undefined) {
    const allowed = new Set(rule.approvers);
    const approvalEntries = counted.filter((e) => e.type === compiled.approvalType);
    const approvers = new Set<string>();
    for (const a of approvalEntries) {
      const approver = a.data.approver;
      if (typeof approver !== 'string' || !allowed.has(approver)) {
        reasons.push({
          code: 'approver_not_allowed',
          type: a.type,
          seq: a.seq,
          message: `approval (seq ${a.seq}) by ${typeof approver === 'string' ? `'${approver}'` : 'no data.approver'} is not from an allowed approver`,
        });
        continue;
      }
      approvers.add(approver);
    }
    approvals = approvers.size;
    const firstApproval = approvalEntries[0]?.seq;
    if (firstApproval !== undefined)
      for (const e of run)
        if (e.type !== compiled.approvalType && e.seq > firstApproval)
          reasons.push({
            code: 'evidence_after_approval',
            type: e.type,
            seq: e.seq,
            message: `${e.type} (seq ${e.seq}) was recorded after the approval at seq ${firstApproval}`,
          });
    if (approvers.size < rule.min)
      missing.push({
        type: compiled.approvalType,
        description: `approvals by ${rule.min} distinct approvers of ${rule.approvers.join(', ')}`,
        needed: rule.min - approvers.size,
      });
  }

  for (const m of missing)
    reasons.push({ code: 'missing', type: m.type, message: `missing: ${m.description}` });
  const invalid = reasons.some(
    (r) =>
      r.code === 'predicate_failed' ||
      r.code === 'approver_not_allowed' ||
      r.code === 'evidence_after_approval',
  );
  return {
    runId,
    status: invalid ? 'INVALID' : missing.length > 0 ? 'INCOMPLETE' : 'VALID',
    reasons,
    missing,
    profile: compiled.ref,
    basedOn: run.map((e) => e.seq),
    counts: { evidence: run.length, counted: counted.length, approvals },
    judgedAt: new Date(nowMs).toISOString(),
  };
}
