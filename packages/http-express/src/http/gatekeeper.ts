import { authenticate, type RateLimitSpec } from '@govgate/core';
import type { Request, Response } from 'express';
import type { Runtime } from '../runtime.js';
import type { ServiceMetrics } from './metrics.js';
import { HttpProblem } from './problem.js';
import type { Caller, RouteSpec } from './route.js';
import type { UsageMeter } from './usage-meter.js';

const BEARER = /^Bearer[ ]+([^ ]+)[ ]*$/i;
const TOUCH_EVERY_MS = 60_000;

/**
 * Authentication, authorization and rate limiting of every /v1 request. The same 401
 * answers a malformed, unknown or wrong key, so a caller learns nothing about which
 * key ids exist; revoked and expired are named only to a holder of the right secret.
 */
export class Gatekeeper {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly runtime: Runtime,
    private readonly meter: UsageMeter,
    private readonly metrics: ServiceMetrics,
  ) {}

  async authenticate(req: Request): Promise<Caller> {
    const header = req.headers.authorization;
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const challenge = { 'WWW-Authenticate': 'Bearer realm="govgate"' };
    if (presented === undefined)
      throw new HttpProblem(
        'UNAUTHENTICATED',
        header === undefined
          ? 'send an API key: Authorization: Bearer ggk_…'
          : 'the Authorization header must be: Bearer ggk_…',
        [],
        challenge,
      );
    const now = this.runtime.clock.now();
    const auth = await authenticate(this.runtime.keys, presented, now);
    if (!auth.ok) {
      const detail =
        auth.reason === 'revoked'
          ? 'the API key was revoked'
          : auth.reason === 'expired'
            ? 'the API key has expired'
            : 'the API key is not valid';
      throw new HttpProblem('UNAUTHENTICATED', detail, [], challenge);
    }
    const key = auth.key;
    const last = this.touched.get(key.id) ?? 0;
    if (now - last >= TOUCH_EVERY_MS) {
      // last-used is informational: recorded at most once a minute per key, off the request path
      this.touched.set(key.id, now);
      if (this.touched.size > 100_000) this.touched.clear();
      void this.runtime.keys
        .touch(key.tenant, key.id, new Date(now).toISOString())
        .catch(() => undefined);
    }
    return { key, tenant: key.tenant, role: key.role, platform: key.platform === true };
  }

  authorize(caller: Caller, route: RouteSpec): void {
    if (route.roles === 'public') return;
    if (!route.roles.includes(caller.role))
      throw new HttpProblem(
        'FORBIDDEN',
        `a key with role '${caller.role}' may not ${route.summary.toLowerCase()} (needs ${route.roles.join(' or ')})`,
      );
    if (route.platform === true && !caller.platform)
      throw new HttpProblem(
        'FORBIDDEN',
        'only a platform admin key (the one created at first start) may manage tenants',
      );
  }

  /** Takes one token of the key's bucket; sets RateLimit-* headers; 429 when empty. */
  async limit(caller: Caller, res: Response, meterOnly = false): Promise<void> {
    this.meter.count(caller.tenant, caller.key.id, { requests: 1 });
    if (meterOnly) return;
    const spec: RateLimitSpec = caller.key.rateLimit ?? this.runtime.config.rateLimit;
    const result = await this.runtime.rateLimits.take(
      caller.tenant,
      `key:${caller.key.id}`,
      spec,
      this.runtime.clock.now(),
    );
    res.setHeader('RateLimit-Limit', String(spec.capacity));
    res.setHeader('RateLimit-Remaining', String(result.remaining));
    res.setHeader('RateLimit-Reset', String(Math.ceil(result.resetMs / 1000)));
    res.setHeader('RateLimit-Policy', `${spec.capacity};w=${spec.perSeconds}`);
    if (!result.allowed) {
      this.metrics.rateLimited.inc();
      this.meter.count(caller.tenant, caller.key.id, { rateLimited: 1 });
      throw new HttpProblem(
        'RATE_LIMITED',
        `this key may make ${spec.capacity} requests per ${spec.perSeconds} s; retry in ${Math.ceil(result.retryAfterMs / 1000)} s`,
        [],
        { 'Retry-After': String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))) },
      );
    }
  }
}
