import { GovgateError, type ErrorDetail } from '../errors.js';
import { USAGE_COUNTERS, type UsageCounts, type UsageCounter, type UsageQuery } from '../ports.js';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * True for a `YYYY-MM-DD` that is a day of the calendar (UTC): `2026-02-30` and
 * `2026-13-45` are not.
 *
 * @example
 * isUsageDay('2028-02-29'); // true: a leap year
 */
export function isUsageDay(day: unknown): day is string {
  return (
    typeof day === 'string' &&
    DAY.test(day) &&
    new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day
  );
}

let lastDay = { from: 0, to: 0, day: '1970-01-01' };

/** The UTC day of a moment, `YYYY-MM-DD`: the unit usage is counted in. */
export function usageDay(ms: number): string {
  // called for every request: the day is formatted once per UTC day
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const from = Math.floor(ms / 86_400_000) * 86_400_000;
  lastDay = { from, to: from + 86_400_000, day: new Date(from).toISOString().slice(0, 10) };
  return lastDay.day;
}

export function zeroCounts(): { [C in UsageCounter]: number } {
  return { requests: 0, decisions: 0, allowed: 0, denied: 0, rejected: 0, rateLimited: 0 };
}

/** A typed error for a malformed day or counts, undefined when they are fine. */
export function checkUsage(day: string, counts: UsageCounts): GovgateError | undefined {
  if (!isUsageDay(day))
    return new GovgateError(
      'REQUEST_INVALID',
      `usage day '${String(day)}' is not a calendar date (YYYY-MM-DD)`,
      {
        details: [{ pointer: '/day', message: 'must be a calendar date, YYYY-MM-DD' }],
      },
    );
  for (const [name, value] of Object.entries(counts)) {
    if (!(USAGE_COUNTERS as readonly string[]).includes(name))
      return new GovgateError('REQUEST_INVALID', `unknown usage counter '${name}'`, {
        details: [
          { pointer: `/counts/${name}`, message: `must be one of ${USAGE_COUNTERS.join(', ')}` },
        ],
      });
    if (!Number.isSafeInteger(value) || value < 0)
      return new GovgateError(
        'REQUEST_INVALID',
        `usage counter '${name}' must be a non-negative integer`,
        {
          details: [{ pointer: `/counts/${name}`, message: 'must be a non-negative integer' }],
        },
      );
  }
  return undefined;
}

/**
 * A typed error for a usage query whose bounds are not calendar dates or whose
 * `fromDay` is after its `toDay` (it would only ever match nothing), naming every bad
 * field (`/fromDay`, `/toDay`); undefined when the query is fine.
 *
 * @example
 * const problem = checkUsageQuery({ fromDay: '2026-12-05', toDay: '2026-12-01' });
 * if (problem !== undefined) throw problem; // REQUEST_INVALID, details /fromDay and /toDay
 */
export function checkUsageQuery(query: UsageQuery): GovgateError | undefined {
  const details: ErrorDetail[] = [];
  for (const field of ['fromDay', 'toDay'] as const) {
    const day = query[field];
    if (day !== undefined && !isUsageDay(day))
      details.push({ pointer: `/${field}`, message: 'must be a calendar date, YYYY-MM-DD' });
  }
  const { fromDay, toDay } = query;
  if (details.length === 0 && fromDay !== undefined && toDay !== undefined && fromDay > toDay)
    details.push(
      { pointer: '/fromDay', message: `must not be after the last day, ${toDay}` },
      { pointer: '/toDay', message: `must not be before the first day, ${fromDay}` },
    );
  if (details.length === 0) return undefined;
  return new GovgateError(
    'REQUEST_INVALID',
    `the usage query is invalid: ${details.map((d) => `${d.pointer} ${d.message}`).join('; ')}`,
    { details },
  );
}
