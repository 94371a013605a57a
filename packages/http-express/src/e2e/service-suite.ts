import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  verifyCheckpoint,
  verifyInclusionProof,
  type Role,
  type SignedCheckpoint,
} from '@govgate/core';
import { keyAdmin } from '../keys.js';
import type { RunningService } from '../server.js';
import type { ServiceConfig } from '../config.js';
import { client, start, type Answer, type Client } from './harness.js';

/** How a backend is set up for the suite, and how its outage is simulated. */
export interface ServiceFixture {
  readonly config: ServiceConfig;
  /** Makes the store or the ledger unavailable, and brings it back. */
  readonly outage: {
    readonly check: 'store' | 'ledger';
    cut(): Promise<void>;
    restore(): Promise<void>;
  };
  /** A second, separate configuration (own data) for the shutdown test. */
  readonly isolated: () => Promise<{ config: ServiceConfig; cleanup: () => Promise<void> }>;
  readonly cleanup: () => Promise<void>;
}

const SEED = { model: 'gpt-4o', operation: 'chat.completion' };

// Which test checks that a key of tenant `other` cannot read or change tenant
// `default`'s data through each route ('tenant isolation' below, and 'shows none of it
// to another tenant' in compliance.int.spec.ts); a new route must be added to one.
const ISOLATION_CHECKED_HERE = [
  'POST /v1/check',
  'POST /v1/policies',
  'GET /v1/policies',
  'GET /v1/policies/:id',
  'GET /v1/policies/:id/versions/:version',
  'POST /v1/policies/:id/versions/:version/activate',
  'POST /v1/policies/:id/evaluate',
  'POST /v1/policies/test',
  'GET /v1/ledger/entries',
  'GET /v1/ledger/verify',
  'GET /v1/ledger/checkpoint',
  'POST /v1/ledger/checkpoint',
  'GET /v1/ledger/proofs/inclusion',
  'GET /v1/ledger/proofs/consistency',
  'POST /v1/admin/tenants',
  'GET /v1/admin/tenants',
  'POST /v1/admin/keys',
  'GET /v1/admin/keys',
  'POST /v1/admin/keys/:id/rotate',
  'DELETE /v1/admin/keys/:id',
  'GET /v1/admin/usage',
  'GET /v1/usage',
  'GET /status',
];
const ISOLATION_CHECKED_IN_COMPLIANCE_SPEC = [
  'POST /v1/evidence',
  'GET /v1/runs/:runId/verdict',
  'GET /v1/runs/:runId/pack',
  'GET /v1/coverage',
  'POST /v1/profiles',
  'GET /v1/profiles',
  'GET /v1/profiles/:id/versions/:version',
  'POST /v1/profiles/:id/versions/:version/activate',
  'POST /v1/workflows',
  'GET /v1/workflows',
  'POST /v1/workflows/:id/transitions',
];
/** The same for every tenant: the service's public key and the regulation catalogs. */
const TENANT_FREE_ROUTES = [
  'GET /v1/ledger/public-key',
  'GET /v1/regulations',
  'GET /v1/regulations/:code/controls',
];
const NO_KEY = 'zzzzzzzzzzzzzzzz';

