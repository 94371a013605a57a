import { describe, expect, it } from '@jest/globals';
import {
  canonicalDigest,
  canonicalJson,
  canonicalJsonData,
  jsonString,
  sha256Hex,
} from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('serializes the RFC 8785 §3.2.2 example exactly', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // JSON.parse puts the integer-like key first; compare the text order instead.
    const order = [...canonicalJson(input).matchAll(/"([^"]*)":/g)].map((m) => m[1]);
    expect(order).toEqual(['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(keys).toHaveLength(7);
  });

  it.each([
    [0, '0'],
    [-0, '0'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [9007199254740992, '9007199254740992'],
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e23, '1e+23'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
  ])('serializes the number %p as %s (ECMAScript number formatting)', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a lone surrogate', '\ud800x'],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow();
  });

  it('digests documents with keys in any order alike', () => {
    expect(canonicalDigest({ a: 1, b: [1, 2] })).toBe(canonicalDigest({ b: [1, 2], a: 1 }));
    expect(canonicalDigest({ a: 1 })).toBe(sha256Hex('{"a":1}'));
  });

  it('hashes with SHA-256 (known answer)', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('canonicalJsonData (the ledger’s one-pass writer)', () => {
  function random(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }
  const rnd = random(7);
  const strings = [
    '',
    'a',
    'é',
    '\u20ac',
    '\ud83d\ude00',
    '\n"\\',
    '\u0000\u001f',
    'Z',
    '10',
    '\ufb33',
    '\u2028',
  ];
  const numbers = [0, -0, 1, -1.5, 1e21, 1e-7, 333333333.3333333, 5e-324, 2 ** 53, 0.1 + 0.2];
  function value(depth: number): unknown {
    const pick = rnd();
    if (depth > 3 || pick < 0.4) {
      const leaves = [...strings, ...numbers, true, false, null];
      return leaves[Math.floor(rnd() * leaves.length)];
    }
    if (pick < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(rnd() * 5) }, () => [
        strings[Math.floor(rnd() * strings.length)] as string,
        value(depth + 1),
      ]),
    );
  }

  it('writes exactly what the canonicalize package writes, on 2,000 random documents', () => {
    for (let n = 0; n < 2000; n++) {
      const doc = { v: value(0) };
      expect(canonicalJsonData(doc)).toBe(canonicalJson(doc));
    }
  });

  it('leaves out undefined object members as JSON does', () => {
    expect(canonicalJsonData({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it.each([
    ['NaN', { n: NaN }],
    ['a lone surrogate', { s: '\udc00' }],
    ['a lone surrogate in a key', { ['\ud800']: 1 }],
    ['undefined in a list', { l: [undefined] }],
    ['a function', { f: () => 0 }],
    ['a Date', { d: new Date(0) }],
    ['a bigint', { b: 1n }],
    ['a __proto__ key', JSON.parse('{"__proto__":1}') as object],
    ['nesting past 64 levels', JSON.parse('['.repeat(70) + ']'.repeat(70)) as object],
  ])('refuses %s', (_name, data) => {
    expect(canonicalJsonData(data)).toBeUndefined();
  });
});

describe('jsonString', () => {
  it.each([
    ['plain text', 'eu-west-1'],
    ['the empty string', ''],
    ['a quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['control characters', '\u0000\b\t\n\f\r\u001f'],
    ['DEL and non-ASCII', '\u007fé\u20ac'],
    ['a surrogate pair', '\ud83d\ude00'],
    ['line separators', '\u2028\u2029'],
  ])('writes %s as JSON.stringify does', (_name, text) => {
    expect(jsonString(text)).toBe(JSON.stringify(text));
  });

  it('writes every single UTF-16 code unit as JSON.stringify does', () => {
    const differing: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const text = `a${String.fromCharCode(c)}`;
      if (jsonString(text) !== JSON.stringify(text)) differing.push(c);
    }
    expect(differing).toEqual([]);
  });
});
