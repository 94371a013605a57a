import { describe, it, expect } from '@jest/globals';
import {
  PII_KINDS,
  TEXT_CASED,
  TEXT_ESCAPES,
  TEXT_SURROGATES,
  detectPii,
  detectPiiScanned,
  ibanValid,
  luhnValid,
  parseIpv4,
  parseIpv6,
  scanText,
  type PiiKind,
} from './pii.js';

/** The finding for a string that is nothing but one value of one kind. */
const whole = (kind: PiiKind) => ({ kinds: [kind], redacted: `[REDACTED:${kind}]` });

describe('PII_KINDS', () => {
  it('lists every kind once, in the fixed fact order', () => {
    // Given / When / Then
    expect(PII_KINDS).toEqual(['email', 'phone', 'creditCard', 'iban', 'ssn', 'ipAddress']);
  });
});

describe('detectPii', () => {
  describe('fast path', () => {
    it.each([
      ['an empty string', ''],
      ['a string shorter than any match', '::'],
      ['text without digits, @ or :', 'hello world, this is a model name like gpt-four'],
      ['a long text without digits, @ or :', 'lorem ipsum '.repeat(300)],
    ])('given %s, when scanned, then it returns undefined', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it.each([
      ['a model name', 'gpt-4o'],
      ['a version', 'v1.2.3'],
      ['a region', 'us-east-1'],
      ['an ISO timestamp', '2024-01-15T10:30:00Z'],
      ['a time', '12:30:45'],
      ['a url with a port', 'https://api.example.com:8443/v1'],
    ])(
      'given %s with no personal data, when scanned, then it returns undefined',
      (_label, input) => {
        expect(detectPii(input)).toBeUndefined();
      },
    );
  });

  describe('email', () => {
    it.each([
      'jane.doe@example.com',
      'jane+tag@mail.example.co.uk',
      "o'brien@example.ie",
      'a@b.co',
      'first_last-1@sub-domain.example.org',
    ])('given %s, when scanned, then it is an email', (input) => {
      expect(detectPii(input)).toEqual(whole('email'));
    });

    it.each([
      ['no dot in the domain', 'jane@localhost'],
      ['a one-letter last label', 'jane@example.c'],
      ['a numeric last label', 'jane@example.123'],
      ['no local part', '@example.com'],
      ['a dot ending the local part', 'jane.@example.com'],
      ['two dots in a row', 'ja..ne@example.com'],
      ['a local part over 64 characters', `${'a'.repeat(65)}@example.com`],
      ['a label starting with a hyphen', 'user@-example.com'],
    ])('given %s, when scanned, then it is not an email', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it('given an email ending a sentence, when scanned, then the full stop is kept', () => {
      // Given
      const input = 'contact: jane@example.com.';
      // When
      const finding = detectPii(input);
      // Then
      expect(finding?.redacted).toBe('contact: [REDACTED:email].');
    });

    it('given a domain over 253 characters, when scanned, then it is not an email', () => {
      // Given
      const domain = `${'a'.repeat(60)}.`.repeat(5) + 'com';
      // When / Then
      expect(detectPii(`jane@${domain}`)).toBeUndefined();
    });
  });

  describe('phone', () => {
    it.each([
      '+1 (415) 555-0100',
      '+44 20 7946 0958',
      '+4915112345678',
      '+33 1 23 45 67 89',
      '+44 (0)20 7946 0958',
      '+1-415-555-0100',
      '+1.415.555.0100',
      '(415) 555-0100',
      '(415)555-0100',
      '415-555-0100',
      '415.555.0100',
      '1-800-555-0100',
    ])('given %s, when scanned, then it is a phone', (input) => {
      expect(detectPii(input)).toEqual(whole('phone'));
    });

    it.each([
      ['a bare 10-digit run', '4155550100'],
      ['3-3-4 with spaces only', '415 555 0100'],
      ['mixed separators', '415-555.0100'],
      ['digits inside an alphanumeric token', 'abc415-555-0100xyz'],
      ['digits joined to a word by a dash', 'order-415-555-0100'],
      ['a version string', '1.2.3-rc.4'],
      ['a date', '2024-01-15'],
      ['an ISO timestamp with an offset', '2024-01-15T10:30:00+01:00'],
      ['+ and 7 digits', '+1234567'],
      ['+ and 16 digits', '+1234567890123456'],
      ['two parenthesised groups', '+1 (415) (555) 0100'],
      ['a + right after a word', 'a+4915112345678'],
    ])('given %s, when scanned, then it is not a phone', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it('given a phone in a sentence, when scanned, then only the number is redacted', () => {
      expect(detectPii('call +44 20 7946 0958 now')?.redacted).toBe('call [REDACTED:phone] now');
    });
  });

  describe('creditCard', () => {
    it.each([
      '4111111111111111',
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      '5555555555554444',
      '378282246310005',
      '3782 822463 10005',
      '4222222222222',
      '4000000000000000006',
    ])('given %s, when scanned, then it is a credit card', (input) => {
      expect(detectPii(input)).toEqual(whole('creditCard'));
    });

    it.each([
      ['a Luhn-invalid 16-digit number', '4111111111111112'],
      ['one digit repeated (Luhn-valid)', '0000000000000000'],
      ['12 digits', '411111111111'],
      ['a card inside a longer digit run', '12344111111111111111'],
      ['a card followed by another digit group', '4111111111111111 1'],
      ['a card glued to letters', 'x4111111111111111'],
      ['the fraction of a decimal number', '0.4111111111111111'],
      ['double spaces between groups', '4111  1111 1111 1111'],
      ['a Luhn-valid millisecond timestamp (no issuer starts with 1)', '1705312200002'],
      ['a Luhn-valid number starting with 9', '9999999999999995'],
    ])('given %s, when scanned, then it is not a credit card', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it('given a card in a sentence, when scanned, then only the number is redacted', () => {
      // Given
      const input = 'card 4111 1111 1111 1111, exp 12/27';
      // When / Then
      expect(detectPii(input)?.redacted).toBe('card [REDACTED:creditCard], exp 12/27');
    });
  });

  describe('iban', () => {
    it.each([
      'DE89 3704 0044 0532 0130 00',
      'DE89370400440532013000',
      'GB82WEST12345698765432',
      'GB82 WEST 1234 5698 7654 32',
      'NL91ABNA0417164300',
      'NO9386011117947',
      'MT84MALT011000012345MTLCAST001S',
    ])('given %s, when scanned, then it is an IBAN', (input) => {
      expect(detectPii(input)).toEqual(whole('iban'));
    });

    it.each([
      ['a wrong check digit', 'DE88 3704 0044 0532 0130 00'],
      ['a missing digit', 'DE89 3704 0044 0532 0130 0'],
      ['lower case', 'de89370400440532013000'],
      ['double spaces', 'DE89  3704 0044 0532 0130 00'],
      ['letters glued before it', 'XDE89370400440532013000'],
    ])('given %s, when scanned, then it is not an IBAN', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it('given a grouped IBAN followed by another group of four, when scanned, then that group is kept', () => {
      expect(detectPii('BE68 5390 0754 7034 2024')).toEqual({
        kinds: ['iban'],
        redacted: '[REDACTED:iban] 2024',
      });
    });

    it('given an IBAN, when scanned, then its digits are not also reported as a card', () => {
      expect(detectPii('iban DE89 3704 0044 0532 0130 00')?.kinds).toEqual(['iban']);
    });
  });

  describe('ssn', () => {
    it.each(['123-45-6789', '123 45 6789', '078-05-1120'])(
      'given %s, when scanned, then it is an SSN',
      (input) => {
        expect(detectPii(input)).toEqual(whole('ssn'));
      },
    );

    it.each([
      ['a bare 9-digit run', '123456789'],
      ['area 000', '000-12-3456'],
      ['area 666', '666-12-3456'],
      ['area 900', '900-12-3456'],
      ['area 999', '999-12-3456'],
      ['group 00', '123-00-4567'],
      ['serial 0000', '123-45-0000'],
      ['mixed separators', '123-45 6789'],
      ['a longer digit run', '1123-45-6789'],
    ])('given %s, when scanned, then it is not an SSN', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it('given an SSN ending a sentence, when scanned, then the full stop is kept', () => {
      expect(detectPii('ssn 078-05-1120.')?.redacted).toBe('ssn [REDACTED:ssn].');
    });
  });

  describe('ipAddress', () => {
    it.each([
      '1.2.3.4',
      '192.168.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '::1',
      '1::',
      'fe80::1%eth0',
      '2001:db8::ff00:42:8329',
      '2001:0db8:0000:0000:0000:ff00:0042:8329',
      '::ffff:192.0.2.1',
      '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7::',
    ])('given %s, when scanned, then it is an IP address', (input) => {
      expect(detectPii(input)).toEqual(whole('ipAddress'));
    });

    it.each([
      ['an octet over 255', '1.2.3.400'],
      ['a leading zero', '01.2.3.4'],
      ['three parts', '1.2.3'],
      ['a longer dotted run', '1.2.3.4.5'],
      ['a word before it', 'v1.2.3.4'],
      ['a time', '12:30:45'],
      ['a MAC address', '00:1a:2b:3c:4d:5e'],
      ['seven groups without ::', '1:2:3:4:5:6:7'],
      ['two ::', '1::2::3'],
      [':: with eight groups', '1:2:3:4:5:6:7:8::'],
      ['a five-digit group', '12345::1'],
      ['a bad embedded IPv4', '::ffff:1.2.3.256'],
      ['the bare unspecified address', 'key :: value'],
    ])('given %s, when scanned, then it is not an IP address', (_label, input) => {
      expect(detectPii(input)).toBeUndefined();
    });

    it.each([
      ['an IPv4 with a port', '10.0.0.1:8080', '[REDACTED:ipAddress]:8080'],
      ['a bracketed IPv6 with a port', '[2001:db8::1]:443', '[[REDACTED:ipAddress]]:443'],
      ['an IPv4 ending a sentence', 'from 1.2.3.4.', 'from [REDACTED:ipAddress].'],
      ['an IPv6 ending a sentence', 'from fe80::1.', 'from [REDACTED:ipAddress].'],
    ])('given %s, when scanned, then only the address is redacted', (_label, input, redacted) => {
      expect(detectPii(input)).toEqual({ kinds: ['ipAddress'], redacted });
    });

    it('given a dotted quad in a version field, when scanned, then it is judged by parsing', () => {
      // Given: the value of a field named "version"
      const version = '1.2.3.4';
      // When / Then
      expect(detectPii(version)?.kinds).toEqual(['ipAddress']);
    });
  });

  describe('several values in one string', () => {
    it('given an email, a phone and two IPs, when scanned, then each span is redacted', () => {
      // Given
      const input = 'jane@example.com called +44 20 7946 0958 from 10.0.0.1 or fe80::1';
      // When
      const finding = detectPii(input);
      // Then
      expect(finding).toEqual({
        kinds: ['email', 'phone', 'ipAddress'],
        redacted:
          '[REDACTED:email] called [REDACTED:phone] from [REDACTED:ipAddress] or [REDACTED:ipAddress]',
      });
    });

    it('given every kind, when scanned, then all six are reported and redacted', () => {
      // Given
      const input =
        'ip 10.0.0.1, ssn 123-45-6789, iban GB82WEST12345698765432, card 4111111111111111, tel 415-555-0100, mail a@b.co';
      // When
      const finding = detectPii(input);
      // Then
      expect(finding).toEqual({
        kinds: [...PII_KINDS],
        redacted:
          'ip [REDACTED:ipAddress], ssn [REDACTED:ssn], iban [REDACTED:iban], card [REDACTED:creditCard], tel [REDACTED:phone], mail [REDACTED:email]',
      });
    });

    it('given kinds in reverse text order, when scanned, then kinds follow PII_KINDS order', () => {
      expect(detectPii('10.0.0.1 then 415-555-0100 then jane@example.com')?.kinds).toEqual([
        'email',
        'phone',
        'ipAddress',
      ]);
    });

    it('given the same kind twice, when scanned, then the kind is listed once', () => {
      expect(detectPii('a@b.co, c@d.org')).toEqual({
        kinds: ['email'],
        redacted: '[REDACTED:email], [REDACTED:email]',
      });
    });

    it('given an IP inside an email domain, when scanned, then only the email is reported', () => {
      expect(detectPii('admin@192.168.0.1.example.com')).toEqual(whole('email'));
    });
  });

  describe('linear time', () => {
    // A catastrophic pattern would hang here; the assertion only checks that it returned.
    it.each([
      ['a run of local-part characters before @', 'a'.repeat(4000) + '@'],
      ['dotted local part before @', 'a.'.repeat(2000) + '@'],
      ['a repeated @', 'a@'.repeat(2048)],
      ['a long dotted domain', 'a@' + 'a.'.repeat(2000)],
      ['a digit run', '1'.repeat(4096)],
      ['digits and dots', '1.'.repeat(2000)],
      ['digits and dashes', '1-'.repeat(2048)],
      ['digits and spaces', '1 '.repeat(2048)],
      ['colons', ':'.repeat(4096)],
      ['hex and colons', 'f:'.repeat(2048)],
      ['digits and colons', '1:'.repeat(2048)],
      ['plus signs and digits', '+1 '.repeat(1300)],
      ['parentheses and digits', '+1 (1'.repeat(800)],
      ['IBAN-like groups', 'DE89 '.repeat(800)],
      ['IBAN-like characters', 'AB12'.repeat(1024)],
    ])('given %s (about 4096 characters), when scanned, then it returns', (_label, input) => {
      // When
      const finding = detectPii(input);
      // Then
      expect(finding === undefined || typeof finding.redacted === 'string').toBe(true);
    });
  });
});

describe('luhnValid', () => {
  it.each([
    ['79927398713', true],
    ['79927398710', false],
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['378282246310005', true],
    ['6011111111111117', true],
  ])('given %s, when checked, then it returns %s', (digits, expected) => {
    expect(luhnValid(digits)).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['a non-digit', '4111 1111 1111 1111'],
  ])('given %s, when checked, then it returns false', (_label, digits) => {
    expect(luhnValid(digits)).toBe(false);
  });
});

describe('ibanValid', () => {
  it.each([
    ['GB82WEST12345698765432', true],
    ['GB82 WEST 1234 5698 7654 32', true],
    ['DE89370400440532013000', true],
    ['NO9386011117947', true],
    ['LC55HEMM000100010012001200023015', true],
    ['DE88370400440532013000', false],
    ['GB82WEST1234569876543', false],
    ['gb82west12345698765432', false],
    ['GB00WEST12345698765432', false],
    ['GB99WEST12345698765432', false],
    ['NO938601111794', false],
    ['', false],
  ])('given %p, when checked, then it returns %s', (candidate, expected) => {
    expect(ibanValid(candidate)).toBe(expected);
  });
});

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', true],
    ['192.0.2.1', true],
    ['255.255.255.255', true],
    ['256.0.0.1', false],
    ['01.2.3.4', false],
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['1..3.4', false],
    ['1.2.3.4 ', false],
    ['', false],
  ])('given %p, when parsed, then it returns %s', (s, expected) => {
    expect(parseIpv4(s)).toBe(expected);
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', true],
    ['::1', true],
    ['1::', true],
    ['fe80::1%eth0', true],
    ['2001:db8::ff00:42:8329', true],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', true],
    ['::ffff:192.0.2.1', true],
    ['1:2:3:4:5:6:1.2.3.4', true],
    ['1:2:3:4:5:6:7::', true],
    ['12:30:45', false],
    ['00:1a:2b:3c:4d:5e', false],
    ['1:2:3:4:5:6:7', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
    [':::1', false],
    [':1::2', false],
    ['1::2:', false],
    ['12345::1', false],
    ['g::1', false],
    ['::ffff:1.2.3', false],
    ['1.2.3.4::', false],
    ['fe80::1%', false],
    ['', false],
  ])('given %p, when parsed, then it returns %s', (s, expected) => {
    expect(parseIpv6(s)).toBe(expected);
  });
});

describe('scanText', () => {
  it.each([
    ['plain lower-case text', 'eu-west', 0],
    ['one digit, which no pass can match', 'eu-west-1', 0],
    ['two digits', 'v1.2', 1],
    ['an @', 'a@b', 2],
    ['a colon', 'a:b', 4],
    ['a quote', 'a"b', TEXT_ESCAPES],
    ['a backslash', 'a\\b', TEXT_ESCAPES],
    ['a control character', 'a\nb', TEXT_ESCAPES],
    ['an upper-case letter', 'aBc', TEXT_CASED],
    ['a letter past ASCII', 'é', TEXT_CASED],
    ['a surrogate pair', '\ud83d\ude00', TEXT_CASED | TEXT_SURROGATES],
    ['a lone surrogate', 'a\udc00', TEXT_CASED | TEXT_SURROGATES],
  ])('reports %s', (_name, text, bits) => {
    expect(scanText(text)).toBe(bits);
  });

  it('flags every character that JSON escapes or lower case changes', () => {
    const missed: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const text = String.fromCharCode(c);
      const bits = scanText(text);
      if (JSON.stringify(text) !== `"${text}"` && (bits & (TEXT_ESCAPES | TEXT_SURROGATES)) === 0)
        missed.push(c);
      if (text.toLowerCase() !== text && (bits & TEXT_CASED) === 0) missed.push(c);
    }
    expect(missed).toEqual([]);
  });
});

describe('detectPiiScanned', () => {
  it('finds what detectPii finds in 20,000 random strings of few digits', () => {
    let s = 3;
    const rnd = (): number => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const alphabet = 'aZ09 .-+()@:/_x1';
    const differing: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let k = Math.floor(rnd() * 24); k > 0; k--)
        text += alphabet[Math.floor(rnd() * alphabet.length)] as string;
      const expected = detectPii(text);
      if (JSON.stringify(detectPiiScanned(text, scanText(text))) !== JSON.stringify(expected))
        differing.push(text);
    }
    expect(differing).toEqual([]);
  });

  it.each(['GB12', 'AB12CDEFGHIJKLMNOP', '+1', '1', 'x1.2.3.4'])(
    'agrees with detectPii on %j',
    (text) => {
      expect(detectPiiScanned(text, scanText(text))).toEqual(detectPii(text));
    },
  );

  it.each([
    'call +44 20 7946 0958 or mail jane@example.com',
    'build 1.2.3',
    'host ::1',
    'IBAN GB82 WEST 1234 5698 7654 32',
    'no personal data here',
    'ab',
  ])('finds what detectPii finds in %j', (text) => {
    expect(detectPiiScanned(text, scanText(text))).toEqual(detectPii(text));
  });
});