function expectProblem(answer: Answer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.type).toContain('application/problem+json');
  expect(answer.body).toMatchObject({
    status,
    code,
    type: `https://govgate.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
  });
}

/** Ledger size of a tenant, straight from the runtime. */
async function sizeOf(service: RunningService, tenant = 'default'): Promise<number> {
  return (await service.runtime.ledger.head(tenant)).size;
}

/**
 * The end-to-end suite of the HTTP service over real HTTP on an ephemeral port,
 * run once per backend (SQLite + file ledger, Postgres).
 */
export function serviceSuite(name: string, setup: () => Promise<ServiceFixture>): void {
  describe(`govgate service over HTTP (${name})`, () => {
    let fixture: ServiceFixture;
    let service: RunningService;
    let platform: Client;
    const keys: Record<string, string> = {};
    const as: Record<string, Client> = {};
    let anonymous: Client;

    beforeAll(async () => {
      fixture = await setup();
      service = await start(fixture.config);
      const adminKey = service.bootstrap.adminKey as string;
      platform = client(service.url, adminKey);
      anonymous = client(service.url);
      for (const role of ['admin', 'client', 'auditor'] as Role[]) {
        const created = await platform.post('/v1/admin/keys', { role, name: `${role} key` });
        expect(created.status).toBe(201);
        keys[role] = created.body.key as string;
        as[role] = client(service.url, keys[role]);
      }
      expect(
        (await platform.post('/v1/admin/tenants', { id: 'other', name: 'Other' })).status,
      ).toBe(201);
      const otherAdmin = await platform.post('/v1/admin/keys', {
        tenant: 'other',
        role: 'admin',
        name: 'other admin',
      });
      expect(otherAdmin.status).toBe(201);
      keys.other = otherAdmin.body.key as string;
      as.other = client(service.url, keys.other);
    }, 60_000);

    afterAll(async () => {
      // after the outage test, a Postgres client may wait out its 5 s end timeout
      await service?.stop();
      await fixture?.cleanup();
    }, 60_000);

    describe('first start', () => {
      it('created tenant default with the seed policy active and a platform admin key', async () => {
        expect(service.bootstrap.adminKey).toMatch(/^ggk_[a-z0-9]{16}_/);
        const policy = await platform.get('/v1/policies/default');
        expect(policy.status).toBe(200);
        expect(policy.body.activeVersion).toBe(1);
      });
    });

    describe('the seed example through /v1/check', () => {
      it.each([
        [{ contains_personal_data: true }, false, 70, ['contains_personal_data']],
        [{ is_external_model: true }, false, 50, ['is_external_model']],
        [{ contains_personal_data: false, is_external_model: false }, true, 0, []],
      ])('metadata %j → allowed %s, score %d', async (metadata, allowed, score, reasons) => {
        const before = await sizeOf(service);
        const answer = await as.client!.post('/v1/check', { ...SEED, metadata });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ allowed, riskScore: score });
        expect(answer.body.reasons.map((r: { reason: string }) => r.reason)).toEqual(reasons);
        expect(answer.body.seq).toBe(before + 1);
        const [stored] = await collect(service, 'default', answer.body.seq as number);
        expect(stored?.type).toBe('decision');
        expect(stored?.actor).toMatch(/^key:/);
      });

      it('refuses forbidden content fields with 422 naming the paths, and records the rejection without values', async () => {
        const answer = await as.client!.post('/v1/check', {
          ...SEED,
          metadata: { prompt: 'the secret contract text', nested: { Completion: 'x' } },
        });
        expectProblem(answer, 422, 'FORBIDDEN_CONTENT_FIELD');
        const pointers = (answer.body.errors as { pointer: string }[]).map((e) => e.pointer);
        expect(pointers).toEqual(
          expect.arrayContaining(['/metadata/prompt', '/metadata/nested/Completion']),
        );
        const head = await sizeOf(service);
        const [entry] = await collect(service, 'default', head);
        expect(entry?.type).toBe('decision.rejected');
        expect(JSON.stringify(entry)).not.toContain('secret contract');
      });
    });

    describe('authentication', () => {
      it('answers a missing, malformed, unknown or wrong key with the same 401', async () => {
        const real = keys.client!;
        const wrongSecret = `${real.slice(0, 21)}${'A'.repeat(43)}`;
        const unknownId = `ggk_${NO_KEY}_${real.slice(21)}`;
        const answers = await Promise.all(
          ['ggk_short', wrongSecret, unknownId].map((k) => client(service.url, k).get('/v1/usage')),
        );
        for (const a of answers) expectProblem(a, 401, 'UNAUTHENTICATED');
        expect(new Set(answers.map((a) => a.body.detail)).size).toBe(1);
        expect(answers[0]?.headers.get('www-authenticate')).toContain('Bearer');
        expectProblem(await anonymous.get('/v1/usage'), 401, 'UNAUTHENTICATED');
      });

      it('names revoked and expired keys to their holders', async () => {
        const made = await as.admin!.post('/v1/admin/keys', {
          role: 'client',
          name: 'short-lived',
        });
        const revoked = await as.admin!.delete(`/v1/admin/keys/${made.body.record.id as string}`);
        expect(revoked.status).toBe(200);
        expect(revoked.body.revokedAt).toBeDefined();
        const answer = await client(service.url, made.body.key as string).get('/v1/usage');
        expectProblem(answer, 401, 'UNAUTHENTICATED');
        expect(answer.body.detail).toContain('revoked');
        const expired = await keyAdmin(service.runtime).create(
          {
            tenant: 'default',
            role: 'client',
            name: 'expired',
            expiresAt: new Date(Date.now() - 1000).toISOString(),
          },
          'test',
        );
        const late = await client(service.url, expired.key).get('/v1/usage');
        expectProblem(late, 401, 'UNAUTHENTICATED');
        expect(late.body.detail).toContain('expired');
      });

      it('rotates a key: the new secret works and the old one during the grace period', async () => {
        const made = await as.admin!.post('/v1/admin/keys', { role: 'auditor', name: 'rotating' });
        const id = made.body.record.id as string;
        const rotated = await as.admin!.post(`/v1/admin/keys/${id}/rotate`, { graceSeconds: 60 });
        expect(rotated.status).toBe(200);
        expect(rotated.body.key).not.toBe(made.body.key);
        expect(
          (await client(service.url, rotated.body.key as string).get('/v1/usage')).status,
        ).toBe(200);
        expect((await client(service.url, made.body.key as string).get('/v1/usage')).status).toBe(
          200,
        );
        const none = await as.admin!.post(`/v1/admin/keys/${id}/rotate`, { graceSeconds: 0 });
        expect(
          (await client(service.url, rotated.body.key as string).get('/v1/usage')).status,
        ).toBe(401);
        expect((await client(service.url, none.body.key as string).get('/v1/usage')).status).toBe(
          200,
        );
      });

      it('records every key change in the tenant ledger, never a secret', async () => {
        const made = await as.admin!.post('/v1/admin/keys', {
          role: 'client',
          name: 'audited',
          rateLimit: '5/10s',
        });
        const id = made.body.record.id as string;
        await as.admin!.post(`/v1/admin/keys/${id}/rotate`, { graceSeconds: 30 });
        await as.admin!.delete(`/v1/admin/keys/${id}`);
        const events: { type: string; actor: string; data: unknown; bytes: string }[] = [];
        for await (const { entry, bytes } of service.runtime.ledger.read('default'))
          if (entry.subject === id) events.push({ ...entry, bytes });
        expect(events.map((e) => e.type)).toEqual(['key.created', 'key.rotated', 'key.revoked']);
        const stored = (await service.runtime.keys.findById(id))!;
        expect(events[0]!.data).toEqual({
          key: { id, name: 'audited', role: 'client', rateLimit: '5/10s' },
        });
        expect(events[2]!.data).toEqual({ key: { id }, at: stored.revokedAt });
        expect(new Set(events.map((e) => e.actor)).size).toBe(1);
        expect(events[0]!.actor).toMatch(/^key:[a-z0-9]{16}$/);
        for (const event of events) {
          expect(event.bytes).not.toContain(stored.secretHash);
          expect(event.bytes).not.toContain(stored.previousSecretHash);
          expect(event.bytes).not.toContain('ggk_');
        }
      });

      it('answers revoking a revoked key with 200 and the key as it is, recording the revocation once', async () => {
        const made = await as.admin!.post('/v1/admin/keys', { role: 'client', name: 'twice' });
        const id = made.body.record.id as string;
        const first = await as.admin!.delete(`/v1/admin/keys/${id}`);
        expect(first.status).toBe(200);
        const size = await sizeOf(service);
        const again = await as.admin!.delete(`/v1/admin/keys/${id}`);
        expect(again.status).toBe(200);
        expect(again.body).toEqual(first.body);
        expect(await sizeOf(service)).toBe(size);
        // the same revocation sent several times at once is recorded once too
        const raced = (await as.admin!.post('/v1/admin/keys', { role: 'client', name: 'raced' }))
          .body.record.id as string;
        const answers = await Promise.all(
          [1, 2, 3, 4].map(() => as.admin!.delete(`/v1/admin/keys/${raced}`)),
        );
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
        expect(new Set(answers.map((a) => a.body.revokedAt as string)).size).toBe(1);
        const revocations: unknown[] = [];
        for await (const { entry } of service.runtime.ledger.read('default'))
          if (entry.type === 'key.revoked' && [id, raced].includes(entry.subject ?? ''))
            revocations.push(entry.subject);
        expect(revocations).toEqual([id, raced]);
      });

      it('never shows secrets or their hashes when listing keys', async () => {
        const listed = await as.admin!.get('/v1/admin/keys');
        expect(listed.status).toBe(200);
        expect(listed.text).not.toMatch(/secretHash|previousSecretHash|ggk_/);
        expect(listed.body.keys.length).toBeGreaterThanOrEqual(4);
      });
    });

    describe('route coverage', () => {
      it('has a tenant isolation check for every route that reads or changes tenant data', () => {
        const checked = new Set([
          ...ISOLATION_CHECKED_HERE,
          ...ISOLATION_CHECKED_IN_COMPLIANCE_SPEC,
          ...TENANT_FREE_ROUTES,
        ]);
        const routes = service.service.routes
          .filter((r) => r.roles !== 'public')
          .map((r) => `${r.method.toUpperCase()} ${r.path}`);
        expect(routes.filter((r) => !checked.has(r))).toEqual([]);
        expect([...checked].filter((r) => !routes.includes(r))).toEqual([]);
      });
    });

    describe('roles', () => {
      const roleKeys: [string, Role, boolean][] = [
        ['platform admin', 'admin', true],
        ['admin', 'admin', false],
        ['client', 'client', false],
        ['auditor', 'auditor', false],
      ];
      it('enforces the role matrix on every route', async () => {
        const problems: string[] = [];
        for (const route of service.service.routes) {
          if (route.roles === 'public') continue;
          for (const [label, role, isPlatform] of roleKeys) {
            const who = isPlatform ? platform : label === 'admin' ? as.admin! : as[role]!;
            const path = route.path
              .replace(':id/versions', 'default/versions')
              .replace('/v1/policies/:id', '/v1/policies/default')
              .replace(':version', '999')
              .replace(':id', NO_KEY);
            const query =
              route.path === '/v1/ledger/proofs/inclusion'
                ? '?seq=1'
                : route.path === '/v1/ledger/proofs/consistency'
                  ? '?from=1'
                  : '';
            const answer = await who.call(
              route.method.toUpperCase(),
              `${path}${query}`,
              route.body === undefined ? undefined : {},
            );
            const allowed = route.roles.includes(role) && (route.platform !== true || isPlatform);
            const forbidden = answer.status === 403;
            if (allowed === forbidden || answer.status === 401)
              problems.push(
                `${route.method} ${route.path} as ${label}: ${answer.status} ${answer.text.slice(0, 120)}`,
              );
          }
        }
        expect(problems).toEqual([]);
      });
    });

    describe('tenant isolation', () => {
      it('hides every piece of tenant default from a key of tenant other', async () => {
        const other = as.other!;
        // Entries that exist in default's chain and not in other's (whose chain holds only
        // the creation of its keys): proofs for them must not be found through other.
        const defaultSize = (await platform.post('/v1/ledger/checkpoint')).body.size as number;
        expect(defaultSize).toBeGreaterThan((await other.get('/status')).body.ledgerSize as number);
        const aKeyOfDefault = (await platform.get('/v1/admin/keys')).body.keys[0].id as string;
        const notFound: [string, Promise<Answer>][] = [
          ['policy', other.get('/v1/policies/default')],
          ['policy version', other.get('/v1/policies/default/versions/1')],
          ['activate', other.post('/v1/policies/default/versions/1/activate')],
          ['evaluate', other.post('/v1/policies/default/evaluate', { ...SEED, metadata: {} })],
          [
            'policy test',
            other.post('/v1/policies/test', {
              policy: 'default',
              cases: [{ name: 'x', request: { ...SEED, metadata: {} }, expect: { allowed: true } }],
            }),
          ],
          ['check', other.post('/v1/check', { ...SEED, metadata: {} })],
          ['checkpoint', other.get('/v1/ledger/checkpoint')],
          ['inclusion proof', other.get(`/v1/ledger/proofs/inclusion?seq=${defaultSize}`)],
          [
            'consistency proof',
            other.get(`/v1/ledger/proofs/consistency?from=1&to=${defaultSize}`),
          ],
          ['keys of default', other.get('/v1/admin/keys?tenant=default')],
          [
            'create key in default',
            other.post('/v1/admin/keys', { tenant: 'default', role: 'admin', name: 'x' }),
          ],
          ['rotate a key of default', other.post(`/v1/admin/keys/${aKeyOfDefault}/rotate`, {})],
          ['revoke a key of default', other.delete(`/v1/admin/keys/${aKeyOfDefault}`)],
          ['usage of a key of default', other.get(`/v1/admin/usage?keyId=${aKeyOfDefault}`)],
        ];
        for (const [what, pending] of notFound) {
          const answer = await pending;
          expect([what, answer.status]).toEqual([what, 404]);
        }
        const listed = await other.get('/v1/policies');
        expect(listed.body.policies).toEqual([]);
        // other's chain holds only the creation of its own keys.
        const keysOfOther = await other.get('/v1/admin/keys');
        const entries = await other.get('/v1/ledger/entries');
        const ownIds = keysOfOther.body.keys.map((k: { id: string }) => k.id) as string[];
        const seen = (entries.body.entries as { entry: { type: string; subject: string } }[]).map(
          ({ entry }) => [entry.type, ownIds.includes(entry.subject)],
        );
        expect(seen).toEqual(ownIds.map(() => ['key.created', true]));
        const verify = await other.get('/v1/ledger/verify');
        expect(JSON.parse(verify.text.trim().split('\n').pop() as string).report.checked).toBe(
          ownIds.length,
        );
        expect(keysOfOther.body.keys.map((k: { tenant: string }) => k.tenant)).toEqual(['other']);
        const usage = await other.get('/v1/admin/usage');
        const ownKeyIds = new Set(keysOfOther.body.keys.map((k: { id: string }) => k.id));
        for (const row of usage.body.usage as { keyId: string }[])
          expect(ownKeyIds.has(row.keyId)).toBe(true);
        const status = await other.get('/status');
        expect(status.body).toMatchObject({
          tenant: 'other',
          policies: [],
          ledgerSize: ownIds.length,
        });
        expect((await other.get('/v1/admin/tenants')).status).toBe(403);
        expect((await other.post('/v1/admin/tenants', { id: 'sneaky' })).status).toBe(403);
        // a checkpoint other signs is of its own chain; default's stays as it was
        const defaultCheckpoint = (await platform.get('/v1/ledger/checkpoint')).body;
        const signed = await other.post('/v1/ledger/checkpoint');
        expect(signed.status).toBe(201);
        expect(signed.body.tenant).toBe('other');
        expect((await platform.get('/v1/ledger/checkpoint')).body).toEqual(defaultCheckpoint);
        // the key still works for what is its own
        expect((await other.get('/v1/usage')).status).toBe(200);
        // a policy other saves under default's policy id is other's own
        const versionsOfDefault = (await platform.get('/v1/policies/default')).body;
        const saved = await other.post('/v1/policies', {
          id: 'default',
          version: 99,
          threshold: 50,
          rules: [{ id: 'r', when: { path: 'metadata.x', exists: true }, effect: 'deny' }],
        });
        expect(saved.status).toBe(201);
        expect((await platform.get('/v1/policies/default')).body).toEqual(versionsOfDefault);
        const own = (await other.get('/v1/policies/default')).body as {
          versions: { version: number }[];
        };
        expect(own.versions.map((v) => v.version)).toEqual([99]);
      });
    });

    describe('rate limits', () => {
      it('sends RateLimit headers on every response and 429 with Retry-After when the bucket is empty', async () => {
        const made = await as.admin!.post('/v1/admin/keys', {
          role: 'client',
          name: 'slow',
          rateLimit: '5/60s',
        });
        const slow = client(service.url, made.body.key as string);
        const answers: Answer[] = [];
        for (let i = 0; i < 3; i++)
          answers.push(await slow.post('/v1/check', { ...SEED, metadata: {} }));
        // refused requests are counted and carry the headers too
        answers.push(await slow.post('/v1/check', { ...SEED, metadata: {}, colour: 'red' }));
        answers.push(await slow.get('/v1/admin/keys'));
        expect(
          answers.map((a) => [
            a.status,
            a.headers.get('ratelimit-limit'),
            a.headers.get('ratelimit-remaining'),
          ]),
        ).toEqual([
          [200, '5', '4'],
          [200, '5', '3'],
          [200, '5', '2'],
          [422, '5', '1'],
          [403, '5', '0'],
        ]);
        const before = await sizeOf(service);
        const refused = await slow.post('/v1/check', { ...SEED, metadata: {} });
        expectProblem(refused, 429, 'RATE_LIMITED');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(refused.headers.get('ratelimit-remaining')).toBe('0');
        expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
        expect(await sizeOf(service)).toBe(before);
        const usage = await client(service.url, made.body.key as string).get('/v1/usage');
        expect(usage.status).toBe(429);
      });

      it('refuses usage days that are not dates, or a range that ends before it starts, with 400 naming the parameter', async () => {
        const cases: [string, string[]][] = [
          ['/v1/admin/usage?from=2026-13-45', ['?from']],
          ['/v1/admin/usage?to=2026-02-30', ['?to']],
          ['/v1/admin/usage?from=2026-12-05&to=2026-12-01', ['?from', '?to']],
          ['/v1/usage?from=2027-02-29', ['?from']],
          ['/v1/usage?from=2026-12-05&to=2026-12-01', ['?from', '?to']],
        ];
        for (const [path, pointers] of cases) {
          const answer = await as.admin!.get(path);
          expectProblem(answer, 400, 'BAD_REQUEST');
          expect([
            path,
            (answer.body.errors as { pointer: string }[]).map((e) => e.pointer),
          ]).toEqual([path, pointers]);
        }
        for (const path of [
          '/v1/admin/usage?from=2026-12-01&to=2026-12-01',
          '/v1/usage?from=2028-02-29&to=2028-03-01',
        ])
          expect([path, (await as.admin!.get(path)).status]).toEqual([path, 200]);
      });

      it('counts usage per key and day', async () => {
        const before = await as.auditor!.get('/v1/usage');
        const count = (a: Answer) =>
          (a.body.usage as { counts: { requests: number } }[]).reduce(
            (n, r) => n + r.counts.requests,
            0,
          );
        const after = await as.auditor!.get('/v1/usage');
        expect(count(after)).toBe(count(before) + 1);
      });
    });

    describe('policies', () => {
      const yaml = (version: number, threshold = 50) =>
        `id: strict\nversion: ${version}\nthreshold: ${threshold}\nrules:\n  - id: external\n    when: { path: metadata.is_external_model, equals: true }\n    effect: deny\n`;

      it('saves YAML versions, refuses changed content under a used version, activates with a ledger entry', async () => {
        const saved = await as.admin!.post('/v1/policies', yaml(1), {
          'content-type': 'application/yaml',
        });
        expect(saved.status).toBe(201);
        expect(saved.headers.get('location')).toBe('/v1/policies/strict/versions/1');
        const again = await as.admin!.post('/v1/policies', yaml(1), {
          'content-type': 'application/yaml',
        });
        expect(again.status).toBe(200);
        const before = await sizeOf(service);
        expectProblem(
          await as.admin!.post('/v1/policies', yaml(1, 60), { 'content-type': 'application/yaml' }),
          409,
          'CONFLICT',
        );
        expect(await sizeOf(service)).toBe(before);
        const activated = await as.admin!.post('/v1/policies/strict/versions/1/activate');
        expect(activated.status).toBe(200);
        const [entry] = await collect(service, 'default', before + 1);
        expect(entry?.type).toBe('policy.activated');
        const denied = await as.client!.post('/v1/check', {
          ...SEED,
          metadata: { is_external_model: true },
        });
        expect(denied.body).toMatchObject({ allowed: false, policy: { id: 'strict', version: 1 } });
        expect((await as.admin!.post('/v1/policies/default/versions/1/activate')).status).toBe(200);
      });

      it('reports every problem of an invalid policy with its pointer, and stores nothing', async () => {
        const before = await sizeOf(service);
        const answer = await as.admin!.post('/v1/policies', {
          id: 'bad',
          version: 1,
          threshold: 500,
          rules: [{ id: 'r', when: { path: 'metadata.x', equals: 1 }, effect: 'score', wieght: 3 }],
        });
        expectProblem(answer, 422, 'POLICY_INVALID');
        const pointers = (answer.body.errors as { pointer: string }[]).map((e) => e.pointer);
        expect(pointers).toEqual(expect.arrayContaining(['/threshold', '/rules/0/wieght']));
        expect(await sizeOf(service)).toBe(before);
        expect((await as.admin!.get('/v1/policies/bad')).status).toBe(404);
      });

      it('evaluates as a dry run without recording', async () => {
        const before = await sizeOf(service);
        const answer = await as.client!.post('/v1/policies/default/evaluate', {
          ...SEED,
          metadata: { contains_personal_data: true },
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ allowed: false, riskScore: 70, dryRun: true });
        expect(await sizeOf(service)).toBe(before);
      });

      it('answers activating the active version with 200 and records nothing, also when sent at once', async () => {
        expect((await as.admin!.post('/v1/policies/default/versions/1/activate')).status).toBe(200);
        const before = await sizeOf(service);
        const answers = await Promise.all(
          [1, 2, 3].map(() => as.admin!.post('/v1/policies/default/versions/1/activate')),
        );
        for (const answer of answers) {
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ id: 'default', version: 1, active: true });
        }
        expect(await sizeOf(service)).toBe(before);
      });

      it('lists policies with activeVersion null when not active, as reading one policy does', async () => {
        const saved = await as.admin!.post('/v1/policies', yaml(1), {
          'content-type': 'application/yaml',
        });
        expect(saved.status).toBeLessThan(300);
        expect((await as.admin!.post('/v1/policies/default/versions/1/activate')).status).toBe(200);
        const listed = (await as.auditor!.get('/v1/policies')).body.policies as {
          id: string;
        }[];
        expect(listed.find((p) => p.id === 'strict')).toEqual({
          id: 'strict',
          latestVersion: 1,
          activeVersion: null,
        });
        expect(listed.find((p) => p.id === 'default')).toEqual({
          id: 'default',
          latestVersion: 1,
          activeVersion: 1,
        });
        expect((await as.auditor!.get('/v1/policies/strict')).body.activeVersion).toBeNull();
        const status = await as.auditor!.get('/status');
        expect(status.body.policies).toEqual(listed);
      });

      it('runs a policy test file against a saved policy and reports failures', async () => {
        const file = `policy: default\ncases:\n  - name: personal data is blocked\n    request: { model: m, operation: o, metadata: { contains_personal_data: true } }\n    expect: { allowed: false, riskScore: 70 }\n  - name: wrong on purpose\n    request: { model: m, operation: o, metadata: {} }\n    expect: { allowed: false }\n`;
        const answer = await as.client!.post('/v1/policies/test', file, {
          'content-type': 'application/yaml',
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ total: 2, passed: 1, failed: 1 });
      });
    });

    describe('ledger', () => {
      it('pages entries with their stored canonical bytes', async () => {
        const first = await as.auditor!.get('/v1/ledger/entries?from=1&limit=2');
        expect(first.status).toBe(200);
        expect(first.body.entries).toHaveLength(2);
        expect(first.body.next).toBe(3);
        for (const { entry, bytes } of first.body.entries as { entry: unknown; bytes: string }[])
          expect(JSON.parse(bytes)).toEqual(entry);
        expectProblem(await as.auditor!.get('/v1/ledger/entries?limit=5000'), 400, 'BAD_REQUEST');
        expectProblem(await as.auditor!.get('/v1/ledger/entries?from=abc'), 400, 'BAD_REQUEST');
        expectProblem(await as.auditor!.get('/v1/ledger/entries?form=1'), 400, 'BAD_REQUEST');
      });

      it('signs checkpoints that verify offline, and proves inclusion against them', async () => {
        const made = await as.admin!.post('/v1/ledger/checkpoint');
        expect(made.status).toBe(201);
        const latest = await as.auditor!.get('/v1/ledger/checkpoint');
        expect(latest.body).toEqual(made.body);
        const key = await as.client!.get('/v1/ledger/public-key');
        expect(verifyCheckpoint(latest.body, key.body.publicKeyPem as string)).toEqual({
          ok: true,
        });
        const cp = latest.body as SignedCheckpoint;
        const proof = await as.auditor!.get(`/v1/ledger/proofs/inclusion?seq=2&size=${cp.size}`);
        expect(proof.status).toBe(200);
        expect(proof.body.root).toBe(cp.root);
        const [entryBytes] = await collect(service, 'default', 2, true);
        expect(
          verifyInclusionProof(proof.body, {
            entryBytes: entryBytes as unknown as string,
            root: cp.root,
          }),
        ).toBe(true);
        const consistency = await as.auditor!.get(
          `/v1/ledger/proofs/consistency?from=2&to=${cp.size}`,
        );
        expect(consistency.status).toBe(200);
        expectProblem(
          await as.auditor!.get('/v1/ledger/proofs/inclusion?seq=999999'),
          404,
          'LEDGER_RANGE',
        );
      });

      it('streams verification progress and the report', async () => {
        const answer = await as.auditor!.get('/v1/ledger/verify?checkpoint=latest');
        expect(answer.status).toBe(200);
        expect(answer.type).toContain('application/x-ndjson');
        const last = JSON.parse(answer.text.trim().split('\n').pop() as string);
        expect(last.report).toMatchObject({ ok: true, tenant: 'default' });
        expect(last.report.checked).toBe(await sizeOf(service));
      });
    });

    describe('bad input', () => {
      const cases: [string, () => Promise<Answer>, number, string][] = [];
      it('answers every kind of bad input with a problem and stores nothing', async () => {
        const c = as.client!;
        const big = 'x'.repeat(fixture.config.bodyLimitBytes + 10);
        let deep: unknown = 1;
        for (let i = 0; i < 200; i++) deep = { d: deep };
        cases.push(
          [
            'malformed JSON',
            () => c.post('/v1/check', '{"model": ', { 'content-type': 'application/json' }),
            400,
            'MALFORMED_BODY',
          ],
          [
            'wrong content type',
            () =>
              c.post('/v1/check', 'model=x', {
                'content-type': 'application/x-www-form-urlencoded',
              }),
            415,
            'UNSUPPORTED_MEDIA_TYPE',
          ],
          [
            'no content type',
            () => c.call('POST', '/v1/check', '{}', { 'content-type': '' }),
            415,
            'UNSUPPORTED_MEDIA_TYPE',
          ],
          [
            'body over the limit',
            () =>
              c.post('/v1/check', JSON.stringify({ ...SEED, metadata: { big } }), {
                'content-type': 'application/json',
              }),
            413,
            'PAYLOAD_TOO_LARGE',
          ],
          [
            'deep nesting',
            () => c.post('/v1/check', { ...SEED, metadata: deep }),
            400,
            'MALFORMED_BODY',
          ],
          [
            '__proto__ key',
            () =>
              c.post(
                '/v1/check',
                `{"model":"m","operation":"o","metadata":{"__proto__":{"polluted":true}}}`,
                { 'content-type': 'application/json' },
              ),
            422,
            'REQUEST_INVALID',
          ],
          [
            'unknown field',
            () => c.post('/v1/check', { ...SEED, metadata: {}, colour: 'red' }),
            422,
            'REQUEST_INVALID',
          ],
          [
            'missing body',
            () => c.call('POST', '/v1/check', undefined, { 'content-type': 'application/json' }),
            400,
            'MALFORMED_BODY',
          ],
          [
            'not UTF-8',
            () =>
              c.call('POST', '/v1/check', Buffer.from([0x7b, 0xff, 0x7d]), {
                'content-type': 'application/json',
              }),
            400,
            'MALFORMED_BODY',
          ],
          [
            'gzip body that is not gzip',
            () =>
              c.call('POST', '/v1/check', Buffer.from('{"model":"m"}'), {
                'content-type': 'application/json',
                'content-encoding': 'gzip',
              }),
            400,
            'MALFORMED_BODY',
          ],
          [
            'a charset other than UTF-8',
            () =>
              c.post('/v1/check', JSON.stringify({ ...SEED, metadata: {} }), {
                'content-type': 'application/json; charset=latin1',
              }),
            415,
            'UNSUPPORTED_MEDIA_TYPE',
          ],
          [
            'a body where the route takes none',
            () =>
              as.admin!.call('POST', '/v1/ledger/checkpoint', 'garbage', {
                'content-type': 'text/plain',
              }),
            400,
            'MALFORMED_BODY',
          ],
          [
            'a key repeated in one object (JSON.parse would keep the last)',
            () =>
              c.post(
                '/v1/check',
                '{"model":"m","operation":"o","metadata":{"contains_personal_data":true,"contains_personal_data":false}}',
                { 'content-type': 'application/json' },
              ),
            400,
            'MALFORMED_BODY',
          ],
          ['unknown route', () => c.get('/v1/nope'), 404, 'NOT_FOUND'],
          ['wrong method', () => c.call('PUT', '/v1/check', {}), 405, 'METHOD_NOT_ALLOWED'],
          [
            'unknown key field',
            () => as.admin!.post('/v1/admin/keys', { role: 'client', name: 'x', tenantt: 'a' }),
            422,
            'REQUEST_INVALID',
          ],
          [
            'bad role',
            () => as.admin!.post('/v1/admin/keys', { role: 'root', name: 'x' }),
            422,
            'REQUEST_INVALID',
          ],
        );
        const before = await sizeOf(service);
        const keysBefore = (await as.admin!.get('/v1/admin/keys')).body.keys.length as number;
        for (const [what, send, status, code] of cases) {
          const answer = await send();
          expect([what, answer.status, answer.body?.code]).toEqual([what, status, code]);
          expect(answer.type).toContain('application/problem+json');
        }
        expect(await sizeOf(service)).toBe(before);
        expect((await as.admin!.get('/v1/admin/keys')).body.keys.length).toBe(keysBefore);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('names the repeated key of a body by its pointer', async () => {
        const answer = await as.client!.post(
          '/v1/check',
          '{"model":"m","operation":"o","metadata":{"a/b":1,"a\\u002fb":2}}',
          { 'content-type': 'application/json' },
        );
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          code: 'MALFORMED_BODY',
          detail: 'the body repeats the key at /metadata/a~1b',
          errors: [
            { pointer: '/metadata/a~1b', message: expect.stringContaining('repeats a key') },
          ],
        });
      });

      it('answers huge headers with 431 problem details', async () => {
        const url = new URL(service.url);
        const answer = await new Promise<{ status: number; body: string; id: unknown }>(
          (resolve, reject) => {
            const req = request(
              {
                host: url.hostname,
                port: url.port,
                path: '/health',
                headers: { 'x-huge': 'h'.repeat(20_000) },
              },
              (res) => {
                let body = '';
                res.on('data', (d: Buffer) => (body += d.toString()));
                res.on('end', () =>
                  resolve({ status: res.statusCode ?? 0, body, id: res.headers['x-request-id'] }),
                );
              },
            );
            req.on('error', reject);
            req.end();
          },
        );
        expect(answer.status).toBe(431);
        expect(JSON.parse(answer.body)).toMatchObject({
          code: 'HEADERS_TOO_LARGE',
          requestId: answer.id,
        });
        expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
      });
    });

    describe('operations', () => {
      it('serves health, status, metrics, request ids and an OpenAPI document with every route', async () => {
        expect((await anonymous.get('/health')).body).toEqual({ status: 'ok' });
        const status = await as.auditor!.get('/status');
        expect(status.body).toMatchObject({ env: 'dev', tenant: 'default' });
        const echoed = await anonymous.get('/health', { 'x-request-id': 'trace-123' });
        expect(echoed.headers.get('x-request-id')).toBe('trace-123');
        const generated = await anonymous.get('/health', { 'x-request-id': 'bad id with spaces' });
        expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        const metrics = await anonymous.get('/metrics');
        for (const name of [
          'govgate_http_requests_total',
          'govgate_http_request_duration_seconds_bucket',
          'govgate_decisions_total{outcome="allowed"}',
          'govgate_decisions_total{outcome="rejected"}',
          'govgate_ledger_append_duration_seconds_bucket',
          'govgate_ledger_batch_entries_bucket',
          'govgate_rate_limit_rejections_total',
        ])
          expect(metrics.text).toContain(name);
        const doc = (await anonymous.get('/openapi.json')).body as {
          openapi: string;
          paths: Record<string, Record<string, unknown>>;
        };
        expect(doc.openapi).toBe('3.1.0');
        for (const route of service.service.routes) {
          const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
          expect([route.path, doc.paths[path]?.[route.method] !== undefined]).toEqual([
            route.path,
            true,
          ]);
        }
      });

      it('describes in OpenAPI what the routes answer: 200 and 201 for saves, null activeVersions, 400 for usage days', async () => {
        const doc = (await anonymous.get('/openapi.json')).body as {
          paths: Record<
            string,
            Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
          >;
        };
        const responses = (path: string, method: string) =>
          doc.paths[path]?.[method]?.responses ?? {};
        for (const path of ['/v1/policies', '/v1/profiles'])
          expect([path, Object.keys(responses(path, 'post'))]).toEqual([
            path,
            expect.arrayContaining(['200', '201']),
          ]);
        expect(Object.keys(responses('/v1/evidence', 'post'))).toContain('404');
        for (const path of ['/v1/admin/usage', '/v1/usage'])
          expect([path, Object.keys(responses(path, 'get'))]).toEqual([
            path,
            expect.arrayContaining(['400']),
          ]);
        for (const [path, list] of [
          ['/v1/policies', 'policies'],
          ['/v1/profiles', 'profiles'],
        ] as const) {
          const schema = responses(path, 'get')['200']?.content?.['application/json'] as {
            schema: { properties: Record<string, { items: unknown }> };
          };
          expect(schema.schema.properties[list]?.items).toMatchObject({
            required: ['id', 'latestVersion', 'activeVersion'],
            properties: { activeVersion: { type: ['integer', 'null'] } },
          });
        }
      });

      it(
        'goes 503 naming the failed check when the ' + 'backend is out, and back to 200 after',
        async () => {
          expect((await anonymous.get('/ready')).status).toBe(200);
          await fixture.outage.cut();
          try {
            const down = await anonymous.get('/ready');
            expectProblem(down, 503, 'NOT_READY');
            const failed = (down.body.checks as { name: string; ok: boolean }[])
              .filter((c) => !c.ok)
              .map((c) => c.name);
            expect(failed).toContain(fixture.outage.check);
          } finally {
            await fixture.outage.restore();
          }
          let ready = await anonymous.get('/ready');
          for (let i = 0; i < 20 && ready.status !== 200; i++) {
            await new Promise((r) => setTimeout(r, 250));
            ready = await anonymous.get('/ready');
          }
          expect(ready.status).toBe(200);
        },
        30_000,
      );
    });

    describe('graceful shutdown', () => {
      it('loses no acknowledged decision', async () => {
        const { config, cleanup } = await fixture.isolated();
        const running = await start(config);
        const key = running.bootstrap.adminKey as string;
        const c = client(running.url, key);
        const acknowledged: number[] = [];
        const sends = Array.from({ length: 200 }, (_, i) =>
          c.post('/v1/check', { ...SEED, metadata: { n: i } }).then(
            (a) => {
              if (a.status === 200) acknowledged.push(a.body.seq as number);
            },
            () => undefined,
          ),
        );
        // stop while requests are in flight: some answered, others still being decided
        for (let i = 0; i < 400 && acknowledged.length < 20; i++)
          await new Promise((r) => setTimeout(r, 5));
        const inflightAtStop = 200 - acknowledged.length;
        await running.stop();
        expect(inflightAtStop).toBeGreaterThan(0);
        await Promise.all(sends);
        expect(acknowledged.length).toBeGreaterThan(0);
        const reopened = await start(config);
        try {
          const report = await reopened.runtime.governance.verify('default');
          expect(report.ok).toBe(true);
          const seqs = new Set<number>();
          for await (const { entry } of reopened.runtime.ledger.read('default'))
            if (entry.type === 'decision') seqs.add(entry.seq);
          for (const seq of acknowledged) expect(seqs.has(seq)).toBe(true);
        } finally {
          await reopened.stop();
          await cleanup();
        }
      }, 60_000);
    });
  });
}

/** Entries (or their stored bytes) of a tenant from `seq` on. */
async function collect(service: RunningService, tenant: string, seq: number, bytes = false) {
  const out: ({ type: string; actor: string } | string)[] = [];
  for await (const stored of service.runtime.ledger.read(tenant, { fromSeq: seq, limit: 1 }))
    out.push(bytes ? stored.bytes : stored.entry);
  return out as { type: string; actor: string }[];
}

/** Makes a directory unwritable, also for root (chattr +i); undone by the returned function. */
export function freezeDirectory(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir]);
    return () => execFileSync('chattr', ['-i', dir]);
  }
  chmodSync(dir, 0o500);
  return () => chmodSync(dir, 0o700);
}
