import { describe, expect, it } from '@jest/globals';
import { EVIDENCE_TYPES, EVIDENCE_TYPE_MEANINGS } from './evidence-types.js';
import { validateRegulationCatalog } from './regulation-catalog.js';
import { REGULATION_CATALOGS, regulationCatalog } from './regulation-catalogs.js';

const aCatalog = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  code: 'example',
  name: 'Example regulation',
  version: '2026',
  url: 'https://example.org/regulation',
  controls: [
    { id: 'X.1', title: 'First', evidenceTypes: ['risk.assessment'] },
    { id: 'X.2', title: 'Second', evidenceTypes: ['approval', 'decision.log'] },
  ],
  ...overrides,
});

const pointersOf = (value: unknown): string[] => {
  const result = validateRegulationCatalog(value);
  return result.ok ? [] : result.errors.map((e) => e.pointer);
};

describe('built-in regulation catalogs', () => {
  it('has the six regulations, in a fixed order', () => {
    expect(REGULATION_CATALOGS.map((c) => c.code)).toEqual([
      'eu-ai-act',
      'iso-42001',
      'iso-27001',
      'soc2',
      'hipaa',
      'nist-ai-rmf',
    ]);
  });

  it.each(REGULATION_CATALOGS.map((c) => [c.code, c] as const))(
    '%s validates against the schema',
    (_code, catalog) => {
      expect(validateRegulationCatalog(catalog)).toEqual({ ok: true, value: catalog });
    },
  );

  it.each(REGULATION_CATALOGS.map((c) => [c.code, c] as const))(
    '%s has unique control ids',
    (_code, catalog) => {
      const ids = catalog.controls.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
    },
  );

  it('meets the minimum sizes of each catalog', () => {
    const size = (code: string) => regulationCatalog(code)?.controls.length ?? 0;
    expect(size('iso-42001')).toBeGreaterThanOrEqual(15);
    expect(size('nist-ai-rmf')).toBe(19); // every category of the four functions
    expect(size('hipaa')).toBe(12); // every standard and specification of §164.312
    for (const catalog of REGULATION_CATALOGS) expect(catalog.controls.length).toBeGreaterThan(0);
  });

  it('numbers controls as each source does', () => {
    const idPatterns: Record<string, RegExp> = {
      'eu-ai-act': /^Art\.\d+\(\d+\)(\([a-z]\))?$/,
      'iso-42001': /^A\.\d+\.\d+(\.\d+)?$/,
      'iso-27001': /^A\.[5-8]\.\d+$/,
      soc2: /^CC\d\.\d$/,
      hipaa: /^164\.312\([a-e]\)(\(\d\))?(\([iv]+\))?$/,
      'nist-ai-rmf': /^(GOVERN|MAP|MEASURE|MANAGE) \d$/,
    };
    for (const catalog of REGULATION_CATALOGS) {
      const pattern = idPatterns[catalog.code];
      for (const control of catalog.controls) expect(control.id).toMatch(pattern ?? /^$/);
    }
  });

  it('uses every evidence type in at least one control, so none is dead', () => {
    const used = new Set(
      REGULATION_CATALOGS.flatMap((c) => c.controls.flatMap((control) => control.evidenceTypes)),
    );
    expect(EVIDENCE_TYPES.filter((t) => !used.has(t))).toEqual([]);
  });

  it('gives every evidence type a one-line meaning', () => {
    expect(Object.keys(EVIDENCE_TYPE_MEANINGS).sort()).toEqual([...EVIDENCE_TYPES].sort());
    for (const meaning of Object.values(EVIDENCE_TYPE_MEANINGS))
      expect(meaning).toMatch(/^[^\n]{10,200}$/);
  });

  it('finds a catalog by code and nothing for an unknown code', () => {
    expect(regulationCatalog('hipaa')?.name).toMatch(/HIPAA/);
    expect(regulationCatalog('gdpr')).toBeUndefined();
  });
});

describe('validateRegulationCatalog', () => {
  it('accepts a minimal catalog', () => {
    expect(validateRegulationCatalog(aCatalog()).ok).toBe(true);
  });

  it('refuses unknown keys at the top and in a control, with their pointers', () => {
    const result = validateRegulationCatalog(
      aCatalog({
        controls: [{ id: 'X.1', title: 'First', evidenceTypes: ['approval'], evidenceType: 'x' }],
        versoin: '1',
      }),
    );
    expect(result.ok ? [] : result.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/versoin', message: "unknown key 'versoin' (did you mean 'version'?)" },
        expect.objectContaining({ pointer: '/controls/0/evidenceType' }),
      ]),
    );
  });

  it('refuses an evidence type outside the vocabulary, pointing at it', () => {
    const pointers = pointersOf(
      aCatalog({
        controls: [{ id: 'X.1', title: 'First', evidenceTypes: ['approval', 'eval.vibes'] }],
      }),
    );
    expect(pointers).toEqual(['/controls/0/evidenceTypes/1']);
  });

  it('refuses a control without evidence types', () => {
    expect(
      pointersOf(aCatalog({ controls: [{ id: 'X.1', title: 'First', evidenceTypes: [] }] })),
    ).toEqual(['/controls/0/evidenceTypes']);
  });

  it('refuses a control id used twice, pointing at the second use', () => {
    const result = validateRegulationCatalog(
      aCatalog({
        controls: [
          { id: 'X.1', title: 'First', evidenceTypes: ['approval'] },
          { id: 'X.2', title: 'Second', evidenceTypes: ['approval'] },
          { id: 'X.1', title: 'Again', evidenceTypes: ['approval'] },
        ],
      }),
    );
    expect(result.ok ? [] : result.errors).toEqual([
      {
        pointer: '/controls/2/id',
        message: "'X.1' is already used at /controls/0/id; control ids must be unique",
      },
    ]);
  });

  it('reports missing fields and malformed values all at once', () => {
    const pointers = pointersOf({
      code: 'Not A Code',
      name: '',
      url: 'http://insecure.example',
      controls: [{ id: ' padded', evidenceTypes: ['approval', 'approval'] }],
    });
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/code',
        '/name',
        '/version',
        '/url',
        '/controls/0/id',
        '/controls/0/title',
        '/controls/0/evidenceTypes',
      ]),
    );
  });

  it('refuses values that are not catalogs', () => {
    expect(pointersOf(null)).toEqual(['']);
    expect(pointersOf(aCatalog({ controls: 'none' }))).toEqual(['/controls']);
  });
});
