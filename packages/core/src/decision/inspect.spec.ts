import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { aRequest } from '../testing/builders.js';
import { compileSchema } from '../schema/validator.js';
import {
  decisionRequestSchema,
  deriveFacts,
  inspectForRecord,
  inspectRequest,
  isPlainlyValidRequest,
  REQUEST_LIMITS,
} from './inspect.js';

const forbidden = new Set(['prompt', 'messages', 'content', 'input', 'text', 'completion']);

function refusal(value: unknown): GovgateError {
  try {
    inspectRequest(value, forbidden);
  } catch (error) {
    if (GovgateError.is(error)) return error;
    throw error;
  }
  throw new Error('request was accepted');
}

function nested(depth: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: 1 };
  for (let n = 1; n < depth; n++) o = { n: o };
  return o;
}

describe('inspectRequest accepts', () => {
  it('a plain request, returned as it is when there is no PII and its keys are in order', () => {
    const request = aRequest(
      { nested: { n: null, ok: true }, tags: ['a', 'b'], tokens: 1200 },
      { subject: 'u-1', context: { env: 'prod' } },
    );
    const inspected = inspectRequest(request, forbidden);
    expect(inspected.redacted).toBe(request);
    expect(inspected.facts.pii.any).toBe(false);
  });

  it('a request with keys in any order, stored with its keys in canonical order', () => {
    const request = aRequest({ z: 1, a: { y: true, b: 'x' } });
    const inspected = inspectRequest(request, forbidden);
    expect(inspected.redacted.metadata).toEqual({ a: { b: 'x', y: true }, z: 1 });
    expect(Object.keys(inspected.redacted.metadata)).toEqual(['a', 'z']);
    expect(Object.keys(inspected.redacted.metadata.a as object)).toEqual(['b', 'y']);
    expect(Object.keys(request.metadata)).toEqual(['z', 'a']);
  });

  it('metadata nested exactly 16 levels deep', () => {
    expect(() => inspectRequest(aRequest(nested(16) as never), forbidden)).not.toThrow();
  });

  it('a string of exactly the length limit', () => {
    expect(() =>
      inspectRequest(aRequest({ s: 'x'.repeat(REQUEST_LIMITS.maxStringLength) }), forbidden),
    ).not.toThrow();
  });

  it('a key called __proto__ nowhere, and prototype names only as values', () => {
    expect(() => inspectRequest(aRequest({ kind: '__proto__' }), forbidden)).not.toThrow();
  });
});

