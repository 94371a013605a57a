import type { PolicySummary } from '@govgate/core';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../http/metrics.js';
import { PROBLEM_KINDS } from '../http/problem.js';
import type { ResponseSpec } from '../http/route.js';
import type { UsageMeter } from '../http/usage-meter.js';
import type { Runtime } from '../runtime.js';
import type { CheckpointIndex } from './checkpoint-index.js';

/** What route factories get from the app. */
export interface RouteDeps {
  readonly runtime: Runtime;
  readonly metrics: ServiceMetrics;
  readonly meter: UsageMeter;
  readonly checkpoints: CheckpointIndex;
  readonly logger: Logger;
  readonly version: string;
}

export const POLICY_ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } as const;
export const VERSION = { type: 'integer', minimum: 1 } as const;
export const KEY_ID = { type: 'string', pattern: '^[a-z0-9]{16}$' } as const;
export const TENANT_ID = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' } as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; `type` is stable per `code`',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** Problem responses by status, for OpenAPI. */
export function problemResponses(...statuses: number[]): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  for (const status of statuses) {
    const titles = Object.values(PROBLEM_KINDS)
      .filter((k) => k.status === status)
      .map((k) => k.title);
    out[status] = {
      description: [...new Set(titles)].join('; ') || 'Problem',
      schema: problemSchema,
      contentType: 'application/problem+json',
    };
  }
  return out;
}

/** A policy or profile in a list, with its latest and active version. */
export const summarySchema = {
  type: 'object',
  required: ['id', 'latestVersion', 'activeVersion'],
  properties: {
    id: { type: 'string' },
    latestVersion: { type: 'integer' },
    activeVersion: { type: ['integer', 'null'] },
  },
} as const;

/** A policy or profile in a list: `activeVersion` is null, never absent, when it is not active. */
export function summaryView(summary: PolicySummary) {
  return {
    id: summary.id,
    latestVersion: summary.latestVersion,
    activeVersion: summary.activeVersion ?? null,
  };
}

export const policyVersionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    active: { type: 'boolean' },
  },
} as const;

const reasonSchema = {
  type: 'object',
  properties: {
    rule: { type: 'string' },
    effect: { enum: ['score', 'deny', 'review'] },
    weight: { type: 'number' },
    reason: { type: 'string' },
  },
} as const;

export const decisionSchema = {
  type: 'object',
  properties: {
    allowed: { type: 'boolean' },
    riskScore: { type: 'number', minimum: 0, maximum: 100 },
    reasons: { type: 'array', items: reasonSchema },
    review: { type: 'boolean' },
    policy: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        version: { type: 'integer' },
        digest: { type: 'string' },
      },
    },
  },
} as const;

export const storedEntrySchema = {
  type: 'object',
  properties: {
    entry: {
      type: 'object',
      properties: {
        v: { const: 1 },
        tenant: { type: 'string' },
        seq: { type: 'integer' },
        ts: { type: 'string' },
        type: { type: 'string' },
        actor: { type: 'string' },
        subject: { type: 'string' },
        data: { type: 'object' },
        prev: { type: 'string' },
        hash: { type: 'string' },
      },
    },
    bytes: {
      type: 'string',
      description: 'The stored RFC 8785 canonical JSON of the entry, exactly as written',
    },
  },
} as const;

export const checkpointSchema = {
  type: 'object',
  properties: {
    tenant: { type: 'string' },
    size: { type: 'integer' },
    root: { type: 'string' },
    ts: { type: 'string' },
    keyId: { type: 'string' },
    signature: { type: 'string', description: 'base64 Ed25519 signature' },
  },
} as const;

/** Who a key's actions are recorded as in the ledger. */
export function actorOf(keyId: string): string {
  return `key:${keyId}`;
}
