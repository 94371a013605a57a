import type { ErrorDetail } from '../../errors.js';
import { createValidator, type Validation } from '../../schema/validator.js';
import { EVIDENCE_TYPES, type EvidenceType } from './evidence-types.js';

/** One control (article paragraph, clause, criterion) of a regulation or standard. */
export interface CatalogControl {
  /** The identifier as the source numbers it: `Art.12(1)`, `A.8.15`, `CC6.1`, `GOVERN 1`. */
  readonly id: string;
  readonly title: string;
  /** Evidence types that support this control; any one of them satisfies it. */
  readonly evidenceTypes: readonly EvidenceType[];
  /** What the control asks for, in govgate's own words. */
  readonly description?: string;
}

/** A regulation or standard mapped to controls and the evidence that supports them. */
export interface RegulationCatalog {
  /** Stable short code: `eu-ai-act`, `iso-42001`, `iso-27001`, `soc2`, `hipaa`, `nist-ai-rmf`. */
  readonly code: string;
  readonly name: string;
  /** The edition of the source the controls are taken from. */
  readonly version: string;
  /** The official page of the source. */
  readonly url: string;
  /** What of the source the catalog covers, and whose words its texts are. */
  readonly scope?: string;
  readonly controls: readonly CatalogControl[];
}

/** Catalog codes: lowercase letters, digits and dashes. */
export const REGULATION_CODE_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';
/** Control ids: as the source numbers them, no leading or trailing space. */
export const CONTROL_ID_PATTERN = '^[A-Za-z0-9§](?:[A-Za-z0-9 .()/§-]{0,62}[A-Za-z0-9)])?$';

/** JSON Schema (2020-12) of a regulation catalog. */
export const regulationCatalogSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/regulation-catalog.json',
  title: 'govgate regulation catalog',
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'version', 'url', 'controls'],
  properties: {
    code: { type: 'string', pattern: REGULATION_CODE_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    version: { type: 'string', minLength: 1, maxLength: 200 },
    url: { type: 'string', pattern: '^https://[^\\s]+$', maxLength: 2000 },
    scope: { type: 'string', minLength: 1, maxLength: 2000 },
    controls: {
      type: 'array',
      minItems: 1,
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'evidenceTypes'],
        properties: {
          id: { type: 'string', pattern: CONTROL_ID_PATTERN },
          title: { type: 'string', minLength: 1, maxLength: 300 },
          evidenceTypes: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: EVIDENCE_TYPES },
          },
          description: { type: 'string', minLength: 1, maxLength: 2000 },
        },
      },
    },
  },
} as const;

const validateShape = createValidator<RegulationCatalog>(regulationCatalogSchema);

/**
 * Every problem of a catalog, each with its JSON pointer: the schema (unknown keys,
 * evidence types outside {@link EVIDENCE_TYPES}) and control ids used twice.
 *
 * @example
 * const result = validateRegulationCatalog(EU_AI_ACT);
 * if (!result.ok) console.error(result.errors); // [{ pointer: '/controls/3/id', message: … }]
 */
export function validateRegulationCatalog(value: unknown): Validation<RegulationCatalog> {
  const shape = validateShape(value);
  const errors: ErrorDetail[] = shape.ok ? [] : [...shape.errors];
  const controls = (value as { controls?: unknown } | null)?.controls;
  if (Array.isArray(controls)) {
    const seen = new Map<string, number>();
    controls.forEach((control: unknown, i) => {
      const id = (control as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return;
      const earlier = seen.get(id);
      if (earlier === undefined) seen.set(id, i);
      else
        errors.push({
          pointer: `/controls/${i}/id`,
          message: `'${id}' is already used at /controls/${earlier}/id; control ids must be unique`,
        });
    });
  }
  return errors.length === 0
    ? { ok: true, value: value as RegulationCatalog }
    : { ok: false, errors };
}
