import { beforeAll, describe, expect, it } from '@jest/globals';
import { GovgateError, deriveFacts, type DecisionRequest } from '@govgate/core';
import { aBundle } from './__fixtures__/bundles.js';
import { fakeOpaWasm } from './__fixtures__/fake-opa-wasm.js';
import { loadRegoPolicy, mergeData } from './rego-policy.js';

// A hand-written module with the OPA wasm ABI stands in for a compiled policy: these tests
// cover loading, the checks and the mapping; Rego semantics need GOVGATE_OPA_BIN
// (opa-compiled.int.spec.ts).
const request: DecisionRequest = {
  model: 'gpt-4o',
  operation: 'chat.completion',
  metadata: { ticket_owner: '[redacted:email]' },
};
const facts = deriveFacts({ ...request, metadata: { ticket_owner: 'alice@example.com' } });
const reasons = [{ rule: 'r1', effect: 'score', weight: 70, reason: 'contains_personal_data' }];

function failure(fn: () => unknown): GovgateError {
  try {
    fn();
  } catch (error) {
    if (GovgateError.is(error, 'POLICY_INVALID')) return error;
    throw error;
  }
  throw new Error('expected POLICY_INVALID');
}

let seedLike: Uint8Array;
let echo: Uint8Array;
beforeAll(async () => {
  seedLike = await fakeOpaWasm({
    entrypoints: {
      'govgate/allow': { json: '[{"result":false}]' },
      'govgate/risk_score': { json: '[{"result":70}]' },
      'govgate/reasons': { json: `[{"result":${JSON.stringify(reasons)}}]` },
      'govgate/review': { json: '[]' },
    },
  });
  echo = await fakeOpaWasm({
    entrypoints: {
      'g/allow': { json: '[{"result":true}]' },
      'g/input': 'input',
      'g/data': 'data',
      'g/trap': 'trap',
    },
    builtins: { sprintf: 0 },
  });
});

const seedDescriptor = {
  entrypoints: {
    allowed: 'govgate/allow',
    riskScore: 'govgate/risk_score',
    reasons: 'govgate/reasons',
    review: 'govgate/review',
  },
  threshold: 50,
};

