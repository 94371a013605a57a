/** Compliance: evidence, requirement profiles, verdicts, evidence packs, workflows. */
export {
  EVIDENCE_TYPE_PATTERN,
  RUN_ID_PATTERN,
  evidenceEntry,
  evidenceOf,
  evidenceSchema,
} from './evidence.js';
export type { EvidenceInput, RecordedEvidence } from './evidence.js';
export {
  PROFILE_PATH_ROOTS,
  compileProfile,
  requirementProfileSchema,
  validateRequirementProfile,
} from './profile.js';
export type { ApprovalRule, CompiledProfile, Requirement, RequirementProfile } from './profile.js';
export { judgeRun } from './verdict.js';
export type { MissingItem, Verdict, VerdictReason, VerdictStatus } from './verdict.js';
export {
  EVIDENCE_PACK_SCHEMA,
  buildEvidencePack,
  checkPackPublicKey,
  eventsContentSha256,
  packSignatureMessage,
  signEvidencePack,
  verifyPack,
} from './pack.js';
export type {
  EvidencePack,
  PackEntry,
  PackFailure,
  PackFailureCode,
  PackReport,
  UnsignedEvidencePack,
} from './pack.js';
export { WORKFLOW_STATES, WORKFLOW_TRANSITIONS, assertTransition } from './workflow.js';
export type { WorkflowState, WorkflowTransition } from './workflow.js';
export { Compliance, createCompliance } from './compliance.js';
export type { ComplianceDeps } from './compliance.js';
export {
  CONTROL_ID_PATTERN,
  EVIDENCE_TYPES,
  EVIDENCE_TYPE_MEANINGS,
  REGULATION_CATALOGS,
  REGULATION_CODE_PATTERN,
  coverageOf,
  isEvidenceType,
  regulationCatalog,
  regulationCatalogSchema,
  validateRegulationCatalog,
} from './catalogs/index.js';
export type {
  CatalogControl,
  ControlCoverage,
  ControlStatus,
  CoverageReport,
  EvidenceRef,
  EvidenceType,
  RegulationCatalog,
} from './catalogs/index.js';
