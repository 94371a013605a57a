import {
  compilePolicy,
  decisionRequestSchema,
  GovgateError,
  inspectRequest,
  policyDocumentSchema,
  policyTestFileSchema,
  runPolicyTests,
  type PolicyVersionRecord,
} from '@govgate/core';
import { HttpProblem } from '../http/problem.js';
import type { RouteSpec } from '../http/route.js';
import {
  decisionSchema,
  POLICY_ID,
  policyVersionSchema,
  problemResponses,
  type RouteDeps,
  VERSION,
} from './shared.js';

function versionView(record: PolicyVersionRecord, activeVersion: number | undefined) {
  return {
    id: record.id,
    version: record.version,
    digest: record.digest,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    active: record.version === activeVersion,
  };
}

function parseVersion(text: string | undefined): number {
  const version = Number(text);
  if (!/^[0-9]{1,9}$/.test(text ?? '') || version < 1)
    throw new HttpProblem('NOT_FOUND', `'${String(text)}' is not a policy version`);
  return version;
}

const policyTestReportSchema = {
  type: 'object',
  properties: {
    policy: { type: 'object' },
    total: { type: 'integer' },
    passed: { type: 'integer' },
    failed: { type: 'integer' },
    cases: { type: 'array', items: { type: 'object' } },
  },
} as const;

