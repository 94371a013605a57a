import euAiAct from './data/eu-ai-act.json' with { type: 'json' };
import hipaa from './data/hipaa.json' with { type: 'json' };
import iso27001 from './data/iso-27001.json' with { type: 'json' };
import iso42001 from './data/iso-42001.json' with { type: 'json' };
import nistAiRmf from './data/nist-ai-rmf.json' with { type: 'json' };
import soc2 from './data/soc2.json' with { type: 'json' };
import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * A catalog data file as the catalog it is. The files are checked against
 * `regulationCatalogSchema` (and the rules `validateRegulationCatalog` adds) by this
 * package's tests, not each time the module loads: that would load and run ajv in
 * every process that imports core, for data that cannot change once shipped.
 */
function loaded(data: unknown): RegulationCatalog {
  return Object.freeze(data as RegulationCatalog);
}

export const EU_AI_ACT = loaded(euAiAct);
export const ISO_42001 = loaded(iso42001);
export const ISO_27001 = loaded(iso27001);
export const SOC2 = loaded(soc2);
export const HIPAA = loaded(hipaa);
export const NIST_AI_RMF = loaded(nistAiRmf);

/**
 * Every built-in catalog, in a fixed order: the data files in `catalogs/data/`
 * (JSON, one per regulation or standard), validated by this package's tests.
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
