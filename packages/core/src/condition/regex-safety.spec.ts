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

describe('vetPattern', () => {
  describe('accepted patterns', () => {
    it.each([
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
    ])(
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