/** Policy versions: save, list, activate (a ledger event), dry-run evaluate, run tests. */
export function policyRoutes({ runtime, metrics }: RouteDeps): RouteSpec[] {
  const { governance, policies } = runtime;
  void metrics;

  async function recordFor(tenant: string, id: string, version?: number) {
    if (version !== undefined) {
      const record = await policies.getVersion(tenant, id, version);
      if (record === undefined)
        throw new GovgateError('POLICY_NOT_FOUND', `policy '${id}' has no version ${version}`);
      return record;
    }
    const active = await policies.getActive(tenant);
    if (active?.id === id) return active;
    const versions = await policies.listVersions(tenant, id);
    const latest = versions[versions.length - 1];
    if (latest === undefined) throw new GovgateError('POLICY_NOT_FOUND', `no policy '${id}'`);
    return latest;
  }

  const routes: RouteSpec[] = [
    {
      method: 'post',
      path: '/v1/policies',
      operationId: 'savePolicy',
      summary: 'Save a new policy version',
      tag: 'policies',
      roles: ['admin'],
      body: { schema: policyDocumentSchema, formats: ['json', 'yaml'], validate: false },
      responses: {
        201: { description: 'The version was saved', schema: policyVersionSchema },
        200: {
          description: 'The same version with the same content existed',
          schema: policyVersionSchema,
        },
        ...problemResponses(409, 422),
      },
      handler: async ({ caller, body }) => {
        const doc = body as { id?: unknown; version?: unknown } | null;
        const existed =
          doc !== null &&
          typeof doc === 'object' &&
          typeof doc.id === 'string' &&
          Number.isSafeInteger(doc.version) &&
          (await policies.getVersion(caller.tenant, doc.id, doc.version as number)) !== undefined;
        const record = await governance.savePolicy(caller.tenant, body, `key:${caller.key.id}`);
        const active = await policies.getActive(caller.tenant);
        return {
          status: existed ? 200 : 201,
          body: versionView(record, active?.id === record.id ? active.version : undefined),
          headers: { Location: `/v1/policies/${record.id}/versions/${record.version}` },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/policies',
      operationId: 'listPolicies',
      summary: 'List policies',
      tag: 'policies',
      roles: ['admin', 'auditor'],
      responses: {
        200: {
          description: 'Every policy of the tenant, with its latest and active version',
          schema: {
            type: 'object',
            properties: {
              policies: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    latestVersion: { type: 'integer' },
                    activeVersion: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
      handler: async ({ caller }) => ({
        body: { policies: await policies.listPolicies(caller.tenant) },
      }),
    },
    {
      method: 'get',
      path: '/v1/policies/:id',
      operationId: 'getPolicy',
      summary: 'Read a policy and its versions',
      tag: 'policies',
      roles: ['admin', 'auditor'],
      params: { id: POLICY_ID },
      responses: {
        200: {
          description: 'The versions, and which is active',
          schema: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              activeVersion: { type: ['integer', 'null'] },
              versions: { type: 'array', items: policyVersionSchema },
            },
          },
        },
        ...problemResponses(404),
      },
      handler: async ({ caller, params }) => {
        const id = params.id as string;
        const versions = await policies.listVersions(caller.tenant, id);
        if (versions.length === 0) throw new GovgateError('POLICY_NOT_FOUND', `no policy '${id}'`);
        const active = await policies.getActive(caller.tenant);
        const activeVersion = active?.id === id ? active.version : undefined;
        return {
          body: {
            id,
            activeVersion: activeVersion ?? null,
            versions: versions.map((v) => versionView(v, activeVersion)),
          },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/policies/:id/versions/:version',
      operationId: 'getPolicyVersion',
      summary: 'Read one policy version with its document',
      tag: 'policies',
      roles: ['admin', 'auditor'],
      params: { id: POLICY_ID, version: VERSION },
      responses: {
        200: {
          description: 'The version and its document',
          schema: {
            allOf: [policyVersionSchema],
            properties: { document: policyDocumentSchema },
          },
        },
        ...problemResponses(404),
      },
      handler: async ({ caller, params }) => {
        const record = await recordFor(
          caller.tenant,
          params.id as string,
          parseVersion(params.version),
        );
        const active = await policies.getActive(caller.tenant);
        return {
          body: {
            ...versionView(record, active?.id === record.id ? active.version : undefined),
            document: record.document,
          },
        };
      },
    },
    {
      method: 'post',
      path: '/v1/policies/:id/versions/:version/activate',
      operationId: 'activatePolicy',
      summary: 'Activate a policy version',
      tag: 'policies',
      roles: ['admin'],
      params: { id: POLICY_ID, version: VERSION },
      responses: {
        200: {
          description: 'The version is active; a policy.activated entry records it',
          schema: policyVersionSchema,
        },
        ...problemResponses(404, 503),
      },
      handler: async ({ caller, params }) => {
        const record = await governance.activatePolicy(
          caller.tenant,
          params.id as string,
          parseVersion(params.version),
          `key:${caller.key.id}`,
        );
        return { body: versionView(record, record.version) };
      },
    },
    {
      method: 'post',
      path: '/v1/policies/:id/evaluate',
      operationId: 'evaluatePolicy',
      summary: 'Evaluate a request against a policy without recording it',
      tag: 'policies',
      roles: ['admin', 'client', 'auditor'],
      params: { id: POLICY_ID },
      query: { properties: { version: { type: 'integer', minimum: 1 } } },
      body: { schema: decisionRequestSchema, validate: false },
      responses: {
        200: {
          description: 'The decision (a dry run: nothing is recorded)',
          schema: decisionSchema,
        },
        ...problemResponses(404, 422),
      },
      handler: async ({ caller, params, body, query }) => {
        const record = await recordFor(
          caller.tenant,
          params.id as string,
          query.version as number | undefined,
        );
        const policy = compilePolicy(record.document, { tenant: caller.tenant });
        const inspected = inspectRequest(body, policy.forbiddenFields);
        return { body: { ...policy.evaluate(inspected.request, inspected.facts), dryRun: true } };
      },
    },
    {
      method: 'post',
      path: '/v1/policies/test',
      operationId: 'testPolicy',
      summary: 'Run a policy test file',
      tag: 'policies',
      roles: ['admin', 'client', 'auditor'],
      body: { schema: policyTestFileSchema, formats: ['json', 'yaml'], validate: false },
      responses: {
        200: {
          description:
            'The report (failed cases are a 200 too: the report says what failed). `policy` is a document, or the id of a saved policy (`id` or `id@version`).',
          schema: policyTestReportSchema,
        },
        ...problemResponses(404, 422),
      },
      handler: async ({ caller, body }) => {
        const file = body as { policy?: unknown } | null;
        let loaded: PolicyVersionRecord | undefined;
        if (file !== null && typeof file === 'object' && typeof file.policy === 'string') {
          const match = /^([^@]+)(?:@([0-9]{1,9}))?$/.exec(file.policy);
          if (match === null)
            throw new GovgateError('POLICY_TEST_INVALID', `'${file.policy}' names no policy`, {
              details: [
                { pointer: '/policy', message: 'must be a policy id, id@version, or a document' },
              ],
            });
          loaded = await recordFor(
            caller.tenant,
            match[1] as string,
            match[2] === undefined ? undefined : Number(match[2]),
          );
        }
        const report = runPolicyTests(body, {
          ...(loaded === undefined ? {} : { loadPolicy: () => loaded.document }),
        });
        return { body: report };
      },
    },
  ];
  return routes;
}
