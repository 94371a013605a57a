import { GovgateError, type StoredEntry } from '@govgate/core';
import { HttpProblem } from '../http/problem.js';
import type { RouteSpec } from '../http/route.js';
import {
  actorOf,
  checkpointSchema,
  problemResponses,
  type RouteDeps,
  storedEntrySchema,
} from './shared.js';

const MAX_PAGE = 1000;

class Aborted extends Error {}

const proofSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    size: { type: 'integer' },
    leafHash: { type: 'string' },
    path: { type: 'array', items: { type: 'string' } },
    root: { type: 'string' },
  },
} as const;

/** Reading, verifying and proving the tenant's chain; checkpoints; the public key. */
export function ledgerRoutes({ runtime, checkpoints }: RouteDeps): RouteSpec[] {
  const { ledger, governance, signer } = runtime;
  return [
    {
      method: 'get',
      path: '/v1/ledger/entries',
      operationId: 'listLedgerEntries',
      summary: 'Read ledger entries',
      tag: 'ledger',
      roles: ['admin', 'auditor'],
      query: {
        properties: {
          from: { type: 'integer', minimum: 1, description: 'First seq (default 1)' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, description: 'Default 100' },
        },
      },
      responses: {
        200: {
          description: 'A page of entries in seq order, each with its stored canonical bytes',
          schema: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: storedEntrySchema },
              next: { type: ['integer', 'null'], description: 'The `from` of the next page' },
              size: { type: 'integer', description: 'Entries in the chain' },
            },
          },
        },
        ...problemResponses(400),
      },
      handler: async ({ caller, query }) => {
        const from = (query.from as number | undefined) ?? 1;
        const limit = (query.limit as number | undefined) ?? 100;
        const head = await ledger.head(caller.tenant);
        const entries: StoredEntry[] = [];
        for await (const stored of ledger.read(caller.tenant, { fromSeq: from, limit }))
          entries.push(stored);
        const last = entries[entries.length - 1]?.entry.seq;
        return {
          body: {
            entries,
            next: last !== undefined && last < head.size ? last + 1 : null,
            size: head.size,
          },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/ledger/verify',
      operationId: 'verifyLedger',
      summary: 'Verify the chain',
      tag: 'ledger',
      roles: ['admin', 'auditor'],
      query: {
        properties: {
          deep: { type: 'boolean', description: 'Also re-serialize every entry (slower)' },
          checkpoint: {
            enum: ['latest'],
            description: 'Also check the chain against the latest signed checkpoint',
          },
        },
      },
      responses: {
        200: {
          description:
            'NDJSON, streamed: `{"progress":{"checked":n}}` lines every 10,000 entries, then one `{"report":{…}}` line (its `ok` says whether the chain verified; a failure names the first bad seq and its kind)',
          contentType: 'application/x-ndjson',
          schema: { type: 'object' },
        },
      },
      handler: async ({ caller, query, res, req }) => {
        const trusted =
          query.checkpoint === 'latest' ? await checkpoints.latest(caller.tenant) : undefined;
        if (query.checkpoint === 'latest' && trusted === undefined)
          throw new HttpProblem('NOT_FOUND', 'the tenant has no checkpoint yet');
        res.status(200);
        res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        res.flushHeaders();
        let gone = false;
        req.on('close', () => {
          if (!res.writableEnded) gone = true;
        });
        try {
          const report = await governance.verify(caller.tenant, {
            deep: query.deep === true,
            ...(trusted === undefined ? {} : { trusted, publicKeyPem: signer.publicKeyPem }),
            onProgress: (checked) => {
              if (gone) throw new Aborted();
              res.write(`${JSON.stringify({ progress: { checked } })}\n`);
            },
          });
          res.end(`${JSON.stringify({ report })}\n`);
        } catch (error) {
          if (error instanceof Aborted) return undefined;
          // Headers are sent: the error becomes the last line.
          const detail = GovgateError.is(error)
            ? `${error.code}: ${error.message}`
            : 'verification failed unexpectedly';
          res.end(`${JSON.stringify({ error: detail })}\n`);
          if (!GovgateError.is(error)) throw error;
        }
        return undefined;
      },
    },
    {
      method: 'get',
      path: '/v1/ledger/checkpoint',
      operationId: 'getCheckpoint',
      summary: 'Read the latest signed checkpoint',
      tag: 'ledger',
      roles: ['admin', 'auditor'],
      responses: {
        200: { description: 'The latest checkpoint', schema: checkpointSchema },
        ...problemResponses(404),
      },
      handler: async ({ caller }) => {
        const latest = await checkpoints.latest(caller.tenant);
        if (latest === undefined)
          throw new HttpProblem('NOT_FOUND', 'the tenant has no checkpoint yet; POST one');
        return { body: latest };
      },
    },
    {
      method: 'post',
      path: '/v1/ledger/checkpoint',
      operationId: 'createCheckpoint',
      summary: 'Sign a checkpoint now',
      tag: 'ledger',
      roles: ['admin'],
      responses: {
        201: {
          description: 'The signed checkpoint; it is also appended to the chain',
          schema: checkpointSchema,
        },
        ...problemResponses(503),
      },
      handler: async ({ caller }) => {
        await checkpoints.latest(caller.tenant); // index first, so the new one is the latest
        const checkpoint = await governance.checkpoint(caller.tenant, actorOf(caller.key.id));
        checkpoints.record(caller.tenant, checkpoint);
        return { status: 201, body: checkpoint };
      },
    },
    {
      method: 'get',
      path: '/v1/ledger/proofs/inclusion',
      operationId: 'inclusionProof',
      summary: 'Prove an entry is in the tree',
      tag: 'ledger',
      roles: ['admin', 'auditor'],
      query: {
        properties: {
          seq: { type: 'integer', minimum: 1 },
          size: { type: 'integer', minimum: 1, description: 'Tree size (default: the head)' },
        },
        required: ['seq'],
      },
      responses: {
        200: { description: 'RFC 9162 inclusion proof (hex hashes)', schema: proofSchema },
        ...problemResponses(400, 422),
      },
      handler: async ({ caller, query }) => ({
        body: await ledger.inclusionProof(
          caller.tenant,
          query.seq as number,
          query.size as number | undefined,
        ),
      }),
    },
    {
      method: 'get',
      path: '/v1/ledger/proofs/consistency',
      operationId: 'consistencyProof',
      summary: 'Prove one tree is a prefix of another',
      tag: 'ledger',
      roles: ['admin', 'auditor'],
      query: {
        properties: {
          from: { type: 'integer', minimum: 0 },
          to: { type: 'integer', minimum: 0, description: 'Default: the head' },
        },
        required: ['from'],
      },
      responses: {
        200: {
          description: 'RFC 9162 consistency proof (hex hashes)',
          schema: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              fromRoot: { type: 'string' },
              toRoot: { type: 'string' },
              path: { type: 'array', items: { type: 'string' } },
            },
          },
        },
        ...problemResponses(400, 422),
      },
      handler: async ({ caller, query }) => ({
        body: await ledger.consistencyProof(
          caller.tenant,
          query.from as number,
          query.to as number | undefined,
        ),
      }),
    },
    {
      method: 'get',
      path: '/v1/ledger/public-key',
      operationId: 'publicKey',
      summary: 'Read the checkpoint public key',
      tag: 'ledger',
      roles: ['admin', 'auditor', 'client'],
      responses: {
        200: {
          description: 'The Ed25519 key checkpoints are signed with (SPKI PEM)',
          schema: {
            type: 'object',
            properties: {
              algorithm: { const: 'Ed25519' },
              keyId: { type: 'string' },
              publicKeyPem: { type: 'string' },
            },
          },
        },
      },
      handler: () =>
        Promise.resolve({
          body: { algorithm: 'Ed25519', keyId: signer.keyId, publicKeyPem: signer.publicKeyPem },
        }),
    },
  ];
}
