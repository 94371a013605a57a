import {
  coverageOf,
  evidenceSchema,
  GovgateError,
  REGULATION_CATALOGS,
  regulationCatalog,
  requirementProfileSchema,
  WORKFLOW_STATES,
  type ProfileVersionRecord,
} from '@govgate/core';
import { HttpProblem } from '../http/problem.js';
import type { RouteSpec } from '../http/route.js';
import {
  actorOf,
  POLICY_ID,
  problemResponses,
  type RouteDeps,
  summarySchema,
  summaryView,
  VERSION,
} from './shared.js';

const RUN_ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' } as const;
const WORKFLOW_ID = { type: 'string', pattern: '^wf_[a-z0-9]{1,64}$' } as const;
const REGULATION = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } as const;
const PROFILE_REF = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[0-9]{1,9})?$',
  description: 'A profile id, or id@version',
} as const;

const profileVersionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    digest: { type: 'string' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    active: { type: 'boolean' },
  },
} as const;

const workflowSchema = {
  type: 'object',
  properties: {
    id: WORKFLOW_ID,
    regulation: REGULATION,
    title: { type: 'string' },
    state: { enum: [...WORKFLOW_STATES] },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const createWorkflowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['regulation', 'title'],
  properties: {
    regulation: { ...REGULATION, description: 'A catalog code from GET /v1/regulations' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const transitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'comment'],
  properties: {
    to: { enum: [...WORKFLOW_STATES] },
    comment: { type: 'string', minLength: 1, maxLength: 2000 },
  },
} as const;

const verdictSchema = {
  type: 'object',
  properties: {
    runId: { type: 'string' },
    status: { enum: ['VALID', 'INVALID', 'INCOMPLETE'] },
    reasons: { type: 'array', items: { type: 'object' } },
    missing: { type: 'array', items: { type: 'object' } },
    profile: { type: 'object' },
    basedOn: { type: 'array', items: { type: 'integer' } },
    counts: { type: 'object' },
    judgedAt: { type: 'string' },
  },
} as const;

function profileView(record: ProfileVersionRecord, active: ProfileVersionRecord | undefined) {
  return {
    id: record.id,
    version: record.version,
    digest: record.digest,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    active: active?.id === record.id && active.version === record.version,
  };
}

/** A profile version from the path; NOT_FOUND unless it is a positive integer. */
function profileVersionOf(text: string | undefined): number {
  const version = Number(text);
  if (!/^[0-9]{1,9}$/.test(text ?? '') || version < 1)
    throw new HttpProblem('NOT_FOUND', `'${String(text)}' is not a profile version`);
  return version;
}

function catalogOf(code: string) {
  const catalog = regulationCatalog(code);
  if (catalog === undefined)
    throw new HttpProblem(
      'NOT_FOUND',
      `no regulation '${code}'; known: ${REGULATION_CATALOGS.map((c) => c.code).join(', ')}`,
    );
  return catalog;
}

/** Evidence, verdicts, packs, profiles, regulations, coverage, workflows. */
export function complianceRoutes({ runtime }: RouteDeps): RouteSpec[] {
  const { compliance, profiles, workflows, evidenceIndex } = runtime;
  return [
    {
      method: 'post',
      path: '/v1/evidence',
      operationId: 'recordEvidence',
      summary: 'Record evidence for a run',
      tag: 'compliance',
      roles: ['client', 'admin'],
      body: { schema: evidenceSchema, validate: false },
      responses: {
        201: {
          description: 'Recorded as an `evidence` ledger entry at `seq`',
          schema: {
            type: 'object',
            properties: { seq: { type: 'integer' }, runId: RUN_ID, type: { type: 'string' } },
          },
        },
        // 404 PROFILE_NOT_FOUND: `profile` names no profile (version) of the tenant
        ...problemResponses(404, 422, 503),
      },
      handler: async ({ caller, body }) => {
        const recorded = await compliance.recordEvidence(
          caller.tenant,
          body,
          actorOf(caller.key.id),
        );
        return { status: 201, body: recorded };
      },
    },
    {
      method: 'get',
      path: '/v1/runs/:runId/verdict',
      operationId: 'runVerdict',
      summary: 'Judge a run',
      tag: 'compliance',
      roles: ['admin', 'auditor', 'client'],
      params: { runId: RUN_ID },
      query: { properties: { profile: PROFILE_REF } },
      responses: {
        200: {
          description: 'VALID, INVALID or INCOMPLETE, with reasons and missing items',
          schema: verdictSchema,
        },
        ...problemResponses(404),
      },
      handler: async ({ caller, params, query }) => {
        const runId = params.runId as string;
        const verdict = await compliance.verdict(caller.tenant, runId, {
          ...(query.profile === undefined ? {} : { profile: query.profile as string }),
        });
        // a run exists through its evidence: none here, no such run (for this tenant)
        if (verdict.basedOn.length === 0)
          throw new HttpProblem('NOT_FOUND', `run '${runId}' has no evidence`);
        return { body: verdict };
      },
    },
    {
      method: 'get',
      path: '/v1/runs/:runId/pack',
      operationId: 'runPack',
      summary: 'Export a run’s evidence pack',
      tag: 'compliance',
      roles: ['admin', 'auditor'],
      params: { runId: RUN_ID },
      responses: {
        200: {
          description:
            'govgate.evidence_pack.v1: the run’s entries as stored, each with an inclusion proof against a checkpoint signed now (also appended to the chain). Verify offline with `govgate pack verify`.',
          schema: { type: 'object', properties: { schema: { const: 'govgate.evidence_pack.v1' } } },
        },
        ...problemResponses(404, 422),
      },
      handler: async ({ caller, params }) => {
        const runId = params.runId as string;
        const pack = await compliance
          .pack(caller.tenant, runId, actorOf(caller.key.id))
          .catch((error: unknown) => {
            if (GovgateError.is(error, 'EVIDENCE_INVALID'))
              throw new HttpProblem('NOT_FOUND', `run '${runId}' has no evidence`);
            throw error;
          });
        return {
          body: pack,
          headers: { 'Content-Disposition': `attachment; filename="evidence-pack-${runId}.json"` },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/regulations',
      operationId: 'listRegulations',
      summary: 'List regulation catalogs',
      tag: 'compliance',
      roles: ['admin', 'auditor', 'client'],
      responses: {
        200: {
          description: 'Every catalog with its control count',
          schema: {
            type: 'object',
            properties: { regulations: { type: 'array', items: { type: 'object' } } },
          },
        },
      },
      handler: () =>
        Promise.resolve({
          body: {
            regulations: REGULATION_CATALOGS.map((c) => ({
              code: c.code,
              name: c.name,
              version: c.version,
              url: c.url,
              controls: c.controls.length,
            })),
          },
        }),
    },
    {
      method: 'get',
      path: '/v1/regulations/:code/controls',
      operationId: 'regulationControls',
      summary: 'List a regulation’s controls',
      tag: 'compliance',
      roles: ['admin', 'auditor', 'client'],
      params: { code: REGULATION },
      responses: {
        200: {
          description: 'The controls, each with the evidence types that satisfy it',
          schema: {
            type: 'object',
            properties: { controls: { type: 'array', items: { type: 'object' } } },
          },
        },
        ...problemResponses(404),
      },
      handler: ({ params }) => {
        const catalog = catalogOf(params.code as string);
        return Promise.resolve({
          body: { code: catalog.code, name: catalog.name, controls: catalog.controls },
        });
      },
    },
    {
      method: 'get',
      path: '/v1/coverage',
      operationId: 'coverage',
      summary: 'Control coverage of a run or of the tenant',
      tag: 'compliance',
      roles: ['admin', 'auditor'],
      query: {
        properties: {
          runId: { ...RUN_ID, description: 'One run; without it, all evidence of the tenant' },
          regulation: { ...REGULATION, description: 'One catalog; without it, all of them' },
        },
      },
      responses: {
        200: {
          description: 'Per regulation and control: satisfied or missing, with the evidence seqs',
          schema: {
            type: 'object',
            properties: { coverage: { type: 'array', items: { type: 'object' } } },
          },
        },
        ...problemResponses(404),
      },
      handler: async ({ caller, query }) => {
        const catalogs =
          query.regulation === undefined
            ? REGULATION_CATALOGS
            : [catalogOf(query.regulation as string)];
        const rows = await evidenceIndex.list(
          caller.tenant,
          query.runId === undefined ? {} : { runId: query.runId as string },
        );
        return {
          body: {
            ...(query.runId === undefined ? {} : { runId: query.runId }),
            coverage: catalogs.map((c) => coverageOf(c, rows)),
          },
        };
      },
    },
    {
      method: 'post',
      path: '/v1/profiles',
      operationId: 'saveProfile',
      summary: 'Save a requirement profile version',
      tag: 'compliance',
      roles: ['admin'],
      body: { schema: requirementProfileSchema, formats: ['json', 'yaml'], validate: false },
      responses: {
        201: { description: 'The version was saved', schema: profileVersionSchema },
        200: {
          description: 'The same version with the same content existed (nothing is recorded)',
          schema: profileVersionSchema,
        },
        ...problemResponses(409, 422),
      },
      handler: async ({ caller, body }) => {
        const { record, created } = await compliance.saveProfile(
          caller.tenant,
          body,
          actorOf(caller.key.id),
        );
        return {
          status: created ? 201 : 200,
          body: profileView(record, await profiles.getActive(caller.tenant)),
          headers: { Location: `/v1/profiles/${record.id}/versions/${record.version}` },
        };
      },
    },
    {
      method: 'get',
      path: '/v1/profiles',
      operationId: 'listProfiles',
      summary: 'List requirement profiles',
      tag: 'compliance',
      roles: ['admin', 'auditor'],
      responses: {
        200: {
          description: 'Every profile with its latest and active version',
          schema: {
            type: 'object',
            properties: {
              profiles: {
                type: 'array',
                items: {
                  ...summarySchema,
                  description: 'activeVersion is null unless this is the tenant’s active profile',
                },
              },
            },
          },
        },
      },
      handler: async ({ caller }) => ({
        body: { profiles: (await profiles.listProfiles(caller.tenant)).map(summaryView) },
      }),
    },
    {
      method: 'get',
      path: '/v1/profiles/:id/versions/:version',
      operationId: 'getProfileVersion',
      summary: 'Read one requirement profile version with its document',
      tag: 'compliance',
      roles: ['admin', 'auditor'],
      params: { id: POLICY_ID, version: VERSION },
      responses: {
        200: {
          description: 'The version and its document (what a verdict digest names)',
          schema: {
            allOf: [profileVersionSchema],
            properties: { document: { type: 'object' } },
          },
        },
        ...problemResponses(404),
      },
      handler: async ({ caller, params }) => {
        const version = profileVersionOf(params.version);
        const record = await profiles.getVersion(caller.tenant, params.id as string, version);
        if (record === undefined)
          throw new GovgateError(
            'PROFILE_NOT_FOUND',
            `profile '${String(params.id)}' version ${version} does not exist`,
          );
        return {
          body: {
            ...profileView(record, await profiles.getActive(caller.tenant)),
            document: record.document,
          },
        };
      },
    },
    {
      method: 'post',
      path: '/v1/profiles/:id/versions/:version/activate',
      operationId: 'activateProfile',
      summary: 'Activate a requirement profile version',
      tag: 'compliance',
      roles: ['admin'],
      params: { id: POLICY_ID, version: VERSION },
      responses: {
        200: {
          description:
            'The version is active; a profile.activated entry records it (none when it was active already)',
          schema: profileVersionSchema,
        },
        ...problemResponses(404, 409, 503),
      },
      handler: async ({ caller, params }) => {
        const version = profileVersionOf(params.version);
        const record = await compliance.activateProfile(
          caller.tenant,
          params.id as string,
          version,
          actorOf(caller.key.id),
        );
        return { body: profileView(record, record) };
      },
    },
    {
      method: 'post',
      path: '/v1/workflows',
      operationId: 'createWorkflow',
      summary: 'Open an assessment workflow',
      tag: 'compliance',
      roles: ['admin'],
      body: { schema: createWorkflowSchema },
      responses: {
        201: { description: 'The workflow, in draft', schema: workflowSchema },
        ...problemResponses(404, 422),
      },
      handler: async ({ caller, body }) => {
        const input = body as { regulation: string; title: string };
        catalogOf(input.regulation);
        const record = await compliance.createWorkflow(
          caller.tenant,
          input,
          actorOf(caller.key.id),
        );
        const { tenant: _t, ...view } = record;
        return { status: 201, body: view, headers: { Location: `/v1/workflows/${record.id}` } };
      },
    },
    {
      method: 'get',
      path: '/v1/workflows',
      operationId: 'listWorkflows',
      summary: 'List assessment workflows',
      tag: 'compliance',
      roles: ['admin', 'auditor'],
      query: { properties: { regulation: REGULATION } },
      responses: {
        200: {
          description: 'The tenant’s workflows in creation order',
          schema: {
            type: 'object',
            properties: { workflows: { type: 'array', items: workflowSchema } },
          },
        },
      },
      handler: async ({ caller, query }) => {
        const list = await workflows.list(
          caller.tenant,
          query.regulation === undefined ? {} : { regulation: query.regulation as string },
        );
        return { body: { workflows: list.map(({ tenant: _t, ...w }) => w) } };
      },
    },
    {
      method: 'post',
      path: '/v1/workflows/:id/transitions',
      operationId: 'transitionWorkflow',
      summary: 'Move an assessment workflow',
      tag: 'compliance',
      roles: ['admin'],
      params: { id: WORKFLOW_ID },
      body: { schema: transitionSchema },
      responses: {
        200: {
          description: 'The workflow in its new state; a workflow.transition entry records it',
          schema: workflowSchema,
        },
        ...problemResponses(404, 409, 422),
      },
      handler: async ({ caller, params, body }) => {
        const id = params.id as string;
        if ((await workflows.get(caller.tenant, id)) === undefined)
          throw new HttpProblem('NOT_FOUND', `no workflow '${id}'`);
        const input = body as { to: string; comment: string };
        const record = await compliance.transition(
          caller.tenant,
          id,
          input.to,
          input.comment,
          actorOf(caller.key.id),
        );
        const { tenant: _t, ...view } = record;
        return { body: view };
      },
    },
  ];
}
