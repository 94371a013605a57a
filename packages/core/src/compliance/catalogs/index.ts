/** Regulation catalogs: regulation → controls → evidence types, and coverage. */
export { EVIDENCE_TYPES, EVIDENCE_TYPE_MEANINGS, isEvidenceType } from './evidence-types.js';
export type { EvidenceType } from './evidence-types.js';
export {
  CONTROL_ID_PATTERN,
  REGULATION_CODE_PATTERN,
  regulationCatalogSchema,
  validateRegulationCatalog,
} from './regulation-catalog.js';
export type { CatalogControl, RegulationCatalog } from './regulation-catalog.js';
export { coverageOf } from './coverage.js';
export type { ControlCoverage, ControlStatus, CoverageReport, EvidenceRef } from './coverage.js';
export { EU_AI_ACT } from './regulation-catalogs.js';
export { ISO_42001 } from './regulation-catalogs.js';
export { ISO_27001 } from './regulation-catalogs.js';
export { SOC2 } from './regulation-catalogs.js';
export { HIPAA } from './regulation-catalogs.js';
export { NIST_AI_RMF } from './regulation-catalogs.js';
export { REGULATION_CATALOGS, regulationCatalog } from './regulation-catalogs.js';
