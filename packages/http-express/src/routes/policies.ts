import {
  decisionRequestSchema,
  GovgateError,
  isRegoSource,
  inspectRequest,
  policyDocumentSchema,
  policyTestFileSchema,
  runPolicyTests,
  type PolicyVersionRecord,
  type RegoPolicyInput,
} from '@govgate/core';
import { HttpProblem } from '../http/problem.js';
import { validateBody, type RouteSpec } from '../http/route.js';
import {
  decisionSchema,
  POLICY_ID,
  policyVersionSchema,
  problemResponses,
  type RouteDeps,
  summarySchema,
  summaryView,
  VERSION,
} from './shared.js';

function versionView(record: PolicyVersionRecord, activeVersion: number | undefined) {
  return {
    id: record.id,
    version: record.version,
    kind: isRegoSource(record.document) ? 'rego-wasm' : 'native',
    digest: record.digest,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    active: record.version === activeVersion,
  };
}

/** What a version's document looks like over the API: a Rego bundle is summarised, not sent. */
function documentView(record: PolicyVersionRecord): unknown {
  if (!isRegoSource(record.document)) return record.document;
  const { bundle, ...rest } = record.document;
  return {
    ...rest,
    bundleBytes: Buffer.from(bundle, 'base64').length,
    bundleSha256: record.digest,
  };
}

const regoJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'id', 'version', 'bundle', 'descriptor'],
  properties: {
    kind: { const: 'rego-wasm' },
    id: POLICY_ID,
    version: VERSION,
    bundle: {
      type: 'string',
      contentEncoding: 'base64',
      description: 'bundle.tar.gz or policy.wasm, base64',
    },
    descriptor: { type: 'object' },
  },
} as const;

/** The descriptor used when a gzip body comes without one: the conventional entrypoint names. */
const DEFAULT_REGO_DESCRIPTOR = {
  entrypoints: {
    allowed: 'govgate/allow',
    riskScore: 'govgate/risk_score',
    reasons: 'govgate/reasons',
    review: 'govgate/review',
  },
};

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

/** A Rego version from a gzip body (id, version in the query) or from JSON; else undefined. */
function regoInput(
  body: unknown,
  format: string,
  query: Readonly<Record<string, unknown>>,
): RegoPolicyInput | undefined {
  if (format === 'gzip') {
    const problems = [];
    if (query.id === undefined)
      problems.push({ pointer: '?id', message: "'id' is required with a gzip body" });
    if (query.version === undefined)
      problems.push({ pointer: '?version', message: "'version' is required with a gzip body" });
    let descriptor: unknown = DEFAULT_REGO_DESCRIPTOR;
    if (typeof query.descriptor === 'string') {
      try {
        descriptor = JSON.parse(query.descriptor);
      } catch {
        problems.push({ pointer: '?descriptor', message: 'must be JSON' });
      }
    }
    if (problems.length > 0)
      throw new HttpProblem(
        'BAD_REQUEST',
        problems.map((p) => `${p.pointer} ${p.message}`).join('; '),
        problems,
      );
    return {
      id: query.id as string,
      version: query.version as number,
      bundle: body as Buffer,
      descriptor,
    };
  }
  if (!isRegoSource(body)) return undefined;
  validateBody(regoJsonSchema, body);
  const bundle = Buffer.from(body.bundle, 'base64');
  if (
    bundle.toString('base64').replace(/=+$/, '') !==
    body.bundle.replace(/\s/g, '').replace(/=+$/, '')
  )
    throw new HttpProblem('REQUEST_INVALID', 'bundle is not base64', [
      { pointer: '/bundle', message: 'must be base64' },
    ]);
  return { id: body.id, version: body.version, bundle, descriptor: body.descriptor };
}

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
      query: {
        properties: {
          id: { ...POLICY_ID, description: 'With an application/gzip body: the policy id' },
          version: { ...VERSION, description: 'With an application/gzip body: the version' },
          descriptor: {
            type: 'string',
            description:
              'With an application/gzip body: the descriptor as JSON (default: entrypoints govgate/allow, govgate/risk_score, govgate/reasons, govgate/review)',
          },
        },
      },
      body: {
        schema: { oneOf: [policyDocumentSchema, regoJsonSchema] },
        formats: ['json', 'yaml', 'gzip'],
        validate: false,
      },
      responses: {
        201: { description: 'The version was saved', schema: policyVersionSchema },
        200: {
          description: 'The same version with the same content existed',
          schema: policyVersionSchema,
        },
        ...problemResponses(400, 409, 422),
      },
      handler: async ({ caller, body, format, query }) => {
        const actor = `key:${caller.key.id}`;
        const rego = regoInput(body, format, query);
        const { record, created } =
          rego === undefined
            ? await governance.savePolicy(caller.tenant, body, actor)
            : await governance.saveRegoPolicy(caller.tenant, rego, actor);
        const active = await policies.getActive(caller.tenant);
        return {
          status: created ? 201 : 200,
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
                  ...summarySchema,
                  description: 'activeVersion is null unless this is the tenant’s active policy',
                },
              },
            },
          },
        },
      },
      handler: async ({ caller }) => ({
        body: { policies: (await policies.listPolicies(caller.tenant)).map(summaryView) },
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
            document: documentView(record),
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
          description:
            'The version is active; a policy.activated entry records it (none when it was active already)',
          schema: policyVersionSchema,
        },
        ...problemResponses(404, 409, 503),
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
        const policy = governance.engineOf(caller.tenant, record);
        const inspected = inspectRequest(body, policy.forbiddenFields);
        return { body: { ...policy.evaluate(inspected.redacted, inspected.facts), dryRun: true } };
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
        if (loaded !== undefined && isRegoSource(loaded.document))
          throw new GovgateError(
            'POLICY_TEST_INVALID',
            `policy '${loaded.id}' version ${loaded.version} is Rego: test it with opa test, or give the test file a native document`,
            { details: [{ pointer: '/policy', message: 'names a Rego policy version' }] },
          );
        const document = loaded?.document;
        const report = runPolicyTests(body, {
          ...(document === undefined ? {} : { loadPolicy: () => document }),
        });
        return { body: report };
      },
    },
  ];
  return routes;
}
