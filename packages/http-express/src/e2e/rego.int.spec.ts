import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sha256Hex } from '@govgate/core';
import { aBundle } from '../../../adapter-opa-wasm/src/__fixtures__/bundles.js';
import { fakeOpaWasm } from '../../../adapter-opa-wasm/src/__fixtures__/fake-opa-wasm.js';
import type { RunningService } from '../server.js';
import { client, start, tempDir, testConfig, type Client } from './harness.js';

// A stand-in module speaking the OPA wasm ABI (no opa binary here): the wiring of
// rego-wasm versions through the API is what is under test.
const reasons = [
  { rule: 'external-model', effect: 'score', weight: 50, reason: 'is_external_model' },
];

describe('Rego policy versions over HTTP', () => {
  const data = tempDir();
  let service: RunningService;
  let admin: Client;
  let bundle: Buffer;

  beforeAll(async () => {
    service = await start(testConfig(data.dir));
    admin = client(service.url, service.bootstrap.adminKey);
    bundle = aBundle(
      await fakeOpaWasm({
        entrypoints: {
          'govgate/allow': { json: '[{"result":false}]' },
          'govgate/risk_score': { json: '[{"result":50}]' },
          'govgate/reasons': { json: `[{"result":${JSON.stringify(reasons)}}]` },
          'govgate/review': { json: '[]' },
        },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    data.remove();
  });

  it('accepts a bundle as application/gzip, activates it, and decides checks with it', async () => {
    const saved = await admin.post('/v1/policies?id=rego-risk&version=1', bundle, {
      'content-type': 'application/gzip',
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      id: 'rego-risk',
      version: 1,
      kind: 'rego-wasm',
      digest: sha256Hex(bundle),
    });
    expect((await admin.post('/v1/policies/rego-risk/versions/1/activate')).status).toBe(200);
    const decided = await admin.post('/v1/check', {
      model: 'gpt-4o',
      operation: 'chat',
      metadata: {},
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      allowed: false,
      riskScore: 50,
      reasons,
      policy: { id: 'rego-risk', version: 1 },
    });
    const version = await admin.get('/v1/policies/rego-risk/versions/1');
    expect(version.body.document).toMatchObject({
      kind: 'rego-wasm',
      bundleBytes: bundle.length,
      bundleSha256: sha256Hex(bundle),
    });
    expect(version.body.document.bundle).toBeUndefined();
    expect((await admin.post('/v1/policies/default/versions/1/activate')).status).toBe(200);
  });

  it('accepts it as base64 in JSON with a descriptor, and refuses a bad one naming the problem', async () => {
    const descriptor = {
      entrypoints: { allowed: 'govgate/allow', riskScore: 'govgate/risk_score' },
    };
    const saved = await admin.post('/v1/policies', {
      kind: 'rego-wasm',
      id: 'rego-json',
      version: 1,
      bundle: bundle.toString('base64'),
      descriptor,
    });
    expect(saved.status).toBe(201);
    const before = (await service.runtime.ledger.head('default')).size;
    const bad = await admin.post('/v1/policies', {
      kind: 'rego-wasm',
      id: 'rego-json',
      version: 2,
      bundle: bundle.toString('base64'),
      descriptor: { entrypoints: { allowed: 'govgate/missing' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('POLICY_INVALID');
    expect(bad.body.detail).toContain('govgate/missing');
    const corrupt = await admin.post(
      '/v1/policies?id=x&version=1',
      Buffer.from([0x1f, 0x8b, 1, 2, 3]),
      {
        'content-type': 'application/gzip',
      },
    );
    expect(corrupt.status).toBe(422);
    const noId = await admin.post('/v1/policies', bundle, { 'content-type': 'application/gzip' });
    expect(noId.status).toBe(400);
    expect((await service.runtime.ledger.head('default')).size).toBe(before);
  });
});
