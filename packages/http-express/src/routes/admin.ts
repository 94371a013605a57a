import {
  GovgateError,
  USAGE_COUNTERS,
  checkUsageQuery,
  type ApiKeyRecord,
  type RateLimitSpec,
  type Role,
  type UsageQuery,
} from '@govgate/core';
import { parseRateLimit } from '../config.js';
import { HttpProblem } from '../http/problem.js';
import type { Caller, RouteSpec } from '../http/route.js';
import { keyAdmin } from '../keys.js';
import { KEY_ID, problemResponses, type RouteDeps, TENANT_ID } from './shared.js';

const RATE = '^[0-9]{1,9}/[0-9]{1,7}s$';
const DAY = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;

/** Query parameter of each usage query field, for problems that name them. */
const DAY_PARAMETERS: Readonly<Record<string, string>> = { '/fromDay': '?from', '/toDay': '?to' };

/**
 * The days of a usage query from `?from` and `?to` (core's checkUsageQuery decides): a
 * day that is not a calendar date, or a `from` after `to`, is a 400 naming the parameter.
 */
function usageDays(query: Readonly<Record<string, unknown>>): UsageQuery {
  const days: UsageQuery = {
    ...(query.from === undefined ? {} : { fromDay: query.from as string }),
    ...(query.to === undefined ? {} : { toDay: query.to as string }),
  };
  const problem = checkUsageQuery(days);
  if (problem === undefined) return days;
  const errors = problem.details.map((d) => ({
    pointer: DAY_PARAMETERS[d.pointer] ?? d.pointer,
    message: d.message,
  }));
  throw new HttpProblem(
    'BAD_REQUEST',
    `invalid query: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
    errors,
  );
}

const tenantSchema = {
  type: 'object',
  properties: {
    id: TENANT_ID,
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const createTenantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { ...TENANT_ID, description: 'lowercase letters, digits, _ and -; 1-63 characters' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const keyViewSchema = {
  type: 'object',
  description: 'A key as stored, without any secret or hash',
  properties: {
    id: KEY_ID,
    tenant: TENANT_ID,
    role: { enum: ['admin', 'client', 'auditor'] },
    name: { type: 'string' },
    platform: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: 'string', format: 'date-time' },
    rateLimit: { type: 'string', pattern: RATE },
    previousValidUntil: { type: 'string', format: 'date-time' },
  },
} as const;

const createKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role', 'name'],
  properties: {
    tenant: { ...TENANT_ID, description: 'Another tenant: platform admins only' },
    role: { enum: ['admin', 'client', 'auditor'] },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    rateLimit: {
      type: 'string',
      pattern: RATE,
      description: '<count>/<seconds>s; default: GOVGATE_RATE_LIMIT',
    },
    expiresAt: {
      type: 'string',
      pattern:
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$',
      description: 'RFC 3339 time, e.g. 2027-01-31T00:00:00Z',
    },
  },
} as const;

const rotateKeySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    graceSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 2_592_000,
      description: 'How long the old secret stays valid (default 3600)',
    },
  },
} as const;

const issuedKeySchema = {
  type: 'object',
  properties: {
    key: { type: 'string', description: 'The full key; shown only in this response' },
    record: keyViewSchema,
  },
} as const;

/** A key record as the API shows it: never the secret's hash. */
export function keyView(record: ApiKeyRecord) {
  return {
    id: record.id,
    tenant: record.tenant,
    role: record.role,
    name: record.name,
    ...(record.platform === true ? { platform: true } : {}),
    createdAt: record.createdAt,
    ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
    ...(record.revokedAt === undefined ? {} : { revokedAt: record.revokedAt }),
    ...(record.lastUsedAt === undefined ? {} : { lastUsedAt: record.lastUsedAt }),
    ...(record.rateLimit === undefined
      ? {}
      : { rateLimit: `${record.rateLimit.capacity}/${record.rateLimit.perSeconds}s` }),
    ...(record.previousValidUntil === undefined
      ? {}
      : { previousValidUntil: record.previousValidUntil }),
  };
}

/** Tenants (platform admins), keys and usage (tenant admins). */
export function adminRoutes({ runtime, meter }: RouteDeps): RouteSpec[] {
  const { tenants, keys, usage, clock } = runtime;

  /** The tenant a request acts on: its own, or (platform admins) one named. */
  async function targetTenant(caller: Caller, named: string | undefined): Promise<string> {
    if (named === undefined || named === caller.tenant) return caller.tenant;
    // Other tenants are invisible to tenant admins: the same 404 as a tenant that does not exist.
    if (!caller.platform || (await tenants.get(named)) === undefined)
      throw new HttpProblem('NOT_FOUND', `no tenant '${named}'`);
    return named;
  }

  /** A key the caller may manage; KEY_INVALID (404) for any other. */
  async function keyOf(caller: Caller, id: string): Promise<ApiKeyRecord> {
    const record = await keys.findById(id);
    if (record === undefined || (record.tenant !== caller.tenant && !caller.platform))
      throw new GovgateError('KEY_INVALID', `no key '${id}'`);
    return record;
  }

  return [
    {
      method: 'post',
      path: '/v1/admin/tenants',
      operationId: 'createTenant',
      summary: 'Create a tenant',
      tag: 'admin',
      roles: ['admin'],
      platform: true,
      body: { schema: createTenantSchema },
      responses: {
        201: { description: 'The tenant', schema: tenantSchema },
        ...problemResponses(403, 409, 422),
      },
      handler: async ({ body }) => {
        const input = body as { id: string; name?: string };
        const record = await tenants.create({
          id: input.id,
          name: input.name ?? input.id,
          createdAt: new Date(clock.now()).toISOString(),
        });
        return {
          status: 201,
          body: record,
          headers: { Location: `/v1/admin/tenants/${record.id}` },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/admin/tenants',
      operationId: 'listTenants',
      summary: 'List tenants',
      tag: 'admin',
      roles: ['admin'],
      platform: true,
      responses: {
        200: {
          description: 'Every tenant',
          schema: {
            type: 'object',
            properties: { tenants: { type: 'array', items: tenantSchema } },
          },
        },
        ...problemResponses(403),
      },
      handler: async () => ({ body: { tenants: await tenants.list() } }),
    },
    {
      method: 'post',
      path: '/v1/admin/keys',
      operationId: 'createKey',
      summary: 'Create an API key',
      tag: 'admin',
      roles: ['admin'],
      body: { schema: createKeySchema },
      responses: {
        201: { description: 'The key; its secret is shown only here', schema: issuedKeySchema },
        ...problemResponses(404, 422),
      },
      handler: async ({ caller, body }) => {
        const input = body as {
          tenant?: string;
          role: Role;
          name: string;
          rateLimit?: string;
          expiresAt?: string;
        };
        const tenant = await targetTenant(caller, input.tenant);
        let rateLimit: RateLimitSpec | undefined;
        if (input.rateLimit !== undefined) {
          rateLimit = parseRateLimit(input.rateLimit);
          if (rateLimit === undefined)
            throw new HttpProblem(
              'REQUEST_INVALID',
              'rateLimit needs a count and seconds of at least 1',
              [{ pointer: '/rateLimit', message: 'count and seconds must both be at least 1' }],
            );
        }
        if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= clock.now())
          throw new HttpProblem('REQUEST_INVALID', 'expiresAt is in the past', [
            { pointer: '/expiresAt', message: 'must be in the future' },
          ]);
        const issued = await keyAdmin(runtime).create(
          {
            tenant,
            role: input.role,
            name: input.name,
            ...(rateLimit === undefined ? {} : { rateLimit }),
            ...(input.expiresAt === undefined
              ? {}
              : { expiresAt: new Date(input.expiresAt).toISOString() }),
          },
          `key:${caller.key.id}`,
        );
        return {
          status: 201,
          body: { key: issued.key, record: keyView(issued.record) },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/admin/keys',
      operationId: 'listKeys',
      summary: 'List API keys',
      tag: 'admin',
      roles: ['admin'],
      query: { properties: { tenant: { ...TENANT_ID, description: 'platform admins only' } } },
      responses: {
        200: {
          description: 'The keys of the tenant, without secrets',
          schema: { type: 'object', properties: { keys: { type: 'array', items: keyViewSchema } } },
        },
        ...problemResponses(404),
      },
      handler: async ({ caller, query }) => {
        const tenant = await targetTenant(caller, query.tenant as string | undefined);
        return { body: { keys: (await keys.list(tenant)).map(keyView) } };
      },
    },
    {
      method: 'post',
      path: '/v1/admin/keys/:id/rotate',
      operationId: 'rotateKey',
      summary: 'Rotate an API key',
      tag: 'admin',
      roles: ['admin'],
      params: { id: KEY_ID },
      body: { schema: rotateKeySchema },
      responses: {
        200: {
          description:
            'The new key (shown only here); the old secret stays valid for the grace period',
          schema: issuedKeySchema,
        },
        ...problemResponses(404, 422),
      },
      handler: async ({ caller, params, body }) => {
        const record = await keyOf(caller, params.id as string);
        const grace = (body as { graceSeconds?: number } | undefined)?.graceSeconds ?? 3600;
        const issued = await keyAdmin(runtime).rotate(record, grace, `key:${caller.key.id}`);
        return {
          body: { key: issued.key, record: keyView(issued.record) },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    },
    {
      method: 'delete',
      path: '/v1/admin/keys/:id',
      operationId: 'revokeKey',
      summary: 'Revoke an API key',
      tag: 'admin',
      roles: ['admin'],
      params: { id: KEY_ID },
      responses: {
        200: {
          description:
            'The revoked key (the record stays); a key.revoked entry records it (none when it was revoked already)',
          schema: keyViewSchema,
        },
        ...problemResponses(404, 503),
      },
      handler: async ({ caller, params }) => {
        const record = await keyOf(caller, params.id as string);
        const revoked = await keyAdmin(runtime).revoke(record, `key:${caller.key.id}`);
        return { body: keyView(revoked) };
      },
    },
    {
      method: 'get',
      path: '/v1/admin/usage',
      operationId: 'tenantUsage',
      summary: 'Read usage per key and day',
      tag: 'admin',
      roles: ['admin'],
      query: {
        properties: {
          keyId: KEY_ID,
          from: { ...DAY, description: 'First day, YYYY-MM-DD (UTC)' },
          to: { ...DAY, description: 'Last day, YYYY-MM-DD (UTC)' },
        },
      },
      responses: {
        200: { description: 'Usage rows in (day, key) order', schema: usageSchema },
        ...problemResponses(400, 404),
      },
      handler: async ({ caller, query }) => {
        const days = usageDays(query);
        const keyId = query.keyId as string | undefined;
        // A key of another tenant is not found here, as everywhere (platform keys too:
        // this route reads the caller's own tenant).
        if (keyId !== undefined && (await keys.findById(keyId))?.tenant !== caller.tenant)
          throw new GovgateError('KEY_INVALID', `no key '${keyId}'`);
        await meter.flush();
        const rows = await usage.list(caller.tenant, {
          ...(query.keyId === undefined ? {} : { keyId: query.keyId as string }),
          ...days,
        });
        return { body: { usage: rows.map(({ tenant: _t, ...row }) => row) } };
      },
    },
    {
      method: 'get',
      path: '/v1/usage',
      operationId: 'ownUsage',
      summary: 'Read the calling key’s usage',
      tag: 'usage',
      roles: ['admin', 'client', 'auditor'],
      query: {
        properties: {
          from: { ...DAY, description: 'First day, YYYY-MM-DD (UTC)' },
          to: { ...DAY, description: 'Last day, YYYY-MM-DD (UTC)' },
        },
      },
      responses: {
        200: { description: 'Usage of the calling key per day', schema: usageSchema },
        ...problemResponses(400),
      },
      handler: async ({ caller, query }) => {
        const days = usageDays(query);
        await meter.flush();
        const rows = await usage.list(caller.tenant, { keyId: caller.key.id, ...days });
        return {
          body: {
            keyId: caller.key.id,
            rateLimit:
              keyView(caller.key).rateLimit ??
              `${runtime.config.rateLimit.capacity}/${runtime.config.rateLimit.perSeconds}s`,
            usage: rows.map(({ tenant: _t, keyId: _k, ...row }) => row),
          },
        };
      },
    },
  ];
}

const usageSchema = {
  type: 'object',
  properties: {
    usage: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          keyId: KEY_ID,
          day: DAY,
          counts: {
            type: 'object',
            properties: Object.fromEntries(USAGE_COUNTERS.map((c) => [c, { type: 'integer' }])),
          },
        },
      },
    },
  },
} as const;
