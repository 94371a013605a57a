/**
 * The evidence types regulation catalogs map their controls to. Requirement profiles,
 * examples and catalogs all use these names, so that a piece of evidence submitted
 * once counts towards every regulation whose controls it supports.
 */
export const EVIDENCE_TYPES = [
  'eval.accuracy',
  'eval.robustness',
  'bias.audit',
  'data.provenance',
  'data.quality',
  'risk.assessment',
  'impact.assessment',
  'approval',
  'model.card',
  'technical.documentation',
  'human.oversight',
  'transparency.notice',
  'monitoring.plan',
  'incident.report',
  'security.review',
  'access.review',
  'change.record',
  'qms.procedure',
  'training.record',
  'decision.log',
  'logging.config',
] as const;

/** One name of the evidence vocabulary. */
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** What a piece of evidence of each type shows, in one line. */
export const EVIDENCE_TYPE_MEANINGS: Readonly<Record<EvidenceType, string>> = {
  'eval.accuracy':
    'Measured performance of the model on a held-out test set (accuracy, F1, error rates) with the metric and threshold used.',
  'eval.robustness':
    'Results of stress, adversarial, perturbation or out-of-distribution tests showing how the system behaves under errors and attacks.',
  'bias.audit':
    'Analysis of outcomes across groups (fairness metrics, disparities found) and the mitigations applied.',
  'data.provenance':
    'Where training, validation and test data came from, under what terms, and how it was collected and transformed.',
  'data.quality':
    'Checks that data is relevant, representative, complete and correctly labelled, with the gaps found.',
  'risk.assessment':
    'Identified risks of the system or change, their likelihood and severity, and the chosen treatment and residual risk.',
  'impact.assessment':
    'Assessment of effects on individuals, groups, fundamental rights, privacy or society (e.g. FRIA, DPIA).',
  approval: 'A named, authorised person signed off a release, change or assessment.',
  'model.card':
    'Summary of a model: intended use, limitations, training data overview, evaluation results.',
  'technical.documentation':
    'Design, architecture and development documentation of the system kept for assessors and authorities.',
  'human.oversight':
    'How people supervise the system: who may intervene, override or stop it, and the tools they have to do so.',
  'transparency.notice':
    'Information given to users, deployers or affected people about the system, its use and its limits.',
  'monitoring.plan':
    'Plan and results of watching the system in operation: metrics, drift, thresholds and who acts on them.',
  'incident.report':
    'Record of an incident or malfunction: what happened, impact, response, notification and lessons learned.',
  'security.review':
    'Security assessment of the system: threat model, penetration or code review, cryptography and hardening findings.',
  'access.review':
    'Review of who holds which access rights, confirming they are authorised, least-privilege and still needed.',
  'change.record':
    'Record of a change to the model, data, configuration or code: what changed, why, tests and rollout.',
  'qms.procedure':
    'A documented policy, procedure or process of the quality or management system, with its owner and review date.',
  'training.record':
    'Proof that people were trained or are competent for their role with the system (course, date, attendee).',
  'decision.log':
    'Decisions recorded in the tamper-evident ledger (govgate produces these): who asked, what was decided, and why.',
  'logging.config':
    'Configuration showing which events the system records automatically, where, and for how long they are kept.',
};

const KNOWN: ReadonlySet<string> = new Set(EVIDENCE_TYPES);

/** True when `type` is one of {@link EVIDENCE_TYPES}. */
export function isEvidenceType(type: unknown): type is EvidenceType {
  return typeof type === 'string' && KNOWN.has(type);
}
