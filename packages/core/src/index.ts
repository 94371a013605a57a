/**
 * @govgate/core — policy evaluation, risk scoring, ledger and compliance logic
 * behind ports. No I/O and no framework: adapters and the service supply those.
 */
export { GovgateError, pointerToken } from './errors.js';
export type { ErrorDetail, GovgateErrorCode } from './errors.js';

// condition language
export { LEAF_OPERATORS, conditionSchemaDefs } from './condition/condition.js';
export type { Condition, LeafCondition, LeafOperator, Scalar } from './condition/condition.js';
export { checkCondition, compileCondition } from './condition/compile.js';
export type { ConditionFn, PathRoot, PathRoots } from './condition/compile.js';
export { MAX_PATTERN_LENGTH, vetPattern } from './condition/regex-safety.js';
export type { PatternVetting } from './condition/regex-safety.js';

// policies
export { DEFAULT_FORBIDDEN_FIELDS } from './policy/policy-document.js';
export type {
  PolicyDocument,
  PolicyRule,
  RuleEffect,
  TenantOverride,
} from './policy/policy-document.js';
export { policyDocumentSchema } from './policy/policy-schema.js';
export {
  POLICY_PATH_ROOTS,
  assertPolicyDocument,
  validatePolicyDocument,
} from './policy/validate.js';
export { MAX_DOCUMENT_TEXT, formatOf, parseDocumentText } from './policy/parse.js';
export type { DocumentFormat } from './policy/parse.js';
export { applyOverride, policyForTenant } from './policy/overrides.js';
export { INDEX_RULES_ABOVE, compilePolicy } from './policy/compile.js';
export { isRegoSource } from './policy/policy-engine.js';
export type {
  PolicyEngine,
  PolicySource,
  RegoPolicyLoader,
  RegoPolicySource,
} from './policy/policy-engine.js';
export type { CompileOptions, CompiledPolicy, EvaluationStrategy } from './policy/compile.js';
export {
  formatPolicyTestReport,
  policyTestFileSchema,
  runPolicyTestText,
  runPolicyTests,
} from './policy/policy-tests.js';
export type {
  PolicyTestCase,
  PolicyTestCaseResult,
  PolicyTestExpectation,
  PolicyTestFile,
  PolicyTestMismatch,
  PolicyTestOptions,
  PolicyTestOutcome,
  PolicyTestReport,
} from './policy/policy-tests.js';

// decisions
export type {
  Decision,
  DecisionFacts,
  DecisionReason,
  DecisionRequest,
  JsonObject,
  JsonValue,
  PiiFacts,
  PolicyRef,
} from './decision/decision.js';
export {
  REQUEST_LIMITS,
  decisionRequestSchema,
  deriveFacts,
  inspectRequest,
  piiKindsOf,
} from './decision/inspect.js';
export type { InspectedRequest } from './decision/inspect.js';
export { PII_KINDS, detectPii } from './decision/pii.js';
export type { PiiFinding, PiiKind } from './decision/pii.js';

