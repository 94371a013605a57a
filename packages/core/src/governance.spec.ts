import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ed25519Signer, verifyCheckpoint } from './ledger/checkpoint.js';
import { GovgateError } from './errors.js';
import { canonicalJson } from './ledger/canonical-json.js';
import { createGovernance, type Governance } from './governance.js';
import type { AppendRequest, LedgerEntry, StoredEntry } from './ledger/entry.js';
import type { LedgerPort, PolicyStorePort } from './ports.js';
import { aRequest, seedPolicy } from './testing/builders.js';
import { InMemoryLedger } from './testing/in-memory-ledger.js';
import { InMemoryPolicyStore, ManualClock } from './testing/in-memory-stores.js';

async function entries(ledger: LedgerPort, tenant: string): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  for await (const e of ledger.read(tenant)) out.push(e);
  return out;
}

/** A ledger whose appends fail, as a full disk or a lost database would make them. */
class BrokenLedger extends InMemoryLedger {
  override append(
    _tenant: string,
    _entries: readonly AppendRequest[],
  ): Promise<readonly LedgerEntry[]> {
    return Promise.reject(new Error('disk full'));
  }
}

describe('Governance.check', () => {
  let ledger: InMemoryLedger;
  let policies: InMemoryPolicyStore;
  let governance: Governance;

  beforeEach(async () => {
    ledger = new InMemoryLedger(new ManualClock());
    policies = new InMemoryPolicyStore();
    governance = createGovernance({ ledger, policies });
    await governance.savePolicy('acme', seedPolicy(), 'admin');
    await governance.activatePolicy('acme', 'default', 1, 'admin');
  });

  it('returns the decision with the seq of its ledger entry', async () => {
    const result = await governance.check('acme', aRequest({ contains_personal_data: true }), {
      actor: 'key_1',
    });
    expect(result).toMatchObject({ allowed: false, riskScore: 70, seq: 3 });
    const [, , decision] = await entries(ledger, 'acme');
    expect(decision?.entry).toMatchObject({ seq: 3, type: 'decision', actor: 'key_1' });
    expect(decision?.entry.data).toMatchObject({
      decision: { allowed: false, riskScore: 70, policy: { id: 'default', version: 1 } },
      request: { model: 'gpt-4o', metadata: { contains_personal_data: true } },
    });
  });

  it('records policy versions and activations before decisions', async () => {
    const types = (await entries(ledger, 'acme')).map((e) => e.entry.type);
    expect(types).toEqual(['policy.version', 'policy.activated']);
  });

  it('stores personal data redacted, and decides on the facts', async () => {
    const result = await governance.check(
      'acme',
      aRequest({ note: 'call +44 20 7946 0958 or mail bob@example.com' }),
    );
    const stored = (await entries(ledger, 'acme')).at(-1);
    expect(stored?.bytes).not.toContain('bob@example.com');
    expect(stored?.entry.data).toMatchObject({
      request: { metadata: { note: 'call [REDACTED:phone] or mail [REDACTED:email]' } },
      pii: ['email', 'phone'],
    });
    expect(result.allowed).toBe(true); // the seed policy in tests has no PII rule
  });

  it('does not change the caller’s request when redacting', async () => {
    const request = aRequest({ owner: { email: 'bob@example.com' } });
    await governance.check('acme', request);
    expect(request.metadata).toEqual({ owner: { email: 'bob@example.com' } });
  });

  it('refuses content fields naming their paths, and records the rejection without values', async () => {
    const request = aRequest({ turns: [{ role: 'user', content: 'my secret plan' }], Prompt: 'x' });
    await expect(governance.check('acme', request)).rejects.toMatchObject({
      code: 'FORBIDDEN_CONTENT_FIELD',
      details: [
        {
          pointer: '/metadata/turns/0/content',
          message: expect.stringContaining('content field') as unknown,
        },
        {
          pointer: '/metadata/Prompt',
          message: expect.stringContaining('content field') as unknown,
        },
      ],
    });
    const rejected = (await entries(ledger, 'acme')).at(-1);
    expect(rejected?.entry).toMatchObject({
      type: 'decision.rejected',
      data: {
        code: 'FORBIDDEN_CONTENT_FIELD',
        paths: ['/metadata/turns/0/content', '/metadata/Prompt'],
      },
    });
    expect(rejected?.bytes).not.toContain('secret');
  });

  it('refuses an invalid request without recording anything', async () => {
    const before = (await ledger.head('acme')).size;
    await expect(
      governance.check('acme', { model: 1, operation: 'x', metadata: {} }),
    ).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
      details: [{ pointer: '/model', message: 'must be a string' }],
    });
    expect((await ledger.head('acme')).size).toBe(before);
  });

  it('fails closed with LEDGER_UNAVAILABLE when the decision cannot be recorded', async () => {
    const broken = createGovernance({ ledger: new BrokenLedger(), policies });
    const error: unknown = await broken.check('acme', aRequest({})).catch((e: unknown) => e);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((error as GovgateError).cause).toEqual(new Error('disk full'));
  });

  it('fails closed with POLICY_NOT_FOUND for a tenant without an active policy', async () => {
    await expect(governance.check('globex', aRequest({}))).rejects.toMatchObject({
      code: 'POLICY_NOT_FOUND',
    });
  });

  it('refuses an invalid tenant id', async () => {
    await expect(governance.check('../etc', aRequest({}))).rejects.toMatchObject({
      code: 'TENANT_INVALID',
    });
  });

  it('keeps tenants apart: one tenant’s decisions are not in another’s chain', async () => {
    await governance.savePolicy('globex', seedPolicy());
    await governance.activatePolicy('globex', 'default', 1);
    await governance.check('globex', aRequest({}));
    const acme = await entries(ledger, 'acme');
    expect(acme.every((e) => e.entry.tenant === 'acme')).toBe(true);
    expect((await ledger.head('globex')).size).toBe(3);
  });

  it('records every decision as the canonical JSON of its entry, whatever the request holds', async () => {
    const requests = [
      aRequest({ z: 1, a: { y: [true, null], b: 'x' }, '10': 'ten', '9': 'nine' }),
      aRequest({ 'k"q': 'a\\b\n', é: '\u20ac\ud83d\ude00\u2028', n: -0, big: 1e21 }),
      aRequest(
        { contact: 'mail bob@example.com', contains_personal_data: true },
        { subject: 'u-"1"', context: { region: 'eu', env: 'prod' } },
      ),
      { ...aRequest({}), metadata: { gone: undefined, kept: 1 } },
    ];
    for (const request of requests) await governance.check('acme', request, { actor: 'key "1"' });
    const stored = await entries(ledger, 'acme');
    expect(stored).toHaveLength(2 + requests.length);
    for (const { entry, bytes } of stored) expect(bytes).toBe(canonicalJson(entry));
    expect(stored.at(-1)?.entry.data).toEqual({
      decision: expect.any(Object) as unknown,
      pii: [],
      request: { metadata: { kept: 1 }, model: 'gpt-4o', operation: 'chat.completion' },
    });
    expect(await governance.verify('acme')).toMatchObject({ ok: true });
  });

  it('uses the new active version after an activation', async () => {
    await governance.savePolicy('acme', { ...seedPolicy(), version: 2, threshold: 90 });
    await governance.activatePolicy('acme', 'default', 2);
    const result = await governance.check('acme', aRequest({ contains_personal_data: true }));
    expect(result).toMatchObject({ allowed: true, riskScore: 70, policy: { version: 2 } });
  });
});

