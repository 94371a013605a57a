import euAiAct from './data/eu-ai-act.json' with { type: 'json' };
import hipaa from './data/hipaa.json' with { type: 'json' };
import iso27001 from './data/iso-27001.json' with { type: 'json' };
import iso42001 from './data/iso-42001.json' with { type: 'json' };
import nistAiRmf from './data/nist-ai-rmf.json' with { type: 'json' };
import soc2 from './data/soc2.json' with { type: 'json' };
import { validateRegulationCatalog, type RegulationCatalog } from './regulation-catalog.js';

/**
 * A catalog data file, checked against `regulationCatalogSchema` when loaded: a broken
 * file stops the import naming the file and every problem, rather than mapping
 * evidence to controls wrongly.
 */
function loaded(file: string, data: unknown): RegulationCatalog {
  const checked = validateRegulationCatalog(data);
  if (!checked.ok)
    throw new Error(
      `catalogs/data/${file} is not a valid regulation catalog: ${checked.errors
        .map((e) => `${e.pointer}: ${e.message}`)
        .join('; ')}`,
    );
  return Object.freeze(checked.value);
}

export const EU_AI_ACT = loaded('eu-ai-act.json', euAiAct);
export const ISO_42001 = loaded('iso-42001.json', iso42001);
export const ISO_27001 = loaded('iso-27001.json', iso27001);
export const SOC2 = loaded('soc2.json', soc2);
export const HIPAA = loaded('hipaa.json', hipaa);
export const NIST_AI_RMF = loaded('nist-ai-rmf.json', nistAiRmf);

/**
 * Every built-in catalog, in a fixed order: the data files in `catalogs/data/`
 * (JSON, one per regulation or standard), validated when this module loads.
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
