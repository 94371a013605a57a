import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { seededRandom } from '../testing/seeded-random.js';
import { duplicateJsonKey } from './json-text.js';

describe('duplicateJsonKey', () => {
  it('names the first repeated key by its pointer, at any depth', () => {
    for (const [text, pointer] of [
      ['{"a":1,"a":2}', '/a'],
      ['{"metadata":{"pii":false,"pii":true}}', '/metadata/pii'],
      ['{"a":[0,{"b":1},{"c":1,"c":2}]}', '/a/2/c'],
      ['[[{"x":1}],[{"y":1,"y":1}]]', '/1/0/y'],
      ['{"a":{"b":1},"b":{"b":2},"a":3}', '/a'], // the same key in another object is no repeat
      ['{"a\\u0062":1,"ab":2}', '/ab'], // keys compare as read, escapes undone
      ['{"x/y~z":1,"x\\/y~z":2}', '/x~1y~0z'], // RFC 6901 escaping of the pointer
      ['{"":1,"":2}', '/'],
      [' { "k" : { } , "k" : [ ] } ', '/k'],
      ['{"a":"{\\"a\\":1,\\"a\\":2}","b":1,"b":2}', '/b'], // braces and quotes inside strings
    ] as const) {
      expect([text, duplicateJsonKey(text)]).toEqual([text, pointer]);
    }
  });

  it('finds none where every object has distinct keys', () => {
    for (const text of [
      '{}',
      '[]',
      '"a"',
      '1.5e3',
      'null',
      '[{"a":1},{"a":2}]',
      '{"a":{"a":{"a":1}}}',
      '{"a":"\\\\","b":"\\"}{,","c":[1,"a",{"a":true}]}',
      '{"\\u0061":1,"\\u0041":2}', // a and A
    ]) {
      expect([text, duplicateJsonKey(text)]).toEqual([text, undefined]);
    }
  });

  it('reads deep nesting without recursion', () => {
    const deep = `${'['.repeat(200_000)}{"a":1,"a":2}${']'.repeat(200_000)}`;
    expect(duplicateJsonKey(deep)).toBe(`${'/0'.repeat(200_000)}/a`);
  });

  it('agrees with a parser that refuses repeated keys, on 2,000 random documents', () => {
    const next = seededRandom(20261201);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const keys = ['a', 'b', 'c', '\\u0061', 'a\\"b', 'a\\\\', '{', '}', ',', ':', '[', 'é', ''];
    const value = (depth: number): string => {
      const r = next();
      if (depth > 3 || r < 0.3) return pick(['1', '"x"', 'true', 'null', '"{\\"a\\":1}"', '-2.5']);
      if (r < 0.6) {
        const n = Math.floor(next() * 4);
        return `[${Array.from({ length: n }, () => value(depth + 1)).join(',')}]`;
      }
      const n = Math.floor(next() * 4);
      const members = Array.from({ length: n }, () => `"${pick(keys)}":${value(depth + 1)}`);
      return `{${members.join(' , ')}}`;
    };
    let repeated = 0;
    for (let round = 0; round < 2000; round++) {
      const text = value(0);
      JSON.parse(text); // every document is JSON
      let refused = false;
      try {
        parseYaml(text, { schema: 'json', uniqueKeys: true });
      } catch {
        refused = true;
      }
      const found = duplicateJsonKey(text);
      expect([text, found !== undefined]).toEqual([text, refused]);
      if (found !== undefined) repeated += 1;
    }
    expect(repeated).toBeGreaterThan(200);
    expect(repeated).toBeLessThan(1800);
  });
});
