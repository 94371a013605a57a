import type { JsonObject } from '../decision/decision.js';
import { GovgateError } from '../errors.js';
import type { AppendRequest, LedgerEntry } from '../ledger/entry.js';
import { createValidator } from '../schema/validator.js';

/** Evidence types are dotted lowercase names: `eval.accuracy`, `approval`. */
export const EVIDENCE_TYPE_PATTERN = '^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)*$';
/** Run ids: what a pipeline names its runs with (`release-2026-11-30.3`, a UUID). */
export const RUN_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

/** One piece of evidence for a run, as submitted. */
export interface EvidenceInput {
  readonly runId: string;
  readonly type: string;
  readonly data: JsonObject;
  /** SHA-256 (hex) of an artifact kept elsewhere (a report, a model file). */
  readonly artifactSha256?: string;
  /** The requirement profile (`id` or `id@version`) to judge the run by. */
  readonly profile?: string;
}

/** JSON Schema (2020-12) of submitted evidence. */
export const evidenceSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/evidence.json',
  title: 'govgate evidence',
  type: 'object',
  additionalProperties: false,
  required: ['runId', 'type', 'data'],
  properties: {
    runId: { type: 'string', pattern: RUN_ID_PATTERN },
    type: { type: 'string', pattern: EVIDENCE_TYPE_PATTERN, maxLength: 128 },
    data: { type: 'object', maxProperties: 1000 },
    artifactSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    profile: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[0-9]{1,9})?$' },
  },
} as const;

const validateEvidence = createValidator<EvidenceInput>(evidenceSchema);

/**
 * The ledger append for a piece of evidence: an `evidence` entry whose subject is the
 * run, so that an index can find a run's entries. EVIDENCE_INVALID names every
 * problem; the ledger then checks sizes and canonical form as for any entry.
 *
 * @example
 * await ledger.append('acme', [evidenceEntry({ runId: 'r1', type: 'eval.accuracy', data: { value: 0.93 } }, 'key:ci')]);
 */
export function evidenceEntry(input: unknown, actor: string): AppendRequest {
  const checked = validateEvidence(input);
  if (!checked.ok)
    throw new GovgateError(
      'EVIDENCE_INVALID',
      `evidence is invalid: ${checked.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`,
      { details: checked.errors },
    );
  const e = checked.value;
  return {
    type: 'evidence',
    actor,
    subject: e.runId,
    data: {
      ...(e.artifactSha256 === undefined ? {} : { artifactSha256: e.artifactSha256 }),
      data: e.data,
      ...(e.profile === undefined ? {} : { profile: e.profile }),
      runId: e.runId,
      type: e.type,
    },
  };
}

/** Evidence as read back from the ledger: the submission plus where and when it was recorded. */
export interface RecordedEvidence extends EvidenceInput {
  readonly seq: number;
  readonly ts: string;
  readonly actor: string;
}

/** The evidence an `evidence` entry holds; undefined for any other entry. */
export function evidenceOf(entry: LedgerEntry): RecordedEvidence | undefined {
  if (entry.type !== 'evidence') return undefined;
  const d = entry.data as Partial<EvidenceInput>;
  if (typeof d.runId !== 'string' || typeof d.type !== 'string') return undefined;
  const data =
    d.data !== null && typeof d.data === 'object' && !Array.isArray(d.data) ? d.data : {};
  return {
    runId: d.runId,
    type: d.type,
    data,
    ...(typeof d.artifactSha256 === 'string' ? { artifactSha256: d.artifactSha256 } : {}),
    ...(typeof d.profile === 'string' ? { profile: d.profile } : {}),
    seq: entry.seq,
    ts: entry.ts,
    actor: entry.actor,
  };
}