describe('loadRegoPolicy', () => {
  it('loads a bundle and maps every entrypoint to a decision', () => {
    const policy = loadRegoPolicy({ bundle: aBundle(seedLike), descriptor: seedDescriptor });
    expect(Object.keys(policy.entrypoints)).toEqual([
      'govgate/allow',
      'govgate/risk_score',
      'govgate/reasons',
      'govgate/review',
    ]);
    expect(policy.builtins).toEqual([]);
    expect(policy.evaluate(request, facts)).toEqual({
      allowed: false,
      riskScore: 70,
      reasons,
      review: false,
    });
  });

  it('passes the request plus the derived facts as OPA input', () => {
    const policy = loadRegoPolicy({
      wasm: echo,
      descriptor: { entrypoints: { allowed: 'g/allow', riskScore: 'g/input' } },
    });
    const e = failure(() => policy.evaluate(request, facts));
    // the input entrypoint gives an object where a number is due: its message shows the input
    expect(e.message).toContain(JSON.stringify({ ...request, pii: facts.pii }).slice(0, 150));
  });

  it('sets data.json deep-merged with the tenant data, the tenant winning', () => {
    const policy = loadRegoPolicy({
      bundle: aBundle(echo, {
        data: { limits: { daily: 10, burst: 2 }, models: ['a'] },
        manifest: { revision: 'r1' },
      }),
      tenantData: { limits: { daily: 20 }, models: ['b'] },
      descriptor: { entrypoints: { allowed: 'g/allow', reasons: 'g/data' } },
    });
    expect(policy.data).toEqual({ limits: { daily: 20, burst: 2 }, models: ['b'] });
    expect(policy.manifest).toEqual({ revision: 'r1' });
    // the data entrypoint returns what the module was given: an object, not reasons
    expect(failure(() => policy.evaluate(request, facts)).message).toContain(
      '{"limits":{"daily":20,"burst":2},"models":["b"]}',
    );
  });

  it('lists the builtins the module needs', () => {
    const policy = loadRegoPolicy({
      wasm: echo,
      descriptor: { entrypoints: { allowed: 'g/allow' } },
    });
    expect(policy.builtins).toEqual(['sprintf']);
  });

  it('refuses a policy needing http.send', async () => {
    const wasm = await fakeOpaWasm({
      entrypoints: { 'g/allow': { json: '[{"result":true}]' } },
      builtins: { 'http.send': 0, sprintf: 1 },
    });
    const e = failure(() =>
      loadRegoPolicy({ wasm, descriptor: { entrypoints: { allowed: 'g/allow' } } }),
    );
    expect(e.details).toEqual([
      {
        pointer: '/builtins/http.send',
        message: expect.stringContaining("'http.send', which govgate never provides"),
      },
    ]);
  });

  it('refuses a policy needing a builtin nobody provides, unless govgate is given it', async () => {
    const wasm = await fakeOpaWasm({
      entrypoints: { 'g/allow': { json: '[{"result":true}]' } },
      builtins: { 'custom.lookup': 0 },
    });
    const descriptor = { entrypoints: { allowed: 'g/allow' } };
    expect(failure(() => loadRegoPolicy({ wasm, descriptor })).message).toContain(
      "'custom.lookup'",
    );
    expect(
      loadRegoPolicy({ wasm, descriptor, builtins: { 'custom.lookup': () => 1 } }).builtins,
    ).toEqual(['custom.lookup']);
  });

  it('refuses a descriptor naming an entrypoint the policy lacks', () => {
    const e = failure(() =>
      loadRegoPolicy({
        wasm: seedLike,
        descriptor: { entrypoints: { allowed: 'govgate/allowed' } },
      }),
    );
    expect(e.details[0]?.message).toContain(
      "entrypoint 'govgate/allowed' (allowed) is not in the policy; it has 'govgate/allow', 'govgate/reasons', 'govgate/review', 'govgate/risk_score'",
    );
  });

  it('refuses a manifest listing an entrypoint the module lacks', () => {
    const bundle = aBundle(seedLike, {
      manifest: { wasm: [{ entrypoint: 'govgate/deny', module: '/policy.wasm' }] },
    });
    expect(
      failure(() => loadRegoPolicy({ bundle, descriptor: seedDescriptor })).details[0]?.pointer,
    ).toBe('/bundle/.manifest/wasm/0/entrypoint');
  });

  it('refuses an invalid descriptor before reading the bundle', () => {
    const e = failure(() =>
      loadRegoPolicy({ bundle: new Uint8Array(0), descriptor: { entrypoints: {} } }),
    );
    expect(e.details[0]?.pointer).toBe('/descriptor/entrypoints/allowed');
  });

  it('refuses wasm that is not an OPA policy', () => {
    const empty = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const e = failure(() => loadRegoPolicy({ wasm: empty, descriptor: seedDescriptor }));
    expect(e.message).toContain('policy.wasm is not an OPA policy');
  });

  it('refuses a wasm module that does not compile', () => {
    const broken = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0x01]);
    expect(
      failure(() => loadRegoPolicy({ wasm: broken, descriptor: seedDescriptor })).message,
    ).toContain('not a valid WebAssembly module');
  });

  it('refuses tenant data that is not an object', () => {
    const e = failure(() =>
      loadRegoPolicy({
        wasm: echo,
        tenantData: [],
        descriptor: { entrypoints: { allowed: 'g/allow' } },
      }),
    );
    expect(e.details).toEqual([
      { pointer: '/tenantData', message: 'tenant data must be a JSON object' },
    ]);
  });

  it('reports a failing entrypoint as POLICY_INVALID naming it (callers fail closed)', () => {
    const policy = loadRegoPolicy({
      wasm: echo,
      descriptor: { entrypoints: { allowed: 'g/trap' } },
    });
    const e = failure(() => policy.evaluate(request, facts));
    expect(e.message).toContain("entrypoint 'g/trap' failed");
  });

  it('keeps working after a failed evaluation', () => {
    const policy = loadRegoPolicy({
      wasm: echo,
      descriptor: { entrypoints: { allowed: 'g/allow', review: 'g/trap' } },
    });
    failure(() => policy.evaluate(request, facts));
    expect(() => policy.evaluate(request, facts)).toThrow();
    const ok = loadRegoPolicy({ wasm: echo, descriptor: { entrypoints: { allowed: 'g/allow' } } });
    expect(ok.evaluate(request, facts).allowed).toBe(true);
  });

  it('reuses its wasm memory: no growth over 100,000 evaluations', () => {
    const policy = loadRegoPolicy({ bundle: aBundle(seedLike), descriptor: seedDescriptor });
    policy.evaluate(request, facts);
    const before = policy.memoryBytes;
    for (let i = 0; i < 100_000; i++) policy.evaluate(request, facts);
    expect(policy.memoryBytes).toBe(before);
  });
});

describe('mergeData', () => {
  it('merges objects key by key and lets other values replace', () => {
    expect(mergeData({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, e: null })).toEqual({
      a: { b: 1, c: [2] },
      d: 1,
      e: null,
    });
  });
});
