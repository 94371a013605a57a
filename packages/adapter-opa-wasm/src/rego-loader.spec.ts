import { beforeAll, describe, expect, it } from '@jest/globals';
import { createGovernance, GovgateError, sha256Hex } from '@govgate/core';
import { InMemoryLedger, InMemoryPolicyStore } from '@govgate/core/testing';
import { aBundle } from './__fixtures__/bundles.js';
import { fakeOpaWasm } from './__fixtures__/fake-opa-wasm.js';
import { regoPolicyLoader } from './rego-loader.js';

// A stand-in module speaking the OPA wasm ABI answers fixed results; the point here is
// the wiring: versions of kind rego-wasm saved, activated, checked and recorded.
const reasons = [
  { rule: 'personal-data', effect: 'score', weight: 70, reason: 'contains_personal_data' },
];
const descriptor = {
  entrypoints: {
    allowed: 'govgate/allow',
    riskScore: 'govgate/risk_score',
    reasons: 'govgate/reasons',
    review: 'govgate/review',
  },
};
let bundle: Buffer;

beforeAll(async () => {
  const wasm = await fakeOpaWasm({
    entrypoints: {
      'govgate/allow': { json: '[{"result":false}]' },
      'govgate/risk_score': { json: '[{"result":70}]' },
      'govgate/reasons': { json: `[{"result":${JSON.stringify(reasons)}}]` },
      'govgate/review': { json: '[]' },
    },
  });
  bundle = aBundle(wasm);
});

