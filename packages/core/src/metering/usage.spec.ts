import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { checkUsage, checkUsageQuery, isUsageDay } from './usage.js';

describe('usage days', () => {
  it.each(['2026-01-01', '2026-12-31', '2028-02-29', '2000-02-29'])('%s is a day', (day) => {
    expect(isUsageDay(day)).toBe(true);
  });

  it.each(['2026-13-45', '2026-02-30', '2027-02-29', '1900-02-29', '2026-04-31', '2026-1-01', ''])(
    '%j is not',
    (day) => {
      expect(isUsageDay(day)).toBe(false);
    },
  );

  it('refuses counts for a day that is not a calendar date', () => {
    expect(checkUsage('2026-02-30', { requests: 1 })?.details).toEqual([
      { pointer: '/day', message: 'must be a calendar date, YYYY-MM-DD' },
    ]);
  });
});

describe('checkUsageQuery', () => {
  it('accepts no bounds, one bound, and a range of one day or more', () => {
    for (const query of [
      {},
      { fromDay: '2026-12-01' },
      { toDay: '2026-12-01' },
      { fromDay: '2026-12-01', toDay: '2026-12-01' },
      { keyId: 'k', fromDay: '2026-11-30', toDay: '2026-12-01' },
    ])
      expect(checkUsageQuery(query)).toBeUndefined();
  });

  it('names each bound that is not a calendar date', () => {
    const problem = checkUsageQuery({ fromDay: '2026-13-45', toDay: '2026-02-30' });
    expect(GovgateError.is(problem, 'REQUEST_INVALID')).toBe(true);
    expect(problem?.details.map((d) => d.pointer)).toEqual(['/fromDay', '/toDay']);
  });

  it('names both bounds when the range ends before it starts', () => {
    const problem = checkUsageQuery({ fromDay: '2026-12-05', toDay: '2026-12-01' });
    expect(GovgateError.is(problem, 'REQUEST_INVALID')).toBe(true);
    expect(problem?.details).toEqual([
      { pointer: '/fromDay', message: 'must not be after the last day, 2026-12-01' },
      { pointer: '/toDay', message: 'must not be before the first day, 2026-12-05' },
    ]);
  });
});