// ledger
export { canonicalDigest, canonicalJson, sha256Hex } from './ledger/canonical-json.js';
export {
  ENTRY_VERSION,
  GENESIS_PREV,
  MAX_ENTRY_DATA_BYTES,
  checkAppend,
  computeEntryHash,
  parseStoredEntry,
  sealEntry,
} from './ledger/entry.js';
export type { AppendRequest, LedgerEntry, LedgerEntryType, StoredEntry } from './ledger/entry.js';
export {
  EMPTY_ROOT,
  LEAF_GROUP,
  MerkleFrontier,
  MerkleTree,
  groupRoots,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from './ledger/merkle.js';
export type { Hash, LeafPiece } from './ledger/merkle.js';
export { LedgerTrees } from './ledger/ledger-trees.js';
export type { LedgerTreesOptions, LoadLeaves } from './ledger/ledger-trees.js';
export {
  CHECKPOINT_SIGNER,
  appendCheckpoint,
  checkpointMessage,
  ed25519Signer,
  keyIdOf,
  signCheckpoint,
  verifyCheckpoint,
} from './ledger/checkpoint.js';
export type {
  Checkpoint,
  CheckpointCheck,
  CheckpointSignerPort,
  SignedCheckpoint,
} from './ledger/checkpoint.js';
export { verifyConsistencyProof, verifyInclusionProof, verifyLedger } from './ledger/verify.js';
export {
  blockEntries,
  blockLeafPiece,
  blockLeaves,
  digestBlock,
  digestEntries,
  inThreadDigester,
} from './ledger/digest.js';
export type {
  VerifyFailure,
  VerifyFailureKind,
  VerifyOptions,
  VerifyReport,
} from './ledger/verify.js';

// access and metering
export {
  API_KEY_PREFIX,
  generateApiKey,
  hashSecret,
  parseApiKey,
  secretMatches,
} from './access/api-key.js';
export type { ParsedApiKey } from './access/api-key.js';
export { authenticate } from './access/authenticate.js';
export { KeyAdmin } from './access/key-admin.js';
export {
  activeChanged,
  documentVersionFromRow,
  isExpectedActive,
  revokeRefused,
  versionExists,
} from './stored-document.js';
export type { SavedVersion, StoredDocumentRow } from './stored-document.js';
export type { IssuedKey, KeyAdminDeps, NewKey } from './access/key-admin.js';
export type { AuthFailure, Authentication } from './access/authenticate.js';
export { takeToken } from './metering/token-bucket.js';
export type { BucketState } from './metering/token-bucket.js';
export { checkUsage, checkUsageQuery, isUsageDay, usageDay, zeroCounts } from './metering/usage.js';
export { MemoryRateLimitStore } from './metering/memory-rate-limit-store.js';
export { TENANT_ID_PATTERN, isTenantId } from './schema/patterns.js';
export { REPEATED_KEY, duplicateJsonKey } from './schema/json-text.js';
export { createValidator, describeErrors } from './schema/validator.js';
export type { Validation } from './schema/validator.js';

// compliance
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
} from './compliance/index.js';
export type {
  CatalogControl,
  ControlCoverage,
  ControlStatus,
  CoverageReport,
  EvidenceRef,
  EvidenceType,
  RegulationCatalog,
} from './compliance/index.js';
export {
  EVIDENCE_PACK_SCHEMA,
  EVIDENCE_TYPE_PATTERN,
  PROFILE_PATH_ROOTS,
  RUN_ID_PATTERN,
  WORKFLOW_STATES,
  WORKFLOW_TRANSITIONS,
  assertTransition,
  Compliance,
  buildEvidencePack,
  checkPackPublicKey,
  compileProfile,
  createCompliance,
  eventsContentSha256,
  evidenceEntry,
  evidenceOf,
  evidenceSchema,
  judgeRun,
  packSignatureMessage,
  requirementProfileSchema,
  signEvidencePack,
  validateRequirementProfile,
  verifyPack,
} from './compliance/index.js';
export type {
  ApprovalRule,
  CompiledProfile,
  ComplianceDeps,
  EvidenceInput,
  EvidencePack,
  MissingItem,
  PackEntry,
  PackFailure,
  PackFailureCode,
  UnsignedEvidencePack,
  PackReport,
  RecordedEvidence,
  Requirement,
  RequirementProfile,
  Verdict,
  VerdictReason,
  VerdictStatus,
  WorkflowState,
  WorkflowTransition,
} from './compliance/index.js';

// ports and use cases
export {
  CLOCK,
  EVIDENCE_INDEX,
  IDS,
  KEY_STORE,
  LEDGER,
  POLICY_STORE,
  PROFILE_STORE,
  RATE_LIMIT_STORE,
  TENANT_STORE,
  USAGE_COUNTERS,
  USAGE_STORE,
  WORKFLOW_STORE,
} from './ports.js';
export type {
  ApiKeyRecord,
  ClockPort,
  ConsistencyProof,
  EntryData,
  EvidenceIndexPort,
  EvidenceIndexRow,
  IdPort,
  ChunkDigest,
  EntryDigesterPort,
  InclusionProof,
  KeyStorePort,
  LedgerHead,
  LedgerPort,
  LedgerReadOptions,
  DocumentKind,
  DocumentVersion,
  PolicyStorePort,
  PolicySummary,
  PolicyVersionRecord,
  ProfileStorePort,
  ProfileVersionRecord,
  RateLimitResult,
  RateLimitSpec,
  RateLimitStorePort,
  RawBlock,
  RawBlockOptions,
  RawEntry,
  Role,
  SaveVersionOptions,
  TenantRecord,
  TenantStorePort,
  TreeHead,
  UsageCounter,
  UsageCounts,
  UsageQuery,
  UsageRow,
  UsageStorePort,
  VersionRef,
  VersionedStore,
  WorkflowRecord,
  WorkflowStorePort,
} from './ports.js';
export { Governance, createGovernance } from './governance.js';
export type {
  CheckOptions,
  CheckResult,
  Correction,
  GovernanceDeps,
  RegoPolicyInput,
} from './governance.js';