describe('inspectRequest refuses with REQUEST_INVALID', () => {
  it.each([
    ['a missing model', { operation: 'o', metadata: {} }, '/model', "'model' is required"],
    ['a numeric model', { model: 5, operation: 'o', metadata: {} }, '/model', 'must be a string'],
    [
      'metadata as a list',
      { model: 'm', operation: 'o', metadata: [] },
      '/metadata',
      'must be an object',
    ],
    [
      'an unknown top-level key',
      { model: 'm', operation: 'o', metadata: {}, prompt: 'x' },
      '/prompt',
      "unknown key 'prompt'",
    ],
    [
      'an empty operation',
      { model: 'm', operation: '', metadata: {} },
      '/operation',
      'must not be empty',
    ],
  ])('%s', (_name, value, pointer, message) => {
    const error = refusal(value);
    expect(error.code).toBe('REQUEST_INVALID');
    expect(error.details[0]).toEqual({ pointer, message });
  });

  it.each(['null', 'a string', 'a number'])('a request that is %s', (kind) => {
    const value = kind === 'null' ? null : kind === 'a string' ? 'check' : 42;
    expect(refusal(value).code).toBe('REQUEST_INVALID');
  });

  it('metadata deeper than 16 levels, without recursing into the rest', () => {
    const error = refusal(aRequest(nested(10_000) as never));
    expect(error.code).toBe('REQUEST_INVALID');
    expect(error.details).toEqual([
      { pointer: `/metadata${'/n'.repeat(16)}`, message: 'nested deeper than 16 levels' },
    ]);
  });

  it('metadata larger than 64 KiB serialized', () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`k${i}`, 'é'.repeat(2000)]),
    );
    const error = refusal(aRequest(metadata));
    expect(error.details[0]).toMatchObject({
      pointer: '/metadata',
      message: expect.stringMatching(/bytes serialized; the limit is 65536/) as unknown,
    });
  });

  it('metadata just under 64 KiB is accepted', () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 15 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]),
    );
    expect(() => inspectRequest(aRequest(metadata), forbidden)).not.toThrow();
  });

  it('a string longer than the limit', () => {
    expect(
      refusal(aRequest({ s: 'x'.repeat(REQUEST_LIMITS.maxStringLength + 1) })).details[0]?.pointer,
    ).toBe('/metadata/s');
  });

  it.each([
    ['__proto__', '{"__proto__":{"polluted":true}}'],
    ['constructor', '{"constructor":{"prototype":{"polluted":true}}}'],
    ['prototype', '{"a":{"prototype":1}}'],
  ])('a %s key anywhere, and nothing is polluted', (key, json) => {
    const metadata = JSON.parse(json) as never;
    const error = refusal(aRequest(metadata));
    expect(error.details[0]?.message).toBe(`key '${key}' is not allowed`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('%s', (_name, n) => {
    expect(refusal(aRequest({ n })).details).toEqual([
      { pointer: '/metadata/n', message: `${n} is not a JSON number` },
    ]);
  });

  it.each([
    ['a lone high surrogate in a value', aRequest({ s: 'a\ud800b' }), '/metadata/s'],
    ['a lone low surrogate in a key', aRequest({ ['k\udc00']: 1 }), '/metadata/k\udc00'],
    ['a lone surrogate in the model', aRequest({}, { model: '\ud800' }), '/model'],
    ['a lone surrogate in the context', aRequest({}, { context: { s: '\udfff' } }), '/context/s'],
  ])('%s', (_name, request, pointer) => {
    expect(refusal(request).details[0]?.pointer).toBe(pointer);
  });

  it.each([
    ['a function', { f: () => 1 }],
    ['a Date', { d: new Date(0) }],
    ['a bigint', { b: 1n }],
    ['undefined in a list', { l: [undefined] }],
  ])('%s in metadata', (_name, metadata) => {
    expect(refusal(aRequest(metadata as never)).code).toBe('REQUEST_INVALID');
  });

  it('reports every problem at once', () => {
    const error = refusal(aRequest({ a: NaN, b: { ['\ud800']: 1 }, c: 'x'.repeat(5000) }));
    expect(error.details.map((d) => d.pointer)).toEqual([
      '/metadata/a',
      '/metadata/b/\ud800',
      '/metadata/c',
    ]);
  });
});

describe('inspectRequest refuses content with FORBIDDEN_CONTENT_FIELD', () => {
  it('names every content field at any depth, matching names without case', () => {
    const error = refusal(
      aRequest({ Messages: [], a: [{ b: { completion: 'x' } }] }, { context: { TEXT: 'x' } }),
    );
    expect(error.code).toBe('FORBIDDEN_CONTENT_FIELD');
    expect(error.details.map((d) => d.pointer)).toEqual([
      '/metadata/Messages',
      '/metadata/a/0/b/completion',
      '/context/TEXT',
    ]);
  });

  it('never puts the content into the error', () => {
    const error = refusal(aRequest({ prompt: 'the secret merger plan' }));
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      'secret',
    );
  });

  it('does not refuse keys that only contain a content word', () => {
    expect(() =>
      inspectRequest(
        aRequest({ input_tokens: 10, content_type: 'text/plain', prompt_id: 'p-1' }),
        forbidden,
      ),
    ).not.toThrow();
  });

  it('uses the list it is given', () => {
    expect(() => inspectRequest(aRequest({ arguments: {} }), new Set(['arguments']))).toThrow(
      GovgateError,
    );
    expect(() => inspectRequest(aRequest({ prompt: 'x' }), new Set(['arguments']))).not.toThrow();
  });

  it('reports invalid input before content fields', () => {
    expect(refusal(aRequest({ prompt: 'x', n: NaN })).code).toBe('REQUEST_INVALID');
  });
});

describe('inspectRequest and PII', () => {
  it('derives facts and redacts a copy at any depth, leaving the original as it was', () => {
    const request = aRequest(
      { owner: { email: 'alice@example.com' }, ips: ['10.0.0.1', 'n/a'] },
      { context: { card: '4111 1111 1111 1111' } },
    );
    const inspected = inspectRequest(request, forbidden);
    expect(inspected.facts.pii).toEqual({
      email: true,
      phone: false,
      creditCard: true,
      iban: false,
      ssn: false,
      ipAddress: true,
      any: true,
    });
    expect(inspected.redacted.metadata).toEqual({
      owner: { email: '[REDACTED:email]' },
      ips: ['[REDACTED:ipAddress]', 'n/a'],
    });
    expect(inspected.redacted.context).toEqual({ card: '[REDACTED:creditCard]' });
    expect(request.metadata.owner).toEqual({ email: 'alice@example.com' });
  });

  it('keeps the parts without PII shared, not copied', () => {
    const clean = { deep: { x: 1 } };
    const inspected = inspectRequest(aRequest({ clean, email: 'bob@example.com' }), forbidden);
    expect(inspected.redacted.metadata.clean).toBe(clean);
  });

  it('derives the same facts without validation for policy evaluation', () => {
    expect(deriveFacts(aRequest({ a: ['+1 415 555 0100'] })).pii).toMatchObject({
      phone: true,
      any: true,
    });
    expect(deriveFacts(aRequest({ a: 'none' })).pii.any).toBe(false);
  });
});

