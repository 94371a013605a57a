import { isTenantId, type RateLimitSpec } from '@govgate/core';
import { parseRateLimit } from '@govgate/http-express';
import { InvalidArgumentError } from 'commander';

/** An option value that must be a whole number of at least `min`. */
export function integerAtLeast(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return n;
  };
}

export function tenantId(text: string): string {
  if (!isTenantId(text))
    throw new InvalidArgumentError('must be a tenant id (lowercase letters, digits, - and _)');
  return text;
}

export function rateLimit(text: string): RateLimitSpec {
  const spec = parseRateLimit(text.trim());
  if (spec === undefined)
    throw new InvalidArgumentError('must be <count>/<seconds>s, e.g. 100/60s');
  return spec;
}

/** An RFC 3339 timestamp, normalized to UTC. */
export function timestamp(text: string): string {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms))
    throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2027-01-31T00:00:00Z');
  return new Date(ms).toISOString();
}