describe('Governance policy management', () => {
  it('treats saving identical content again as a no-op and other content under the same version as a conflict', async () => {
    const ledger = new InMemoryLedger();
    const governance = createGovernance({ ledger, policies: new InMemoryPolicyStore() });
    const first = await governance.savePolicy('acme', seedPolicy());
    expect(first.created).toBe(true);
    expect(await governance.savePolicy('acme', seedPolicy())).toEqual({
      record: first.record,
      created: false,
    });
    await expect(
      governance.savePolicy('acme', { ...seedPolicy(), threshold: 10 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await ledger.head('acme')).size).toBe(1);
  });

  it('refuses an invalid document with POLICY_INVALID and saves nothing', async () => {
    const policies = new InMemoryPolicyStore();
    const governance = createGovernance({ ledger: new InMemoryLedger(), policies });
    await expect(governance.savePolicy('acme', { id: 'x', version: 1 })).rejects.toMatchObject({
      code: 'POLICY_INVALID',
    });
    expect(await policies.listPolicies('acme')).toEqual([]);
  });

  it('restores the previous activation when the ledger cannot record a new one', async () => {
    const policies = new InMemoryPolicyStore();
    const ledger = new InMemoryLedger();
    const governance = createGovernance({ ledger, policies });
    await governance.savePolicy('acme', seedPolicy());
    await governance.savePolicy('acme', { ...seedPolicy(), version: 2 });
    await governance.activatePolicy('acme', 'default', 1);
    await ledger.close();
    await expect(governance.activatePolicy('acme', 'default', 2)).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
    });
    expect((await policies.getActive('acme'))?.version).toBe(1);
  });

  it('records nothing when the active version is activated again', async () => {
    const ledger = new InMemoryLedger();
    const governance = createGovernance({ ledger, policies: new InMemoryPolicyStore() });
    const { record } = await governance.savePolicy('acme', seedPolicy());
    expect(await governance.activatePolicy('acme', 'default', 1)).toEqual(record);
    const size = (await ledger.head('acme')).size;
    expect(await governance.activatePolicy('acme', 'default', 1, 'again')).toEqual(record);
    expect((await ledger.head('acme')).size).toBe(size);
  });

  it('records one activation when the same version is activated concurrently', async () => {
    const ledger = new InMemoryLedger();
    const policies = new InMemoryPolicyStore();
    const governance = createGovernance({ ledger, policies });
    await governance.savePolicy('acme', seedPolicy());
    await governance.savePolicy('acme', { ...seedPolicy(), version: 2 });
    await governance.activatePolicy('acme', 'default', 1);
    await Promise.all(
      ['a', 'b', 'c'].map((actor) => governance.activatePolicy('acme', 'default', 2, actor)),
    );
    const activations = (await entries(ledger, 'acme')).filter(
      (e) => e.entry.type === 'policy.activated',
    );
    expect(activations.map((e) => e.entry.data)).toEqual([
      { policy: { id: 'default', version: 1, digest: expect.any(String) as unknown } },
      {
        policy: { id: 'default', version: 2, digest: expect.any(String) as unknown },
        previous: { id: 'default', version: 1 },
      },
    ]);
    expect((await policies.getActive('acme'))?.version).toBe(2);
  });

  describe('with another process activating at the same time', () => {
    /** Each process its own view of the one store, so nothing holds one back. */
    const viewOf = (store: InMemoryPolicyStore): PolicyStorePort => ({
      saveVersion: (r) => store.saveVersion(r),
      getVersion: (t, id, v) => store.getVersion(t, id, v),
      listVersions: (t, id) => store.listVersions(t, id),
      listPolicies: (t) => store.listPolicies(t),
      activate: (t, id, v, expected) => store.activate(t, id, v, expected),
      deactivate: (t) => store.deactivate(t),
      getActive: (t) => store.getActive(t),
    });

    async function twoProcesses() {
      const ledger = new InMemoryLedger();
      const policies = new InMemoryPolicyStore();
      const [one, two] = [1, 2].map(() =>
        createGovernance({ ledger, policies: viewOf(policies) }),
      ) as [Governance, Governance];
      await one.savePolicy('acme', seedPolicy());
      for (const version of [2, 3]) await one.savePolicy('acme', { ...seedPolicy(), version });
      await one.activatePolicy('acme', 'default', 1);
      return { ledger, policies, one, two, size: (await ledger.head('acme')).size };
    }

    it('succeeds when the other activated the same version first, correcting its own entry', async () => {
      const { ledger, policies, one, two, size } = await twoProcesses();
      const answers = await Promise.all([
        one.activatePolicy('acme', 'default', 2, 'p1'),
        two.activatePolicy('acme', 'default', 2, 'p2'),
      ]);
      expect(answers.map((r) => r.version)).toEqual([2, 2]);
      expect((await policies.getActive('acme'))?.version).toBe(2);
      const added = (await entries(ledger, 'acme')).slice(size).map((e) => e.entry);
      expect(added.map((e) => e.type)).toEqual([
        'policy.activated',
        'policy.activated',
        'audit.correction',
      ]);
      expect(added[2]?.data).toMatchObject({ corrects: size + 2 });
    });

    it('is a CONFLICT when the other activated another version first, and that one stays', async () => {
      const { ledger, policies, one, two, size } = await twoProcesses();
      const [first, second] = await Promise.allSettled([
        one.activatePolicy('acme', 'default', 2, 'p1'),
        two.activatePolicy('acme', 'default', 3, 'p2'),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
      expect((await policies.getActive('acme'))?.version).toBe(2);
      const added = (await entries(ledger, 'acme')).slice(size).map((e) => e.entry);
      expect(added.map((e) => e.type)).toEqual([
        'policy.activated',
        'policy.activated',
        'audit.correction',
      ]);
    });
  });

  it('evaluates a dry run without recording it', async () => {
    const ledger = new InMemoryLedger();
    const governance = createGovernance({ ledger, policies: new InMemoryPolicyStore() });
    await governance.savePolicy('acme', seedPolicy());
    await governance.activatePolicy('acme', 'default', 1);
    const size = (await ledger.head('acme')).size;
    expect(await governance.evaluate('acme', aRequest({ is_external_model: true }))).toMatchObject({
      allowed: false,
      riskScore: 50,
    });
    expect((await ledger.head('acme')).size).toBe(size);
  });
});

describe('Governance ledger operations', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = ed25519Signer(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  async function setUp() {
    const ledger = new InMemoryLedger();
    const governance = createGovernance({ ledger, policies: new InMemoryPolicyStore(), signer });
    await governance.savePolicy('acme', seedPolicy());
    await governance.activatePolicy('acme', 'default', 1);
    await governance.check('acme', aRequest({ contains_personal_data: true }));
    return { ledger, governance };
  }

  it('signs a checkpoint of the current tree and records it in the chain', async () => {
    const { ledger, governance } = await setUp();
    const checkpoint = await governance.checkpoint('acme');
    expect(checkpoint).toMatchObject({ tenant: 'acme', size: 3, keyId: signer.keyId });
    expect(verifyCheckpoint(checkpoint, publicKeyPem)).toEqual({ ok: true });
    expect((await entries(ledger, 'acme')).at(-1)?.entry.type).toBe('checkpoint');
    expect(await governance.verify('acme', { trusted: checkpoint, publicKeyPem })).toMatchObject({
      ok: true,
      checked: 4,
    });
  });

  it('refuses a checkpoint without a signing key', async () => {
    const governance = createGovernance({
      ledger: new InMemoryLedger(),
      policies: new InMemoryPolicyStore(),
    });
    await expect(governance.checkpoint('acme')).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });

  it('records a correction as a new entry naming the corrected seq, leaving that entry as it was', async () => {
    const { ledger, governance } = await setUp();
    const before = (await entries(ledger, 'acme'))[2]?.bytes;
    const correction = await governance.correct(
      'acme',
      { corrects: 3, reason: 'wrong model name reported', data: { model: 'gpt-4o-mini' } },
      'auditor-1',
    );
    expect(correction).toMatchObject({
      seq: 4,
      type: 'audit.correction',
      actor: 'auditor-1',
      data: { corrects: 3 },
    });
    expect((await entries(ledger, 'acme'))[2]?.bytes).toBe(before);
  });

  it('refuses a correction of an entry that does not exist, or without a reason', async () => {
    const { governance } = await setUp();
    await expect(governance.correct('acme', { corrects: 9, reason: 'x' })).rejects.toMatchObject({
      code: 'LEDGER_RANGE',
    });
    await expect(governance.correct('acme', { corrects: 1, reason: ' ' })).rejects.toMatchObject({
      code: 'LEDGER_ENTRY_INVALID',
    });
  });
});
