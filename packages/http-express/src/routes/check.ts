import { decisionRequestSchema, GovgateError } from '@govgate/core';
import type { RouteSpec } from '../http/route.js';
import { actorOf, decisionSchema, problemResponses, type RouteDeps } from './shared.js';

/** POST /v1/check: decide and record. */
export function checkRoutes({ runtime, metrics, meter }: RouteDeps): RouteSpec[] {
  const { governance } = runtime;
  return [
    {
      method: 'post',
      path: '/v1/check',
      operationId: 'check',
      summary: 'Decide whether an operation may run, and record the decision',
      tag: 'decisions',
      roles: ['client', 'admin'],
      body: { schema: decisionRequestSchema, validate: false },
      responses: {
        200: {
          description: 'The decision, recorded in the ledger at `seq`',
          schema: {
            allOf: [decisionSchema],
            properties: { seq: { type: 'integer', description: 'Ledger seq of the decision' } },
          },
        },
        ...problemResponses(404, 422, 503),
      },
      handler: async ({ caller, body }) => {
        const keyId = caller.key.id;
        try {
          const result = await governance.check(caller.tenant, body, { actor: actorOf(keyId) });
          metrics.decisions.inc({
            outcome: !result.allowed ? 'denied' : result.review ? 'review' : 'allowed',
          });
          meter.count(caller.tenant, keyId, {
            decisions: 1,
            ...(result.allowed ? { allowed: 1 } : { denied: 1 }),
          });
          return { body: result };
        } catch (error) {
          if (
            GovgateError.is(error, 'FORBIDDEN_CONTENT_FIELD') ||
            GovgateError.is(error, 'REQUEST_INVALID')
          ) {
            metrics.decisions.inc({ outcome: 'rejected' });
            meter.count(caller.tenant, keyId, { rejected: 1 });
          }
          throw error;
        }
      },
    },
  ];
}
