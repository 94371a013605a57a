import { describe, expect, it } from '@jest/globals';
import type { Condition } from '../condition/condition.js';
import type { JsonObject, JsonValue } from '../decision/decision.js';
import { MAX_MATCHED_LENGTH } from '../condition/compile.js';
import { REQUEST_LIMITS } from '../decision/inspect.js';
import { GovgateError } from '../errors.js';
import { canonicalDigest } from '../ledger/canonical-json.js';
import { aPolicy, aRequest, seedPolicy } from '../testing/builders.js';
import { compilePolicy, type EvaluationStrategy } from './compile.js';
import type { PolicyDocument } from './policy-document.js';

const strategies: EvaluationStrategy[] = ['inline', 'indexed'];

describe('compilePolicy: the seed risk policy', () => {
  const policy = compilePolicy(seedPolicy());

  it('blocks personal data alone with score 70', () => {
    const d = policy.evaluate(aRequest({ contains_personal_data: true }));
    expect(d).toMatchObject({ allowed: false, riskScore: 70, review: false });
    expect(d.reasons).toEqual([
      { rule: 'personal-data', effect: 'score', weight: 70, reason: 'contains_personal_data' },
    ]);
  });

  it('blocks an external model alone with score 50 (score equal to the threshold blocks)', () => {
    expect(policy.evaluate(aRequest({ is_external_model: true }))).toMatchObject({
      allowed: false,
      riskScore: 50,
    });
  });

  it('allows a request with neither, score 0 and no reasons', () => {
    expect(policy.evaluate(aRequest({}))).toMatchObject({
      allowed: true,
      riskScore: 0,
      reasons: [],
    });
  });

  it('caps the score at 100 and lists reasons in rule order', () => {
    const d = policy.evaluate(aRequest({ is_external_model: true, contains_personal_data: true }));
    expect(d.riskScore).toBe(100);
    expect(d.reasons.map((r) => r.rule)).toEqual(['personal-data', 'external-model']);
  });

  it('names the policy with id, version and the sha256 of its canonical JSON', () => {
    expect(policy.ref).toEqual({
      id: 'default',
      version: 1,
      digest: canonicalDigest(seedPolicy()),
    });
    expect(policy.evaluate(aRequest({})).policy).toBe(policy.ref);
  });

  it('gives the same digest for the same document with keys in another order', () => {
    const doc = seedPolicy();
    const reordered = {
      rules: doc.rules,
      threshold: doc.threshold,
      version: doc.version,
      id: doc.id,
    };
    expect(compilePolicy(reordered).ref.digest).toBe(policy.ref.digest);
  });
});

