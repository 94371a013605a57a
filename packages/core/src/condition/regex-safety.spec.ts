import { describe, it, expect } from '@jest/globals';
import { MAX_PATTERN_LENGTH, vetPattern } from './regex-safety.js';

/** Vets a pattern that must be accepted and returns its regex. */
function accepted(pattern: string): RegExp {
  const vetting = vetPattern(pattern);
  if (!vetting.ok) throw new Error(`expected '${pattern}' to be accepted: ${vetting.message}`);
  return vetting.regex;
}

/** Vets a pattern that must be rejected and returns the message. */
function rejected(pattern: string): string {
  const vetting = vetPattern(pattern);
  if (vetting.ok) throw new Error(`expected '${pattern}' to be rejected`);
  return vetting.message;
}

/** Patterns that must be accepted, each with a string it matches. */
const ACCEPTED: readonly (readonly [string, string])[] = [
  ['^gpt-4', 'gpt-4o-mini'],
  ['^(marketing|ads)-[a-z]+$', 'ads-retargeting'],
  ['\\d{3}-\\d{2}', 'ssn 123-45-6789'],
  ['^[\\w.+-]+@example\\.com$', 'jane.doe+ai@example.com'],
  ['(foo|bar)?baz', 'barbaz'],
  ['[(|+*]+', 'a(|+*b'],
  ['\\(a+\\)+', '(aa))'],
  ['(ab+)?c', 'abbbc'],
  ['(?:ab)+', 'ababab'],
  ['(?<team>ml|data)-ops', 'data-ops'],
  ['(red|blue){1}', 'blue'],
  ['(red|blue){0,1}x', 'redx'],
  ['(red|blue){1,1}x', 'bluex'],
  ['x(a+){0}y', 'xy'],
  ['[\\]+(]+', '](+'],
  ['[a\\]]*z', 'a]a]z'],
  ['\\u{41}+', 'AAA'],
  ['\\p{Lu}{2,3}', 'ACME'],
  ['\\\\(a)+', '\\aaa'],
  ['a+?b*?c??', 'aac'],
  ['^\\$\\d+(\\.\\d\\d)?$', '$120.50'],
  ['^(?:[a-z]+-){0,1}v\\d+$', 'model-v2'],
  ['^[a-z]+-[a-z]+$', 'foo-bar'],
  ['^\\d{3}-\\d{2}-\\d{4}$', '123-45-6789'],
  ['\\d+x\\d+', '1920x1080'],
  ['a+b+', 'aabb'],
  ['^\\d+(\\.\\d+)?$', '3.14'],
  ['.*-preview$', 'gpt-5-preview'],
  ['(?:www\\.)?[a-z]+\\.com', 'www.example.com'],
  ['^v?\\d+\\.\\d+(\\.\\d+)?(-rc\\d+)?$', 'v1.2.3-rc1'],
  ['^[\\w.+-]+@[\\w-]+\\.[\\w.]+$', 'jane@mail.example.com'],
  ['^[01]?\\d:[0-5]\\d$', '09:30'],
  ['^(?:https?|ftp)://[^/]+/', 'https://example.com/'],
  ['\\d{2}\\d{2}', '2024'],
  ['^(gpt-4o|gpt-4)$', 'gpt-4'],
  ['(admin|nimda)', 'nimda'],
  ['x(ab|ba)', 'xba'],
  ['(foo.*|bar.*)', 'barn'],
  ['\\w+-\\w+', 'a-b'],
  ['[é-ë]+[ì-ï]+', 'éî'],
  ['\\p{Lu}+\\p{Ll}+x', 'Ddx'],
  ['^\\p{L}+\\P{L}+', 'Ж1'],
];

/** The pattern's first literal character, outside escapes, classes and quantifiers. */
function firstLiteral(pattern: string): string {
  const literals = pattern.replace(
    /\\[pPu]\{[^}]*\}|\\.|\[(?:\\.|[^\]])*\]|\{\d+(?:,\d*)?\}|\(\?(?:<[^>]*>|:)?/g,
    '',
  );
  return [...literals].find((ch) => !'^$.|?*+()'.includes(ch)) ?? 'a';
}

