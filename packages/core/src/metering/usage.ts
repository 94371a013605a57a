import { GovgateError } from '../errors.js';
import { USAGE_COUNTERS, type UsageCounts, type UsageCounter } from '../ports.js';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

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
  if (typeof day !== 'string' || !DAY.test(day))
    return new GovgateError('REQUEST_INVALID', `usage day '${String(day)}' is not YYYY-MM-DD`, {
      details: [{ pointer: '/day', message: 'must be YYYY-MM-DD' }],
    });
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