describe.each(strategies)('compilePolicy operators (%s)', (strategy) => {
  const decide = (when: Condition, metadata: Record<string, unknown>, extra = {}) =>
    compilePolicy(aPolicy().withRule('r', when, 'score', 10).build(), { strategy }).evaluate(
      aRequest(metadata as never, extra),
    ).riskScore === 10;

  it.each([
    ['equals a string', { path: 'metadata.x', equals: 'a' }, { x: 'a' }, true],
    ['equals is strict about types', { path: 'metadata.x', equals: 1 }, { x: '1' }, false],
    ['equals null needs the key', { path: 'metadata.x', equals: null }, {}, false],
    ['equals null', { path: 'metadata.x', equals: null }, { x: null }, true],
    ['in', { path: 'metadata.x', in: ['a', 'b'] }, { x: 'b' }, true],
    ['in misses', { path: 'metadata.x', in: ['a', 'b'] }, { x: 'c' }, false],
    ['exists', { path: 'metadata.x', exists: true }, { x: false }, true],
    ['exists false', { path: 'metadata.x', exists: false }, {}, true],
    ['gt', { path: 'metadata.n', gt: 5 }, { n: 6 }, true],
    ['gt at the bound', { path: 'metadata.n', gt: 5 }, { n: 5 }, false],
    ['gte', { path: 'metadata.n', gte: 5 }, { n: 5 }, true],
    ['lt', { path: 'metadata.n', lt: 5 }, { n: 4.5 }, true],
    ['lte', { path: 'metadata.n', lte: 5 }, { n: 6 }, false],
    ['gt does not coerce strings', { path: 'metadata.n', gt: 5 }, { n: '6' }, false],
    ['matches', { path: 'metadata.s', matches: '^ab+c$' }, { s: 'abbc' }, true],
    ['matches only strings', { path: 'metadata.s', matches: '1' }, { s: 1 }, false],
    ['nested path', { path: 'metadata.a.b.c', equals: true }, { a: { b: { c: true } } }, true],
    ['path through a scalar', { path: 'metadata.a.b', equals: true }, { a: 'b' }, false],
    ['array index', { path: 'metadata.tags.1', equals: 'y' }, { tags: ['x', 'y'] }, true],
    [
      'all',
      {
        all: [
          { path: 'metadata.a', equals: 1 },
          { path: 'metadata.b', equals: 2 },
        ],
      },
      { a: 1, b: 2 },
      true,
    ],
    [
      'all fails on one',
      {
        all: [
          { path: 'metadata.a', equals: 1 },
          { path: 'metadata.b', equals: 2 },
        ],
      },
      { a: 1 },
      false,
    ],
    [
      'any',
      {
        any: [
          { path: 'metadata.a', equals: 1 },
          { path: 'metadata.b', equals: 2 },
        ],
      },
      { b: 2 },
      true,
    ],
    ['not', { not: { path: 'metadata.a', equals: 1 } }, { a: 2 }, true],
    ['not of a missing path', { not: { path: 'metadata.a', equals: 1 } }, {}, true],
  ] as [string, Condition, Record<string, unknown>, boolean][])(
    '%s',
    (_name, when, metadata, expected) => {
      expect(decide(when, metadata)).toBe(expected);
    },
  );

  it('reads model, operation, subject and context', () => {
    const when: Condition = {
      all: [
        { path: 'model', equals: 'gpt-4o' },
        { path: 'operation', matches: '^chat\\.' },
        { path: 'subject', equals: 'user-1' },
        { path: 'context.region', in: ['eu'] },
      ],
    };
    expect(decide(when, {}, { subject: 'user-1', context: { region: 'eu' } })).toBe(true);
  });

  it('does not read inherited properties: toString is not a metadata key', () => {
    expect(decide({ path: 'metadata.toString', exists: true }, {})).toBe(false);
  });

  it('reads derived PII facts', () => {
    expect(decide({ path: 'pii.email', equals: true }, { owner: 'alice@example.com' })).toBe(true);
    expect(decide({ path: 'pii.any', equals: true }, { owner: 'nobody' })).toBe(false);
  });

  it('applies deny and review effects', () => {
    const policy = compilePolicy(
      aPolicy()
        .withThreshold(100)
        .withRule('d', { path: 'metadata.bad', equals: true }, 'deny', undefined, 'bad')
        .withRule('v', { path: 'metadata.odd', equals: true }, 'review', 5)
        .build(),
      { strategy },
    );
    expect(policy.evaluate(aRequest({ bad: true }))).toMatchObject({
      allowed: false,
      riskScore: 0,
      review: false,
    });
    expect(policy.evaluate(aRequest({ odd: true }))).toMatchObject({
      allowed: true,
      riskScore: 5,
      review: true,
    });
    expect(policy.evaluate(aRequest({ odd: true })).reasons).toEqual([
      { rule: 'v', effect: 'review', weight: 5, reason: 'v' },
    ]);
  });
});

describe.each(strategies)('compilePolicy patterns on long input (%s)', (strategy) => {
  it('bounds what it tests exactly as check() bounds request strings', () => {
    expect(MAX_MATCHED_LENGTH).toBe(REQUEST_LIMITS.maxStringLength);
  });

  it('tests strings up to 4,096 characters and refuses longer ones with a typed error', () => {
    const policy = compilePolicy(
      aPolicy().withRule('r', { path: 'metadata.s', matches: 'a+$' }, 'deny').build(),
      { strategy },
    );
    expect(policy.evaluate(aRequest({ s: 'a'.repeat(4096) })).allowed).toBe(false);
    let error: unknown;
    try {
      policy.evaluate(aRequest({ s: `${'a'.repeat(100_000)}b` }));
    } catch (e) {
      error = e;
    }
    expect(GovgateError.is(error, 'REQUEST_INVALID')).toBe(true);
    expect((error as GovgateError).details).toEqual([
      { pointer: '/metadata/s', message: 'string longer than 4096 characters' },
    ]);
  });
});

