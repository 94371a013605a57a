import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { InMemoryLedger } from '../testing/in-memory-ledger.js';
import { canonicalJson } from './canonical-json.js';
import {
  GENESIS_PREV,
  MAX_ENTRY_DATA_BYTES,
  checkAppend,
  computeEntryHash,
  sealEntry,
  withCanonicalJson,
  type AppendRequest,
} from './entry.js';

const request: AppendRequest = {
  type: 'decision',
  actor: 'key_1',
  subject: 'user-7',
  data: { b: [1, 'é'], a: { z: null } },
};

describe('sealEntry', () => {
  const sealed = sealEntry(
    { tenant: 'acme', seq: 1, prev: GENESIS_PREV, ts: '2026-01-01T00:00:00.000Z' },
    request,
    checkAppend('acme', request),
  );

  it('writes the RFC 8785 canonical JSON of the whole entry', () => {
    expect(sealed.bytes).toBe(canonicalJson(sealed.entry));
  });

  it('hashes the canonical JSON of the entry without its hash', () => {
    expect(sealed.entry.hash).toBe(computeEntryHash(sealed.entry));
    expect(sealed.entry.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps every field of the model', () => {
    expect(sealed.entry).toEqual({
      v: 1,
      tenant: 'acme',
      seq: 1,
      ts: '2026-01-01T00:00:00.000Z',
      type: 'decision',
      actor: 'key_1',
      subject: 'user-7',
      data: { a: { z: null }, b: [1, 'é'] },
      prev: GENESIS_PREV,
      hash: sealed.entry.hash,
    });
  });

  it('omits an absent subject from the bytes', () => {
    const { subject: _s, ...noSubject } = request;
    const s = sealEntry(
      { tenant: 'acme', seq: 2, prev: sealed.entry.hash, ts: '2026-01-01T00:00:00.000Z' },
      noSubject,
      checkAppend('acme', noSubject),
    );
    expect(s.bytes).not.toContain('subject');
    expect(s.bytes).toBe(canonicalJson(s.entry));
  });
});

describe('sealEntry checks the position on every call', () => {
  const at = { tenant: 'acme', seq: 1, prev: GENESIS_PREV, ts: '2026-01-01T00:00:00.000Z' };
  const json = checkAppend('acme', request);
  const refused = (position: typeof at, r: AppendRequest = request): boolean => {
    try {
      sealEntry(position, r, json);
      return false;
    } catch (error) {
      return GovgateError.is(error, 'LEDGER_ENTRY_INVALID');
    }
  };

  it.each([
    ['a prev that is not a hash', { ...at, prev: 'x' }],
    ['an empty prev', { ...at, prev: '' }],
    ['an empty timestamp', { ...at, ts: '' }],
    ['a timestamp that is not ISO 8601', { ...at, ts: '2026-01-01 00:00:00' }],
    ['an empty tenant', { ...at, tenant: '' }],
    ['a tenant that could escape a directory', { ...at, tenant: '../x' }],
  ])('refuses %s, also right after a valid call', (_name, position) => {
    const first = sealEntry(at, request, json);
    expect(refused({ ...position, seq: 2 })).toBe(true);
    expect(refused({ ...at, seq: 2, prev: first.entry.hash })).toBe(false);
    expect(refused({ ...position, seq: 2 })).toBe(true);
  });

  it('refuses an empty or malformed type, also right after a valid call', () => {
    sealEntry(at, request, json);
    expect(refused(at, { ...request, type: '' })).toBe(true);
    expect(refused(at, { ...request, type: 'Decision!' })).toBe(true);
  });
});

describe('checkAppend with data whose canonical JSON core wrote', () => {
  it('takes the JSON recorded for that very object, once', () => {
    const data = withCanonicalJson({ a: 1 }, '{"a":1}');
    data.a = 2; // changed after it was written: the recorded JSON shows it was taken
    expect(checkAppend('acme', { type: 'decision', actor: 'a', data })).toBe('{"a":1}');
    expect(checkAppend('acme', { type: 'decision', actor: 'a', data })).toBe('{"a":2}');
  });

  it('checks data that a caller built, however alike, in full', () => {
    withCanonicalJson({ n: 1 }, '{"n":1}');
    expect(() => checkAppend('acme', { type: 'decision', actor: 'a', data: { n: NaN } })).toThrow(
      GovgateError,
    );
    expect(checkAppend('acme', { type: 'decision', actor: 'a', data: { n: 1 } })).toBe('{"n":1}');
  });

  it('still checks the tenant, type, actor and subject', () => {
    const entry =
      (r: Partial<AppendRequest>, tenant = 'acme') =>
      () =>
        checkAppend(tenant, {
          type: 'decision',
          actor: 'a',
          ...r,
          data: withCanonicalJson({}, '{}'),
        });
    expect(entry({}, '../x')).toThrow(GovgateError);
    expect(entry({ type: 'Decision!' })).toThrow(GovgateError);
    expect(entry({ actor: '' })).toThrow(GovgateError);
    expect(entry({ subject: 'x'.repeat(257) })).toThrow(GovgateError);
    expect(entry({})()).toBe('{}');
  });

  it('is not reachable from the package’s API', async () => {
    const api = Object.keys(await import('../index.js'));
    const testing = Object.keys(await import('../testing/index.js'));
    for (const name of ['withCanonicalJson', 'decisionEntryData', 'inspectForRecord']) {
      expect(api).not.toContain(name);
      expect(testing).not.toContain(name);
    }
  });

  it('still enforces the size limit', () => {
    const blob = 'x'.repeat(MAX_ENTRY_DATA_BYTES);
    const data = withCanonicalJson({ blob }, JSON.stringify({ blob }));
    expect(() => checkAppend('acme', { type: 'decision', actor: 'a', data })).toThrow(/limit is/);
  });
});

describe('checkAppend refuses bad entries with LEDGER_ENTRY_INVALID', () => {
  const invalid = (tenant: string, r: unknown) => {
    try {
      checkAppend(tenant, r as AppendRequest);
    } catch (error) {
      expect(GovgateError.is(error, 'LEDGER_ENTRY_INVALID')).toBe(true);
      return (error as GovgateError).details;
    }
    throw new Error('not refused');
  };

  it.each([
    ['a function', { f: () => 1 }, '/data/f'],
    ['a bigint', { n: 10n }, '/data/n'],
    ['NaN', { n: NaN }, '/data/n'],
    ['Infinity', { n: -Infinity }, '/data/n'],
    ['a lone surrogate', { s: '\udc00' }, '/data/s'],
    ['undefined in a list', { l: [1, undefined] }, '/data/l/1'],
    ['a Map', { m: new Map() }, '/data/m'],
    ['__proto__', JSON.parse('{"__proto__":{"x":1}}') as object, '/data/__proto__'],
    ['constructor', { constructor: 1 }, '/data/constructor'],
  ])('data holding %s', (_name, data, pointer) => {
    expect(invalid('acme', { type: 'decision', actor: 'a', data }).map((d) => d.pointer)).toEqual([
      pointer,
    ]);
  });

  it('data that is circular', () => {
    const data: Record<string, unknown> = {};
    data.self = data;
    expect(invalid('acme', { type: 'decision', actor: 'a', data })[0]?.message).toMatch(/circular/);
  });

  it('data over the size limit', () => {
    const data = { blob: 'x'.repeat(MAX_ENTRY_DATA_BYTES) };
    expect(invalid('acme', { type: 'decision', actor: 'a', data })[0]?.message).toMatch(
      /larger than/,
    );
  });

  it.each([
    [
      'a tenant that could escape a directory',
      '../x',
      { type: 'decision', actor: 'a', data: {} },
      '/tenant',
    ],
    ['an empty actor', 'acme', { type: 'decision', actor: '', data: {} }, '/actor'],
    ['a malformed type', 'acme', { type: 'Decision!', actor: 'a', data: {} }, '/type'],
    ['data that is a list', 'acme', { type: 'decision', actor: 'a', data: [] }, '/data'],
  ])('%s', (_name, tenant, r, pointer) => {
    expect(invalid(tenant, r).map((d) => d.pointer)).toEqual([pointer]);
  });
});

describe('InMemoryLedger', () => {
  it('chains entries: seq from 1, genesis prev, each prev the last hash', async () => {
    const ledger = new InMemoryLedger();
    const [a, b] = await ledger.append('acme', [request, request]);
    expect(a).toMatchObject({ seq: 1, prev: GENESIS_PREV });
    expect(b).toMatchObject({ seq: 2, prev: a?.hash });
    expect(await ledger.head('acme')).toEqual({ size: 2, hash: b?.hash });
  });

  it('writes nothing of a batch that holds one bad entry', async () => {
    const ledger = new InMemoryLedger();
    await expect(
      ledger.append('acme', [request, { ...request, data: { n: NaN } }]),
    ).rejects.toMatchObject({ code: 'LEDGER_ENTRY_INVALID' });
    expect((await ledger.head('acme')).size).toBe(0);
  });

  it('reads pages by seq', async () => {
    const ledger = new InMemoryLedger();
    await ledger.append('acme', [request, request, request]);
    const seqs: number[] = [];
    for await (const e of ledger.read('acme', { fromSeq: 2, limit: 1 })) seqs.push(e.entry.seq);
    expect(seqs).toEqual([2]);
  });
});