describe('inspectForRecord', () => {
  function random(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }
  const rnd = random(11);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const keys = [
    'a',
    'B',
    'z',
    '10',
    '9',
    '1a',
    'é',
    '\u20ac',
    '\ud83d\ude00',
    'k"q',
    'k\\',
    '\n',
    'f4',
    'f47',
  ];
  const leaves = [
    '',
    'plain',
    'a"b\\c',
    '\u0000\u001f',
    '\u2028',
    'é\u20ac\ud83d\ude00',
    'mail bob@example.com now',
    'card 4111 1111 1111 1111',
    '10.0.0.1',
    0,
    -0,
    1.5,
    1e21,
    1e-7,
    2 ** 53,
    true,
    false,
    null,
  ];
  function value(depth: number): unknown {
    const p = rnd();
    if (depth > 3 || p < 0.45) return pick(leaves);
    if (p < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    return section(depth + 1);
  }
  function section(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let n = Math.floor(rnd() * 6); n > 0; n--) out[pick(keys)] = value(depth);
    if (rnd() < 0.1) out.gone = undefined;
    return out;
  }

  it('writes the canonical JSON of what it stores, and stores what inspectRequest redacts, on 1,000 random requests', () => {
    for (let n = 0; n < 1000; n++) {
      const request = {
        model: pick(['gpt-4o', 'm"1', 'é']),
        operation: 'chat',
        metadata: section(1),
        ...(rnd() < 0.5 ? { context: section(1) } : {}),
        ...(rnd() < 0.5 ? { subject: 'u-1' } : {}),
      };
      const recorded = inspectForRecord(request, forbidden);
      const { redacted, facts } = inspectRequest(request, forbidden);
      expect(recorded.storedJson).toBe(canonicalJson(recorded.stored));
      expect(recorded.storedJson).toBe(
        canonicalJson({
          context: redacted.context,
          metadata: redacted.metadata,
          model: redacted.model,
          operation: redacted.operation,
        }),
      );
      expect(recorded.facts).toEqual(facts);
      expect(recorded.subject).toBe(request.subject);
    }
  });

  it('keeps the key order of the input in what it stores (the JSON is sorted)', () => {
    const recorded = inspectForRecord(aRequest({ z: 1, a: 'bob@example.com' }), forbidden);
    expect(Object.keys(recorded.stored.metadata as object)).toEqual(['z', 'a']);
    expect(recorded.storedJson).toBe(
      '{"metadata":{"a":"[REDACTED:email]","z":1},"model":"gpt-4o","operation":"chat.completion"}',
    );
  });

  it('writes each value as it was read and checked, once', () => {
    let reads = 0;
    const metadata = {
      get note(): string {
        reads += 1;
        return reads === 1 ? 'mail bob@example.com' : '\ud800';
      },
    };
    const recorded = inspectForRecord(aRequest(metadata), forbidden);
    expect(recorded.storedJson).toContain('"note":"mail [REDACTED:email]"');
    expect(recorded.facts.pii.email).toBe(true);
  });

  it('refuses what inspectRequest refuses, with the same details', () => {
    const request = aRequest({ b: NaN, a: { prompt: 'x' }, c: 'x'.repeat(5000) });
    const details = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as GovgateError).details;
      }
      throw new Error('accepted');
    };
    expect(details(() => inspectForRecord(request, forbidden))).toEqual(
      details(() => inspectRequest(request, forbidden)),
    );
  });
});

describe('isPlainlyValidRequest', () => {
  const validate = compileSchema(decisionRequestSchema);
  const base = { model: 'm', operation: 'o', metadata: {} };
  const inputs: [string, unknown][] = [
    ['a minimal request', base],
    ['a full request', { ...base, subject: 's', context: { a: 1 } }],
    ['an undefined subject and context', { ...base, subject: undefined, context: undefined }],
    ['a 256-character model', { ...base, model: 'x'.repeat(256) }],
    ['a 257-character model', { ...base, model: 'x'.repeat(257) }],
    ['256 emoji (512 code units)', { ...base, model: '\ud83d\ude00'.repeat(256) }],
    ['an empty operation', { ...base, operation: '' }],
    ['a numeric subject', { ...base, subject: 1 }],
    ['a null subject', { ...base, subject: null }],
    ['metadata as a list', { ...base, metadata: [] }],
    ['null metadata', { ...base, metadata: null }],
    ['no metadata', { model: 'm', operation: 'o' }],
    ['context as a string', { ...base, context: 'x' }],
    ['an unknown key', { ...base, prompt: 'x' }],
    ['an unknown key set to undefined', { ...base, prompt: undefined }],
    ['a null prototype', Object.assign(Object.create(null) as object, base)],
    ['a class instance', Object.assign(new (class Request {})(), base)],
    ['a list', [base]],
    ['null', null],
    ['a string', 'request'],
  ];

  it.each(inputs)('accepts only what the schema accepts: %s', (_name, value) => {
    if (isPlainlyValidRequest(value)) expect(validate(value)).toBe(true);
  });

  it('accepts the usual request', () => {
    expect(isPlainlyValidRequest({ ...base, subject: 's', context: { a: 1 } })).toBe(true);
  });
});
