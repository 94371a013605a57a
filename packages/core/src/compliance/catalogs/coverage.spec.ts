import { describe, expect, it } from '@jest/globals';
import { coverageOf } from './coverage.js';
import { EU_AI_ACT } from './regulation-catalogs.js';
import type { RegulationCatalog } from './regulation-catalog.js';
import { REGULATION_CATALOGS } from './regulation-catalogs.js';

const catalog: RegulationCatalog = {
  code: 'example',
  name: 'Example regulation',
  version: '2026',
  url: 'https://example.org/regulation',
  controls: [
    { id: 'X.1', title: 'Logging', evidenceTypes: ['logging.config', 'decision.log'] },
    { id: 'X.2', title: 'Testing', evidenceTypes: ['eval.accuracy'] },
    { id: 'X.3', title: 'Sign-off', evidenceTypes: ['approval', 'change.record'] },
  ],
};

describe('coverageOf', () => {
  it('reports every control missing when there is no evidence', () => {
    const report = coverageOf(catalog, []);
    expect(report).toEqual({
      regulation: 'example',
      name: 'Example regulation',
      satisfied: 0,
      total: 3,
      controls: [
        {
          id: 'X.1',
          title: 'Logging',
          status: 'missing',
          evidenceTypes: ['logging.config', 'decision.log'],
          seqs: [],
          missingTypes: ['logging.config', 'decision.log'],
        },
        {
          id: 'X.2',
          title: 'Testing',
          status: 'missing',
          evidenceTypes: ['eval.accuracy'],
          seqs: [],
          missingTypes: ['eval.accuracy'],
        },
        {
          id: 'X.3',
          title: 'Sign-off',
          status: 'missing',
          evidenceTypes: ['approval', 'change.record'],
          seqs: [],
          missingTypes: ['approval', 'change.record'],
        },
      ],
    });
  });

  it('satisfies only the controls that use the one type given', () => {
    const report = coverageOf(catalog, [{ type: 'eval.accuracy', seq: 4 }]);
    expect(report.satisfied).toBe(1);
    expect(report.controls.map((c) => [c.id, c.status, c.seqs])).toEqual([
      ['X.1', 'missing', []],
      ['X.2', 'satisfied', [4]],
      ['X.3', 'missing', []],
    ]);
  });

  it('satisfies a control with evidence of any one of its types (OR), listing the others as missing', () => {
    const report = coverageOf(catalog, [{ type: 'decision.log', seq: 9 }]);
    expect(report.controls[0]).toMatchObject({
      id: 'X.1',
      status: 'satisfied',
      seqs: [9],
      missingTypes: ['logging.config'],
    });
  });

  it('lists no missing types when every type of a control has evidence', () => {
    const report = coverageOf(catalog, [
      { type: 'change.record', seq: 2 },
      { type: 'approval', seq: 3 },
    ]);
    expect(report.controls[2]).toMatchObject({ status: 'satisfied', missingTypes: [] });
  });

  it('lists the seqs of all supporting evidence ascending and once each', () => {
    const report = coverageOf(catalog, [
      { type: 'decision.log', seq: 12 },
      { type: 'logging.config', seq: 3 },
      { type: 'decision.log', seq: 100 },
      { type: 'decision.log', seq: 3 },
      { type: 'decision.log', seq: 12 },
    ]);
    expect(report.controls[0]?.seqs).toEqual([3, 12, 100]);
  });

  it('ignores evidence of types the catalog does not use', () => {
    const report = coverageOf(catalog, [{ type: 'custom.thing', seq: 1 }]);
    expect(report.satisfied).toBe(0);
    expect(report.controls.every((c) => c.seqs.length === 0)).toBe(true);
  });

  it('does not depend on the order of the evidence', () => {
    const evidence = [
      { type: 'approval', seq: 5 },
      { type: 'eval.accuracy', seq: 2 },
      { type: 'decision.log', seq: 7 },
      { type: 'change.record', seq: 1 },
    ];
    expect(coverageOf(catalog, [...evidence].reverse())).toEqual(coverageOf(catalog, evidence));
  });

  it('covers the EU AI Act record-keeping articles from ledger decisions', () => {
    const report = coverageOf(EU_AI_ACT, [{ type: 'decision.log', seq: 1 }]);
    const status = (id: string) => report.controls.find((c) => c.id === id)?.status;
    expect(status('Art.12(1)')).toBe('satisfied');
    expect(status('Art.19(1)')).toBe('satisfied');
    expect(status('Art.10(3)')).toBe('missing');
    expect(report.controls.map((c) => c.id)).toEqual(EU_AI_ACT.controls.map((c) => c.id));
  });

  it('satisfies every control of every catalog when every evidence type is present', () => {
    const all = REGULATION_CATALOGS.flatMap((c) => c.controls.flatMap((x) => x.evidenceTypes));
    const evidence = [...new Set(all)].map((type, i) => ({ type, seq: i + 1 }));
    for (const c of REGULATION_CATALOGS) {
      const report = coverageOf(c, evidence);
      expect([report.satisfied, report.total]).toEqual([c.controls.length, c.controls.length]);
    }
  });
});
