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