describe('vetPattern', () => {
  describe('accepted patterns', () => {
    it.each(ACCEPTED)(
      'given %p, when vetted, then it is accepted with flag u and matches %p',
      (pattern, example) => {
        const regex = accepted(pattern);

        expect(regex.flags).toBe('u');
        expect(regex.source).toBe(new RegExp(pattern, 'u').source);
        expect(regex.test(example)).toBe(true);
      },
    );

    it('given a pattern of exactly MAX_PATTERN_LENGTH characters, when vetted, then it is accepted', () => {
      expect(vetPattern('a'.repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
    });

    it('given exactly 8 repeating quantifiers, when vetted, then it is accepted', () => {
      expect(vetPattern('a+b+c+d+e+f+g+h+').ok).toBe(true);
    });

    it('given many non-repeating quantifiers, when vetted, then they are not counted', () => {
      expect(vetPattern('a?b?c?d?e?f?g?h?i{1}j{0,1}k+').ok).toBe(true);
    });

    // No timing assertion: a pattern that backtracks badly hangs here and times out.
    it.each(ACCEPTED.map(([pattern]) => pattern))(
      'given accepted %p, when searched in adversarial 4096-character inputs, then each search returns',
      (pattern) => {
        const regex = accepted(pattern);
        const inputs = [
          'a'.repeat(4096),
          '1'.repeat(4096),
          ' '.repeat(4096),
          'a-'.repeat(2048),
          firstLiteral(pattern).repeat(4096),
        ];

        for (const input of inputs) expect(typeof regex.test(input)).toBe('boolean');
      },
    );
  });

  describe('rule 1: length', () => {
    it('given an empty pattern, when vetted, then it is rejected as empty', () => {
      expect(rejected('')).toMatch(/empty pattern/);
    });

    it('given a pattern longer than MAX_PATTERN_LENGTH, when vetted, then it is rejected as too long', () => {
      expect(rejected('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/too long: 513 .*at most 512/);
    });
  });

  describe('rule 2: syntax', () => {
    it.each([
      ['(', /Unterminated group/],
      ['a{', /Incomplete quantifier/],
      ['a**', /Nothing to repeat/],
      ['[a-', /Unterminated character class/],
      ['\\1', /Invalid escape/],
      ['(?i:a)', /Invalid group/],
    ])(
      'given %p, when vetted, then it is rejected with the engine message',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(/^Invalid regular expression/);
        expect(rejected(pattern)).toMatch(expected);
      },
    );
  });

  describe('rule 3: backreferences', () => {
    it.each([
      ['(a)\\1', /backreference at offset 3: '\\1'/],
      ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', /backreference at offset 30: '\\10'/],
      ['(?<word>\\w)\\k<word>', /backreference at offset 11: '\\k<word>'/],
    ])('given %p, when vetted, then it is rejected as a backreference', (pattern, expected) => {
      expect(rejected(pattern)).toMatch(expected);
    });
  });

  describe('rule 4: lookaround', () => {
    it.each([
      ['a(?=b)', /^lookahead at offset 1/],
      ['a(?!b)', /^negative lookahead at offset 1/],
      ['(?<=a)b', /^lookbehind at offset 0/],
      ['(?<!a)b', /^negative lookbehind at offset 0/],
      ['[(?=]x(?=y)', /^lookahead at offset 6/],
    ])('given %p, when vetted, then it is rejected as lookaround', (pattern, expected) => {
      expect(rejected(pattern)).toMatch(expected);
    });
  });

  describe('rule 5: nested quantifiers', () => {
    it.each([
      ['(a+)+', /^nested quantifier at offset 4: the group opened at offset 0/],
      ['(a*)*', /^nested quantifier at offset 4/],
      ['((ab)*)+', /^nested quantifier at offset 7: the group opened at offset 0/],
      ['(?:x\\d{2,})+?', /^nested quantifier at offset 11/],
      ['(?<n>a+){2}', /^nested quantifier at offset 8/],
      ['(a+b){1,}', /^nested quantifier at offset 5/],
      ['(a+b){0,2}', /^nested quantifier at offset 5/],
      ['((a+)?)+', /^nested quantifier at offset 7/],
      ['(\\w+\\s?)*', /^nested quantifier at offset 8/],
    ])('given %p, when vetted, then it is rejected as a nested quantifier', (pattern, expected) => {
      expect(rejected(pattern)).toMatch(expected);
    });

    it.each([
      ['(?:a?a)+b', /^nested quantifier at offset 7: .*the optional quantifier '\?' at offset 4/],
      ['(ab?)+', /^nested quantifier at offset 5: .*optional quantifier '\?' at offset 3/],
      ['(a{0,1}b){2}', /^nested quantifier at offset 9: .*optional quantifier '\{0,1\}'/],
      ['(x(?:ab)?)*', /^nested quantifier at offset 10: .*optional quantifier '\?' at offset 8/],
    ])(
      'given %p, when vetted, then it is rejected as a repeated group with an optional part',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it.each([
      ['(a|a)*', /^quantified alternation at offset 5: .*alternation '\|'/],
      ['(a|ab)+', /^quantified alternation at offset 6/],
      ['(?:x|y){2,5}', /^quantified alternation at offset 7/],
      ['((a|b)c)*', /^quantified alternation at offset 8/],
    ])(
      'given %p, when vetted, then it is rejected as a quantified alternation',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );
  });

  describe('rule 6: quantifier count', () => {
    it('given 9 repeating quantifiers, when vetted, then it is rejected as too many quantifiers', () => {
      expect(rejected('a+b*c{2}d{1,}e{0,9}f+g+h+i+')).toMatch(
        /too many quantifiers: .* 9 repeating quantifiers.*at most 8/,
      );
    });

    it('given 9 repeating quantifiers split over groups, when vetted, then it is rejected', () => {
      expect(rejected('(a+)b+(c*)?d+e+f+g+h+i+')).toMatch(/too many quantifiers/);
    });
  });

  describe('rule 7: overlapping adjacent quantifiers', () => {
    it('given adjacent quantifiers over the same characters, when vetted, then the message names both and the fix', () => {
      expect(rejected('a*a*b')).toBe(
        "quantifiers at offsets 1 and 3 can match the same characters one after the other ('a*' " +
          "then 'a*'); this backtracks polynomially — separate them with a character neither " +
          'can match, or merge them',
      );
    });

    it.each([
      ['a*a*b', /^quantifiers at offsets 1 and 3 .*\('a\*' then 'a\*'\)/],
      ['\\d+\\d+x', /^quantifiers at offsets 2 and 5 .*\('\\d\+' then '\\d\+'\)/],
      ['\\d+\\.?\\d+', /^quantifiers at offsets 2 and 8 .*, with only '\\\.\?' between them/],
      ['\\w+\\s*\\w+$', /^quantifiers at offsets 2 and 8 .*with only '\\s\*' between them/],
      ['.*.*=.*', /^quantifiers at offsets 1 and 3 /],
      ['[a-z]+[a-c]+', /^quantifiers at offsets 5 and 11 .*\('\[a-z\]\+' then '\[a-c\]\+'\)/],
      ['(ab)+a*', /^quantifiers at offsets 4 and 6 .*\('\(ab\)\+' then 'a\*'\)/],
      ['x+(?:y?)x+', /^quantifiers at offsets 1 and 9 .*with only '\(\?:y\?\)' between them/],
      ['\\s*\\s+', /^quantifiers at offsets 2 and 5 .*backtracks polynomially/],
    ])(
      'given %p, whose quantifiers are adjacent and overlap, when vetted, then it is rejected',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it.each([
      ['\\d+(?:\\.?\\d+)', /^quantifiers at offsets 2 and 11 /],
      ['(?:x\\d*)?\\d+y', /^quantifiers at offsets 6 and 11 /],
      ['a*(?:b?a+)c', /^quantifiers at offsets 1 and 8 .*with only '\(\?:b\?' between/],
    ])(
      'given %p, with the quantifiers on either side of a group boundary, when vetted, then it is rejected',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it.each([
      ['.*foo.*bar', /^quantifiers at offsets 1 and 6 .*with only 'foo' between them/],
      ['[a-z]+a[a-z]+!', /^quantifiers at offsets 5 and 12 .*with only 'a' between them/],
      ['\\w+(?:-|_)\\w+x', /^quantifiers at offsets 2 and 12 /],
    ])(
      'given %p, with only characters both quantifiers match between them, when vetted, then it is rejected',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it('given bounded quantifiers with a large max, when vetted, then they count as repeating', () => {
      expect(rejected('\\d{1,1000}\\d{1,1000}x')).toMatch(
        /^quantifiers at offsets 2 and 12 .*backtracks polynomially/,
      );
    });

    it.each([
      ['a?a?a?aaa', /^quantifiers at offsets 1 and 3 .*chains of these backtrack exponentially/],
      ['\\w+s?\\b', /^quantifiers at offsets 2 and 4 /],
      ['(?:ab)?(?:ab)?x', /^quantifiers at offsets 6 and 13 /],
    ])(
      'given %p, with optional parts that overlap their neighbours, when vetted, then it is rejected',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it.each([
      ['(?:a|ab)(?:c|bc)', /^alternations at offsets 0 and 8 /],
      ['^(marketing|ads)[a-z]+$', /^the alternation at offset 1 and the quantifier at offset 21 /],
    ])(
      'given %p, with an alternation of different lengths next to an overlapping part, when vetted, then it is rejected',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it.each([
      ['[é-ë]+[ë-ï]+x', /^quantifiers at offsets 5 and 11 /],
      ['\\p{L}+\\p{Lu}+x', /^quantifiers at offsets 5 and 12 /],
      ['\\uD83D\\uDE00+😀+', /^quantifiers at offsets 12 and 15 /],
      ['[\\u4e00-\\u9fff]+中+x', /^quantifiers at offsets 15 and 17 /],
      ['\\p{Lu}+\\p{sc=Armenian}+x', /^quantifiers at offsets 6 and 22 /],
      ['[^\\P{Lu}]+[\\p{sc=Armenian}]+x', /^quantifiers at offsets 9 and 27 /],
      [
        '.+\\p{sc=Armenian}.+x',
        /^quantifiers at offsets 1 and 18 .*with only '\\p\{sc=Armenian\}'/,
      ],
    ])(
      'given %p, overlapping outside ASCII, when vetted, then it is rejected',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );

    it('given 9 repeating quantifiers that also overlap, when vetted, then the count is reported first', () => {
      expect(rejected('a+a+a+a+a+a+a+a+a+')).toMatch(/^too many quantifiers/);
    });
  });

  describe('Unicode property count', () => {
    it('given 8 distinct Unicode properties, when vetted, then it is accepted', () => {
      expect(vetPattern('\\p{L}-\\p{Lu}-\\p{Ll}-\\p{N}-\\p{Nd}-\\P{P}-[\\p{S}]-\\p{Z}').ok).toBe(
        true,
      );
    });

    it('given 9 distinct Unicode properties, when vetted, then it is rejected as too many properties', () => {
      expect(
        rejected('\\p{L}-\\p{Lu}-\\p{Ll}-\\p{N}-\\p{Nd}-\\P{P}-[\\p{S}]-\\p{Z}-\\p{Lo}'),
      ).toMatch(/^too many Unicode properties: .* 9 distinct properties .*at most 8/);
    });
  });

  describe('rule 8: alternatives that can match the same text', () => {
    it.each([
      [
        '(?:a|a)x(?:a|a)x',
        /^ambiguous alternation at offset 0: alternatives 1 and 2 \('a' and 'a'\)/,
      ],
      ['(a|a+)', /^ambiguous alternation at offset 0: .*\('a' and 'a\+'\)/],
      ['x(\\w+|\\d+)y', /^ambiguous alternation at offset 1: /],
      ['(?:ab|a[b-z])x', /^ambiguous alternation at offset 0: /],
      ['(?:b|a|a?)d', /^ambiguous alternation at offset 0: alternatives 2 and 3 /],
      ['(?:x?|y?)z', /^ambiguous alternation at offset 0: alternatives 1 and 2 /],
    ])(
      'given %p, when vetted, then it is rejected as an ambiguous alternation',
      (pattern, expected) => {
        expect(rejected(pattern)).toMatch(expected);
      },
    );
  });

  describe('classic ReDoS patterns', () => {
    it.each([
      ['(a+)+$', /nested quantifier/],
      ['(a|aa)+$', /quantified alternation/],
      ['(.*a){12}', /nested quantifier/],
      ['^(\\w+\\s?)*$', /nested quantifier/],
    ])('given %p, when vetted, then it is rejected', (pattern, expected) => {
      expect(rejected(pattern)).toMatch(expected);
    });
  });
});