describe('Rego policy versions through Governance', () => {
  it('are saved with the bundle digest, activated, and decide checks that are recorded', async () => {
    const ledger = new InMemoryLedger();
    const policies = new InMemoryPolicyStore();
    const governance = createGovernance({ ledger, policies, regoLoader: regoPolicyLoader() });
    const { record, created } = await governance.saveRegoPolicy(
      'acme',
      { id: 'risk', version: 1, bundle, descriptor },
      'admin',
    );
    expect(created).toBe(true);
    expect(record.digest).toBe(sha256Hex(bundle));
    await governance.activatePolicy('acme', 'risk', 1, 'admin');
    const result = await governance.check('acme', {
      model: 'gpt-4o',
      operation: 'chat',
      metadata: { contains_personal_data: true },
    });
    expect(result).toMatchObject({
      allowed: false,
      riskScore: 70,
      reasons,
      review: false,
      policy: { id: 'risk', version: 1, digest: record.digest },
    });
    const types: string[] = [];
    for await (const { entry } of ledger.read('acme')) types.push(entry.type);
    expect(types).toEqual(['policy.version', 'policy.activated', 'decision']);
    expect((await governance.verify('acme')).ok).toBe(true);
    // the same bundle again is the same version; another one under that version is a conflict
    expect(
      await governance.saveRegoPolicy('acme', { id: 'risk', version: 1, bundle, descriptor }),
    ).toEqual({ record, created: false });
    await expect(
      governance.saveRegoPolicy('acme', {
        id: 'risk',
        version: 1,
        bundle: Buffer.from(
          aBundle(
            await fakeOpaWasm({ entrypoints: { 'govgate/allow': { json: '[{"result":true}]' } } }),
          ),
        ),
        descriptor: { entrypoints: { allowed: 'govgate/allow' } },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a bundle or descriptor that cannot decide, and stores nothing', async () => {
    const ledger = new InMemoryLedger();
    const policies = new InMemoryPolicyStore();
    const governance = createGovernance({ ledger, policies, regoLoader: regoPolicyLoader() });
    const error = await governance
      .saveRegoPolicy('acme', {
        id: 'risk',
        version: 1,
        bundle,
        descriptor: { entrypoints: { allowed: 'govgate/nope' } },
      })
      .catch((e: unknown) => e);
    expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    expect((error as GovgateError).message).toContain('govgate/nope');
    const garbage = await governance
      .saveRegoPolicy('acme', {
        id: 'risk',
        version: 1,
        bundle: Buffer.from('not a bundle'),
        descriptor,
      })
      .catch((e: unknown) => e);
    expect(GovgateError.is(garbage, 'POLICY_INVALID')).toBe(true);
    expect(await policies.listPolicies('acme')).toEqual([]);
    expect((await ledger.head('acme')).size).toBe(0);
  });

  it("gives each tenant the bundle's data merged with its override", async () => {
    const echo = aBundle(
      await fakeOpaWasm({
        entrypoints: { 'govgate/allow': { json: '[{"result":true}]' }, 'govgate/data': 'data' },
      }),
      { data: { region: 'eu' } },
    );
    const load = regoPolicyLoader();
    const source = {
      kind: 'rego-wasm' as const,
      id: 'p',
      version: 1,
      bundle: echo.toString('base64'),
      descriptor: {
        entrypoints: { allowed: 'govgate/allow', reasons: 'govgate/data' },
        overrides: { acme: { limits: { max: 3 } } },
      },
    };
    // the stand-in echoes `data` through the reasons entrypoint: as a string list it is not,
    // so the mapping refuses it — naming what it returned, which is the merged data
    const seen = (tenant: string) => {
      try {
        load(source, { tenant, digest: 'd' }).evaluate({
          model: 'm',
          operation: 'o',
          metadata: {},
        });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(seen('acme')).toContain('"limits":{"max":3}');
    expect(seen('acme')).toContain('"region":"eu"');
    expect(seen('other')).not.toContain('limits');
    expect(seen('other')).toContain('"region":"eu"');
  });

  it('is given the redacted request through check(): OPA never sees a personal value', async () => {
    const echo = aBundle(await fakeOpaWasm({ entrypoints: { 'govgate/allow': 'input' } }));
    const governance = createGovernance({
      ledger: new InMemoryLedger(),
      policies: new InMemoryPolicyStore(),
      regoLoader: regoPolicyLoader(),
    });
    await governance.saveRegoPolicy('acme', {
      id: 'echo',
      version: 1,
      bundle: echo,
      descriptor: { entrypoints: { allowed: 'govgate/allow' } },
    });
    await governance.activatePolicy('acme', 'echo', 1);
    // `allowed` gets the input back, which is no boolean: the refusal names what it was.
    const error = await governance
      .check('acme', {
        model: 'm',
        operation: 'o',
        metadata: { owner: 'alice@example.com', note: 'call +44 20 7946 0958' },
      })
      .catch((e: unknown) => e);
    expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    const said = (error as Error).message;
    expect(said).toContain('[REDACTED:email]');
    expect(said).not.toContain('alice@example.com');
    expect(said).not.toContain('7946');
    expect(said).toContain('"email":true');
  });

  it('fails a check closed, recording nothing, when an entrypoint returns the wrong type', async () => {
    const wrong = aBundle(
      await fakeOpaWasm({ entrypoints: { 'govgate/allow': { json: '[{"result":"yes"}]' } } }),
    );
    const ledger = new InMemoryLedger();
    const governance = createGovernance({
      ledger,
      policies: new InMemoryPolicyStore(),
      regoLoader: regoPolicyLoader(),
    });
    await governance.saveRegoPolicy('acme', {
      id: 'wrong',
      version: 1,
      bundle: wrong,
      descriptor: { entrypoints: { allowed: 'govgate/allow' } },
    });
    await governance.activatePolicy('acme', 'wrong', 1);
    const before = (await ledger.head('acme')).size;
    const error = await governance
      .check('acme', { model: 'm', operation: 'o', metadata: {} })
      .catch((e: unknown) => e);
    expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    expect((error as Error).message).toContain('govgate/allow');
    expect((await ledger.head('acme')).size).toBe(before);
  });

  it('keeps the base data of a bare policy.wasm in the descriptor; a bundle may not have it', async () => {
    const wasm = await fakeOpaWasm({ entrypoints: { 'govgate/allow': 'data' } });
    const governance = createGovernance({
      ledger: new InMemoryLedger(),
      policies: new InMemoryPolicyStore(),
      regoLoader: regoPolicyLoader(),
    });
    await governance.saveRegoPolicy('acme', {
      id: 'bare',
      version: 1,
      bundle: wasm,
      descriptor: { entrypoints: { allowed: 'govgate/allow' }, data: { limits: { max: 5 } } },
    });
    await governance.activatePolicy('acme', 'bare', 1);
    // `allowed` gets the data back, which is no boolean: the refusal shows what it was.
    const error = await governance
      .evaluate('acme', { model: 'm', operation: 'o', metadata: {} })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('{"limits":{"max":5}}');

    const refused = await governance
      .saveRegoPolicy('acme', {
        id: 'bundled',
        version: 1,
        bundle,
        descriptor: { ...descriptor, data: { limits: { max: 5 } } },
      })
      .catch((e: unknown) => e);
    expect(GovgateError.is(refused, 'POLICY_INVALID')).toBe(true);
    expect((refused as GovgateError).details).toContainEqual(
      expect.objectContaining({ pointer: '/descriptor/data' }),
    );
  });

  it('is refused without a Rego engine', async () => {
    const governance = createGovernance({
      ledger: new InMemoryLedger(),
      policies: new InMemoryPolicyStore(),
    });
    const error = await governance
      .saveRegoPolicy('acme', { id: 'risk', version: 1, bundle, descriptor })
      .catch((e: unknown) => e);
    expect((error as GovgateError).message).toContain('no Rego engine is configured');
  });
});
