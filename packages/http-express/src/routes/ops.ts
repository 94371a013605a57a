import type { RouteSpec } from '../http/route.js';
import {
  problemResponses,
  problemSchema,
  type RouteDeps,
  summarySchema,
  summaryView,
} from './shared.js';
import { problemType } from '../http/problem.js';

const checksSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { enum: ['store', 'migrations', 'ledger'] },
      ok: { type: 'boolean' },
      message: { type: 'string' },
    },
  },
} as const;

/** Liveness, readiness, status and metrics; /openapi.json is added by the app. */
export function opsRoutes({ runtime, metrics, version }: RouteDeps): RouteSpec[] {
  const startedAt = new Date(runtime.clock.now()).toISOString();
  return [
    {
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary: 'Liveness (no I/O)',
      tag: 'operations',
      roles: 'public',
      responses: {
        200: {
          description: 'The process is up',
          schema: { type: 'object', properties: { status: { const: 'ok' } } },
        },
      },
      handler: () => Promise.resolve({ body: { status: 'ok' } }),
    },
    {
      method: 'get',
      path: '/ready',
      operationId: 'ready',
      summary: 'Readiness: store reachable, migrations applied, ledger writable',
      tag: 'operations',
      roles: 'public',
      responses: {
        200: {
          description: 'Every check passed',
          schema: {
            type: 'object',
            properties: { status: { const: 'ready' }, checks: checksSchema },
          },
        },
        503: {
          description: 'A check failed; `checks` says which',
          contentType: 'application/problem+json',
          schema: { allOf: [problemSchema], properties: { checks: checksSchema } },
        },
      },
      handler: async () => {
        const checks = await runtime.readiness();
        const failed = checks.filter((c) => !c.ok);
        if (failed.length === 0) return { body: { status: 'ready', checks } };
        return {
          status: 503,
          headers: { 'Content-Type': 'application/problem+json' },
          body: {
            type: problemType('NOT_READY'),
            title: 'Not ready',
            status: 503,
            code: 'NOT_READY',
            detail: failed.map((c) => `${c.name}: ${c.message ?? 'failed'}`).join('; '),
            checks,
          },
        };
      },
    },
    {
      method: 'get',
      path: '/status',
      operationId: 'status',
      summary: 'Version, environment and the tenant’s policy versions',
      tag: 'operations',
      roles: ['admin', 'auditor', 'client'],
      responses: {
        200: {
          description: 'Status of the service as the calling tenant sees it',
          schema: {
            type: 'object',
            properties: {
              version: { type: 'string' },
              env: { enum: ['dev', 'staging', 'prod'] },
              store: { enum: ['sqlite', 'postgres'] },
              ledger: { enum: ['fs', 'postgres'] },
              startedAt: { type: 'string' },
              tenant: { type: 'string' },
              policies: { type: 'array', items: summarySchema },
              ledgerSize: { type: 'integer' },
            },
          },
        },
      },
      handler: async ({ caller }) => ({
        body: {
          version,
          env: runtime.config.env,
          store: runtime.config.store.kind,
          ledger: runtime.config.ledger.kind,
          startedAt,
          tenant: caller.tenant,
          policies: (await runtime.policies.listPolicies(caller.tenant)).map(summaryView),
          ledgerSize: (await runtime.ledger.head(caller.tenant)).size,
        },
      }),
    },
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: 'operations',
      roles: 'public',
      responses: {
        200: {
          description: 'Prometheus text exposition format',
          contentType: 'text/plain',
          schema: { type: 'string' },
        },
        ...problemResponses(500),
      },
      handler: async ({ res }) => {
        res.setHeader('Content-Type', metrics.registry.contentType);
        res.end(await metrics.registry.metrics());
        return undefined;
      },
    },
  ];
}