describe('compilePolicy strategies', () => {
  it('indexes rules above 32 and inlines smaller policies', () => {
    const rules = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `r${i}`,
        when: { path: `metadata.f${i}`, equals: true },
        effect: 'score' as const,
        weight: 1,
      }));
    expect(compilePolicy({ id: 'p', version: 1, threshold: 50, rules: rules(32) }).strategy).toBe(
      'inline',
    );
    expect(compilePolicy({ id: 'p', version: 1, threshold: 50, rules: rules(33) }).strategy).toBe(
      'indexed',
    );
  });

  // A seeded generator so failures reproduce.
  function random(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  function randomCondition(rnd: () => number, depth: number): Condition {
    const key = `k${Math.floor(rnd() * 6)}`;
    const root = rnd() < 0.8 ? 'metadata' : 'context';
    const pick = rnd();
    if (depth < 3 && pick < 0.15)
      return { all: [randomCondition(rnd, depth + 1), randomCondition(rnd, depth + 1)] };
    if (depth < 3 && pick < 0.3)
      return { any: [randomCondition(rnd, depth + 1), randomCondition(rnd, depth + 1)] };
    if (depth < 3 && pick < 0.38) return { not: randomCondition(rnd, depth + 1) };
    const ops: Condition[] = [
      { path: `${root}.${key}`, equals: Math.floor(rnd() * 3) },
      { path: `${root}.${key}`, in: [0, 'a'] },
      { path: `${root}.${key}`, exists: rnd() < 0.5 },
      { path: `${root}.${key}`, gte: 1 },
      { path: `${root}.${key}`, matches: '^a' },
      { path: 'pii.any', equals: true },
      { path: 'model', equals: 'm1' },
    ];
    return ops[Math.floor(rnd() * ops.length)] as Condition;
  }

  it('inline and indexed give identical decisions on 300 random policies and requests', () => {
    const rnd = random(42);
    for (let p = 0; p < 300; p++) {
      const doc: PolicyDocument = {
        id: 'fuzz',
        version: 1,
        threshold: 20 + Math.floor(rnd() * 60),
        rules: Array.from({ length: 1 + Math.floor(rnd() * 40) }, (_, i) => ({
          id: `r${i}`,
          when: randomCondition(rnd, 0),
          effect: (['score', 'deny', 'review'] as const)[Math.floor(rnd() * 3)] ?? 'score',
          weight: Math.floor(rnd() * 40),
        })),
      };
      const inline = compilePolicy(doc, { strategy: 'inline' });
      const indexed = compilePolicy(doc, { strategy: 'indexed' });
      for (let q = 0; q < 10; q++) {
        const values = [0, 1, 2, 'a', 'abc', 'b', null, true];
        const section = (): JsonObject =>
          Object.fromEntries(
            Array.from({ length: 6 }, (_, i): [string, JsonValue] => [
              `k${i}`,
              values[Math.floor(rnd() * values.length)] ?? null,
            ]).filter(() => rnd() < 0.6),
          );
        const request = aRequest(section(), {
          model: rnd() < 0.5 ? 'm1' : 'm2',
          context: section(),
          ...(rnd() < 0.2 ? { subject: 'x' } : {}),
        });
        if (rnd() < 0.2) (request.metadata as Record<string, unknown>).contact = 'bob@example.com';
        expect(indexed.evaluate(request)).toEqual(inline.evaluate(request));
      }
    }
  });
});

describe('compilePolicy tenant overrides', () => {
  const base: PolicyDocument = {
    ...seedPolicy(),
    overrides: {
      acme: {
        threshold: 80,
        disableRules: ['external-model'],
        rules: [
          {
            id: 'gpu-heavy',
            when: { path: 'metadata.gpus', gt: 8 },
            effect: 'review',
            reason: 'many_gpus',
          },
        ],
      },
    },
  };

  it('applies the threshold, the disabled rules and the extra rules of the tenant', () => {
    const policy = compilePolicy(base, { tenant: 'acme' });
    expect(policy.evaluate(aRequest({ contains_personal_data: true }))).toMatchObject({
      allowed: true,
      riskScore: 70,
    });
    expect(policy.evaluate(aRequest({ is_external_model: true }))).toMatchObject({
      allowed: true,
      riskScore: 0,
    });
    expect(policy.evaluate(aRequest({ gpus: 16 }))).toMatchObject({ allowed: true, review: true });
  });

  it('gives the merged policy its own digest and names the base digest', () => {
    const acme = compilePolicy(base, { tenant: 'acme' });
    const other = compilePolicy(base, { tenant: 'other' });
    expect(acme.ref.digest).not.toBe(other.ref.digest);
    expect(acme.ref.baseDigest).toBe(other.ref.digest);
    expect(other.ref.baseDigest).toBeUndefined();
  });

  it('merges deterministically: the same inputs give the same digest', () => {
    expect(compilePolicy(structuredClone(base), { tenant: 'acme' }).ref.digest).toBe(
      compilePolicy(base, { tenant: 'acme' }).ref.digest,
    );
  });

  it('leaves other tenants on the base policy', () => {
    expect(
      compilePolicy(base, { tenant: 'globex' }).evaluate(aRequest({ is_external_model: true }))
        .allowed,
    ).toBe(false);
  });
});

describe('compilePolicy with documents that try to inject code', () => {
  it('treats quotes, backslashes and line separators in values as data', () => {
    const nasty = `"); process.exit(1); ("\\\u2028\u2029`;
    const policy = compilePolicy(
      aPolicy().withRule('x', { path: 'metadata.s', equals: nasty }, 'score', 60).build(),
    );
    expect(policy.evaluate(aRequest({ s: nasty })).riskScore).toBe(60);
    expect(policy.evaluate(aRequest({ s: 'other' })).riskScore).toBe(0);
  });

  it('treats quotes in path segments as data', () => {
    const policy = compilePolicy(
      aPolicy().withRule('x', { path: 'metadata.a"]);(', exists: true }, 'score', 60).build(),
    );
    expect(policy.evaluate(aRequest({ 'a"]);(': 1 })).riskScore).toBe(60);
  });

  it('refuses an invalid document with POLICY_INVALID', () => {
    expect(() => compilePolicy({ id: 'x' })).toThrow(GovgateError);
  });
});
