import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { seedPolicy } from '../testing/builders.js';
import { parseDocumentText } from './parse.js';
import { assertPolicyDocument, validatePolicyDocument } from './validate.js';

const errorsOf = (doc: unknown) => {
  const result = validatePolicyDocument(doc);
  if (result.ok) throw new Error('expected the document to be invalid');
  return result.errors;
};

describe('validatePolicyDocument', () => {
  it('accepts the seed policy', () => {
    expect(validatePolicyDocument(seedPolicy()).ok).toBe(true);
  });

  it('reports every problem at once, each with its JSON pointer', () => {
    const errors = errorsOf({
      id: 'has space',
      version: 0,
      threshold: 150,
      rules: [
        { id: 'a', when: { path: 'metadata.x', equals: true }, effect: 'score' },
        { id: 'b', when: { path: 'metadata.y', equals: true }, effect: 'block' },
      ],
    });
    expect(errors.map((e) => e.pointer)).toEqual([
      '/id',
      '/rules/0/weight',
      '/rules/1/effect',
      '/threshold',
      '/version',
    ]);
    expect(errors.find((e) => e.pointer === '/rules/1/effect')?.message).toBe(
      'must be one of: "score", "deny", "review"',
    );
    expect(errors.find((e) => e.pointer === '/rules/0/weight')?.message).toBe(
      "'weight' is required",
    );
  });

  it('refuses unknown keys, suggesting the key that was meant', () => {
    const doc = {
      ...seedPolicy(),
      rules: [{ id: 'a', wehn: { path: 'metadata.x', equals: true }, effect: 'deny' }],
    };
    const errors = errorsOf(doc);
    expect(errors).toContainEqual({
      pointer: '/rules/0/wehn',
      message: "unknown key 'wehn' (did you mean 'when'?)",
    });
    expect(errors).toContainEqual({ pointer: '/rules/0/when', message: "'when' is required" });
  });

  it('refuses an unknown operator in a condition', () => {
    const doc = {
      ...seedPolicy(),
      rules: [{ id: 'a', when: { path: 'metadata.x', equal: true }, effect: 'deny' }],
    };
    expect(errorsOf(doc)).toContainEqual({
      pointer: '/rules/0/when/equal',
      message: "unknown key 'equal' (did you mean 'equals'?)",
    });
  });

  it('refuses a condition with two operators or none', () => {
    const two = {
      ...seedPolicy(),
      rules: [{ id: 'a', when: { path: 'metadata.x', gt: 1, lt: 5 }, effect: 'deny' }],
    };
    const none = {
      ...seedPolicy(),
      rules: [{ id: 'a', when: { path: 'metadata.x' }, effect: 'deny' }],
    };
    expect(errorsOf(two)[0]?.message).toMatch(/exactly one operator/);
    expect(errorsOf(none)[0]?.message).toMatch(/exactly one operator/);
  });

  it('refuses an unknown top-level key such as a misspelt threshold', () => {
    const doc = { ...seedPolicy(), treshold: 10 };
    expect(errorsOf(doc)).toContainEqual({
      pointer: '/treshold',
      message: "unknown key 'treshold' (did you mean 'threshold'?)",
    });
  });

  it('refuses duplicate rule ids', () => {
    const rule = { id: 'same', when: { path: 'metadata.x', equals: true }, effect: 'deny' };
    expect(errorsOf({ ...seedPolicy(), rules: [rule, rule] })).toEqual([
      { pointer: '/rules/1/id', message: "rule id 'same' is already used at /rules/0" },
    ]);
  });

  it('refuses paths outside the request and the facts', () => {
    const doc = {
      ...seedPolicy(),
      rules: [{ id: 'a', when: { path: 'metdata.x', equals: true }, effect: 'deny' }],
    };
    expect(errorsOf(doc)[0]).toEqual({
      pointer: '/rules/0/when/path',
      message:
        "path 'metdata.x' must start with one of: model, operation, subject, metadata, context, pii",
    });
  });

  it.each([
    ['a field of a single value', 'model.name', /single value/],
    ['an empty segment', 'metadata..x', /empty segment/],
    ['a prototype segment', 'metadata.__proto__.x', /reserved segment/],
  ])('refuses a path with %s', (_name, path, message) => {
    const doc = {
      ...seedPolicy(),
      rules: [{ id: 'a', when: { path, exists: true }, effect: 'deny' }],
    };
    expect(errorsOf(doc)[0]?.message).toMatch(message);
  });

  it('refuses a catastrophic regex at compile time', () => {
    const doc = {
      ...seedPolicy(),
      rules: [{ id: 'a', when: { path: 'metadata.x', matches: '(a+)+$' }, effect: 'deny' }],
    };
    expect(errorsOf(doc)[0]?.pointer).toBe('/rules/0/when/matches');
  });

  it('reports semantic problems together with schema problems', () => {
    const doc = {
      ...seedPolicy(),
      version: 'one',
      rules: [{ id: 'a', when: { any: [{ path: 'nope.x', equals: 1 }] }, effect: 'deny' }],
    };
    expect(errorsOf(doc).map((e) => e.pointer)).toEqual(['/rules/0/when/any/0/path', '/version']);
  });

  it('refuses prototype-reaching keys anywhere', () => {
    const doc = JSON.parse(
      '{"id":"p","version":1,"threshold":5,"rules":[],"__proto__":{"polluted":true}}',
    ) as unknown;
    expect(errorsOf(doc)).toContainEqual({
      pointer: '/__proto__',
      message: "key '__proto__' is not allowed",
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks tenant overrides: existing rules to disable, no clashing ids, valid tenant names', () => {
    const doc = {
      ...seedPolicy(),
      overrides: {
        acme: {
          disableRules: ['no-such-rule'],
          rules: [{ id: 'personal-data', when: { path: 'metadata.x', equals: 1 }, effect: 'deny' }],
        },
        'Bad Tenant': {},
      },
    };
    const errors = errorsOf(doc);
    expect(errors).toContainEqual({
      pointer: '/overrides/acme/disableRules/0',
      message: "no rule 'no-such-rule' in this policy to disable",
    });
    expect(errors).toContainEqual({
      pointer: '/overrides/acme/rules/0/id',
      message: "rule id 'personal-data' is already used at /rules/0",
    });
    expect(errors.find((e) => e.pointer === '/overrides/Bad Tenant')?.message).toMatch(
      /^key must be 1-63 characters/,
    );
  });

  it('lets an override replace a rule it disables', () => {
    const doc = {
      ...seedPolicy(),
      overrides: {
        acme: {
          disableRules: ['personal-data'],
          rules: [{ id: 'personal-data', when: { path: 'metadata.x', equals: 1 }, effect: 'deny' }],
        },
      },
    };
    expect(validatePolicyDocument(doc).ok).toBe(true);
  });

  it.each([
    ['null', null],
    ['a list', []],
    ['a string', 'policy'],
    ['NaN threshold', { ...seedPolicy(), threshold: NaN }],
    [
      'Infinity weight',
      {
        ...seedPolicy(),
        rules: [
          { id: 'a', when: { path: 'metadata.x', equals: 1 }, effect: 'score', weight: Infinity },
        ],
      },
    ],
  ])('refuses %s with an error, not a crash', (_name, doc) => {
    expect(validatePolicyDocument(doc).ok).toBe(false);
  });

  it('throws POLICY_INVALID listing every problem from assertPolicyDocument', () => {
    try {
      assertPolicyDocument({ id: 'p' });
      throw new Error('not thrown');
    } catch (error) {
      expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
      expect((error as GovgateError).details.map((d) => d.pointer)).toEqual([
        '/rules',
        '/threshold',
        '/version',
      ]);
    }
  });
});

describe('parseDocumentText', () => {
  it('reads YAML with the core schema: dates stay strings', () => {
    expect(parseDocumentText('a: 2024-01-01\nb: yes', 'yaml')).toEqual({
      a: '2024-01-01',
      b: 'yes',
    });
  });

  it('refuses duplicate keys in YAML', () => {
    expect(() => parseDocumentText('id: a\nid: b', 'yaml')).toThrow(/not valid YAML/);
  });

  it('refuses a billion-laughs alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let n = 0; n < 8; n++)
      bomb.push(
        `${'b'.repeat(n + 1)}: &${'b'.repeat(n + 1)} [${Array(10)
          .fill(`*${n === 0 ? 'a' : 'b'.repeat(n)}`)
          .join(', ')}]`,
      );
    expect(() => parseDocumentText(bomb.join('\n'), 'yaml')).toThrow(GovgateError);
  });

  it('reports JSON syntax errors as POLICY_INVALID', () => {
    try {
      parseDocumentText('{"id": ', 'json');
      throw new Error('not thrown');
    } catch (error) {
      expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    }
  });
});

describe('documents no parser or caller should get past validation', () => {
  const rule = (when: unknown, reason = 'r') => ({ id: 'r1', when, effect: 'deny', reason });
  const doc = (when: unknown, reason?: string) => ({
    id: 'p',
    version: 1,
    threshold: 50,
    rules: [rule(when, reason)],
  });
  const codeAndPointers = (value: unknown) => {
    try {
      assertPolicyDocument(value);
    } catch (error) {
      if (!GovgateError.is(error)) throw error;
      return { code: error.code, pointers: error.details.map((d) => d.pointer) };
    }
    return undefined;
  };

  it('refuses lone surrogates in values and reasons, naming where', () => {
    const found = codeAndPointers(doc({ path: 'model', equals: 'a\ud800b' }, 'why \udc00'));
    expect(found?.code).toBe('POLICY_INVALID');
    expect(found?.pointers.sort()).toEqual(['/rules/0/reason', '/rules/0/when/equals']);
    expect(
      codeAndPointers(
        parseDocumentText(
          'id: p\nversion: 1\nthreshold: 50\nrules: []\nforbiddenFields: ["\\ud800"]',
          'yaml',
        ),
      ),
    ).toEqual({ code: 'POLICY_INVALID', pointers: ['/forbiddenFields/0'] });
  });

  it('refuses numbers that are not finite (YAML .inf and .nan)', () => {
    const parsed = parseDocumentText(
      'id: p\nversion: 1\nthreshold: .nan\nrules:\n  - id: r1\n    when: { path: metadata.n, gt: .inf }\n    effect: deny',
      'yaml',
    );
    expect(codeAndPointers(parsed)?.pointers).toEqual(
      expect.arrayContaining(['/threshold', '/rules/0/when/gt']),
    );
  });

  it('refuses nesting far too deep with a typed error instead of overflowing the stack', () => {
    let when: unknown = { path: 'model', equals: 'x' };
    for (let i = 0; i < 20_000; i++) when = { not: when };
    const result = codeAndPointers(doc(when));
    expect(result?.code).toBe('POLICY_INVALID');
    expect(result?.pointers.length).toBeGreaterThan(0);
    let text = '1';
    for (let i = 0; i < 100_000; i++) text = `[${text}]`;
    const deep = parseDocumentText(`{"id":"p","version":1,"threshold":50,"rules":${text}}`, 'json');
    expect(codeAndPointers(deep)?.code).toBe('POLICY_INVALID');
  });

  it('refuses a JSON document that repeats a key, which JSON.parse would let pass', () => {
    const text = '{"id":"p","version":1,"threshold":50,"threshold":101,"rules":[]}';
    let error: unknown;
    try {
      parseDocumentText(text, 'json');
    } catch (e) {
      error = e;
    }
    expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
    expect(error).toMatchObject({
      message: 'document is not valid JSON: it repeats the key at /threshold',
      details: [{ pointer: '/threshold', message: expect.stringContaining('repeats a key') }],
    });
  });
});
