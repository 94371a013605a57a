import { EU_AI_ACT } from './eu-ai-act.js';
import { HIPAA } from './hipaa.js';
import { ISO_27001 } from './iso-27001.js';
import { ISO_42001 } from './iso-42001.js';
import { NIST_AI_RMF } from './nist-ai-rmf.js';
import type { RegulationCatalog } from './regulation-catalog.js';
import { SOC2 } from './soc2.js';

/**
 * Every built-in catalog, in a fixed order. They are checked against
 * `regulationCatalogSchema` by the tests, not on import.
 */
export const REGULATION_CATALOGS: readonly RegulationCatalog[] = [
  EU_AI_ACT,
  ISO_42001,
  ISO_27001,
  SOC2,
  HIPAA,
  NIST_AI_RMF,
];

/**
 * The built-in catalog with this code, or `undefined`.
 *
 * @example
 * regulationCatalog('iso-42001')?.controls.length // 38
 */
export function regulationCatalog(code: string): RegulationCatalog | undefined {
  return REGULATION_CATALOGS.find((c) => c.code === code);
}
