/**
 * Personal-data detection for request metadata (see docs/pii-detection.md).
 *
 * Pure and on the decision hot path: a string with no ASCII digit, '@' or ':' is rejected
 * before any regex runs, nothing is allocated unless a candidate is found, and every
 * pattern is linear-time. Patterns only find candidates; the checks that need
 * arithmetic (Luhn, mod-97, octet ranges, IPv6 group counts) run in code afterwards.
 *
 * Linear time: each pattern starts with a lookbehind that refuses to start inside a run
 * of the characters it consumes, so a run is entered once, and no quantified group can
 * match the same text in two ways (groups are split by a separator that must be present),
 * so a failed attempt backtracks at most once over the run it entered.
 */

export type PiiKind = 'email' | 'phone' | 'creditCard' | 'iban' | 'ssn' | 'ipAddress';

/** All kinds, in this fixed order (used for deterministic fact output). */
export const PII_KINDS: readonly PiiKind[] = Object.freeze([
  'email',
  'phone',
  'creditCard',
  'iban',
  'ssn',
  'ipAddress',
] as const);

/** What {@link detectPii} found in one string. */
export interface PiiFinding {
  /** Distinct kinds found, in {@link PII_KINDS} order. */
  readonly kinds: readonly PiiKind[];
  /** The string with each matched span replaced by `[REDACTED:<kind>]`. */
  readonly redacted: string;
}

// ---------------------------------------------------------------------------------------
// Character helpers (char codes; no allocation)

const C_0 = 48;
const C_9 = 57;
const C_SPACE = 32;
const C_LPAREN = 40;
const C_HYPHEN = 45;
const C_DOT = 46;
const C_COLON = 58;
const C_AT = 64;
const C_PERCENT = 37;

const isDigit = (c: number): boolean => c >= C_0 && c <= C_9;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number): boolean =>
  (c >= C_0 && c <= C_9) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isZoneChar = (c: number): boolean =>
  isLetter(c) ||
  isDigit(c) ||
  c === 95 /* _ */ ||
  c === C_DOT ||
  c === C_HYPHEN ||
  c === 126; /* ~ */

// ---------------------------------------------------------------------------------------
// Validators over a range of a string (shared by the exported validators and detection)

/** Luhn over the digits of s[start, end), ignoring any other character. */
function luhnRange(s: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    let d = c - C_0;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** One step of a mod-97 remainder over an IBAN character (A=10 … Z=35). */
const mod97Step = (rem: number, c: number): number =>
  isDigit(c) ? (rem * 10 + (c - C_0)) % 97 : (rem * 100 + (c - 55)) % 97;

/** ISO 13616 check of s[start, end), spaces ignored. */
function ibanRange(s: string, start: number, end: number): boolean {
  let n = 0;
  let check = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === C_SPACE) continue;
    if (n < 2) {
      if (!isUpper(c)) return false;
    } else if (n < 4) {
      if (!isDigit(c)) return false;
      check = check * 10 + (c - C_0);
    } else if (!isUpper(c) && !isDigit(c)) return false;
    n++;
  }
  if (n < 15 || n > 34 || check < 2 || check > 98) return false;
  // Move the first four characters to the end: BBAN first, then country and check digits.
  let rem = 0;
  let k = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === C_SPACE) continue;
    if (k++ >= 4) rem = mod97Step(rem, c);
  }
  k = 0;
  for (let i = start; i < end && k < 4; i++) {
    const c = s.charCodeAt(i);
    if (c === C_SPACE) continue;
    rem = mod97Step(rem, c);
    k++;
  }
  return rem === 1;
}

/** Dotted quad in s[start, end): four decimal octets 0–255, no leading zeros. */
function ipv4Range(s: string, start: number, end: number): boolean {
  let octets = 0;
  let i = start;
  for (;;) {
    const octetStart = i;
    let value = 0;
    while (i < end && i - octetStart < 3) {
      const c = s.charCodeAt(i);
      if (!isDigit(c)) break;
      value = value * 10 + (c - C_0);
      i++;
    }
    const len = i - octetStart;
    if (len === 0 || value > 255 || (len > 1 && s.charCodeAt(octetStart) === C_0)) return false;
    octets++;
    if (i === end) return octets === 4;
    if (octets === 4 || s.charCodeAt(i) !== C_DOT) return false;
    i++;
  }
}

/** Longest IPv6 text without a zone: six full groups plus a dotted quad. */
const IPV6_MAX_TEXT = 45;

/** RFC 4291 text form in s[start, end), with an optional `%zone` (RFC 6874 characters). */
function ipv6Range(s: string, start: number, end: number): boolean {
  let addrEnd = end;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== C_PERCENT) continue;
    if (i + 1 === end) return false;
    for (let j = i + 1; j < end; j++) if (!isZoneChar(s.charCodeAt(j))) return false;
    addrEnd = i;
    break;
  }
  if (addrEnd - start < 2 || addrEnd - start > IPV6_MAX_TEXT) return false;
  let groups = 0;
  let compressed = false;
  let i = start;
  if (s.charCodeAt(i) === C_COLON) {
    if (s.charCodeAt(i + 1) !== C_COLON) return false;
    compressed = true;
    i += 2;
    if (i === addrEnd) return true;
  }
  for (;;) {
    let j = i;
    while (j < addrEnd && isHex(s.charCodeAt(j))) j++;
    if (j < addrEnd && s.charCodeAt(j) === C_DOT) {
      // Embedded IPv4: the rest of the address, worth two groups.
      if (!ipv4Range(s, i, addrEnd)) return false;
      groups += 2;
      break;
    }
    const len = j - i;
    if (len < 1 || len > 4) return false;
    groups++;
    if (j === addrEnd) break;
    if (s.charCodeAt(j) !== C_COLON) return false;
    j++;
    if (j < addrEnd && s.charCodeAt(j) === C_COLON) {
      if (compressed) return false;
      compressed = true;
      j++;
      if (j === addrEnd) break;
    } else if (j === addrEnd) {
      return false;
    }
    i = j;
  }
  return compressed ? groups <= 7 : groups === 8;
}

// ---------------------------------------------------------------------------------------
// Exported validators

/**
 * Luhn (mod 10) check of a string of ASCII digits; false for an empty string or any
 * other character.
 *
 * @example
 * luhnValid('79927398713'); // true
 * luhnValid('79927398710'); // false
 */
export function luhnValid(digits: string): boolean {
  if (digits.length === 0) return false;
  for (let i = 0; i < digits.length; i++) if (!isDigit(digits.charCodeAt(i))) return false;
  return luhnRange(digits, 0, digits.length);
}

/**
 * ISO 13616 IBAN check: two uppercase letters, two check digits (02–98), then uppercase
 * letters and digits, 15–34 characters in all, and the number mod 97 equal to 1. Spaces
 * are ignored; the country's own length is not checked.
 *
 * @example
 * ibanValid('DE89 3704 0044 0532 0130 00'); // true
 * ibanValid('DE88 3704 0044 0532 0130 00'); // false (wrong check digits)
 */
export function ibanValid(candidate: string): boolean {
  return ibanRange(candidate, 0, candidate.length);
}

/**
 * True when the whole string is a dotted-quad IPv4 address: four decimal octets 0–255,
 * no leading zeros.
 *
 * @example
 * parseIpv4('192.0.2.1'); // true
 * parseIpv4('01.2.3.4'); // false
 */
export function parseIpv4(s: string): boolean {
  return ipv4Range(s, 0, s.length);
}

/**
 * True when the whole string is an IPv6 address in an RFC 4291 text form: eight groups
 * of 1–4 hex digits, or fewer with a single `::`, the last two groups optionally written
 * as a dotted quad; an optional `%zone` of letters, digits, `_ . ~ -` may follow.
 *
 * @example
 * parseIpv6('fe80::1%eth0'); // true
 * parseIpv6('00:1a:2b:3c:4d:5e'); // false (a MAC address: six groups, no '::')
 */
export function parseIpv6(s: string): boolean {
  return ipv6Range(s, 0, s.length);
}

// ---------------------------------------------------------------------------------------
// Candidate patterns (compiled once). Lookbehinds/lookaheads give the word, digit-run and
// dotted-run boundaries; see the module comment for why each is linear.

/** Local part (atext and dots, entered only at the start of such a run), '@', domain run. */
const EMAIL_RE = /(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9.-]+/g;

/** Compact, or in groups of four separated by single spaces (last group may be shorter). */
const IBAN_RE =
  /(?<!\w)[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?!\w)/g;

/** 13–19 digits, optionally separated by single spaces or dashes; a whole digit run only. */
const CARD_RE = /(?<!\w|\+|\d[ .-])\d(?:[ -]?\d){12,18}(?!\w|[ .-]\d)/g;

/** AAA-GG-SSSS or AAA GG SSSS (the same separator twice); a whole digit run only. */
const SSN_RE = /(?<!\w|\+|\d[ .-])\d{3}([ -])\d{2}\1\d{4}(?!\w|[ .-]\d)/g;

/**
 * A whole run of hex digits, colons and dots holding a colon, then an optional zone. The
 * lookahead that asserts the colon scans only from the start of a run.
 */
const IPV6_RE = /(?<![\w:.%])(?=[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]+(?:%[\w.~-]+)?(?![\w:.%~-])/g;

/** Four dot-separated groups of 1–3 digits, not part of a longer dotted run or a word. */
const IPV4_RE = /(?<!\w\.?)\d{1,3}(?:\.\d{1,3}){3}(?!\.?\w)/g;

/** '+', a digit, then digits or one parenthesised group, each after an optional separator. */
const PHONE_INTL_RE = /(?<![\w+])\+\d(?:[ .-]?(?:\d|\(\d{1,4}\)))*(?!\w)/g;

/** North-American 3-3-4 with separators, optionally preceded by a `1` country code. */
const PHONE_NANP_RE =
  /(?<![\w+]|\w[.-])(?:\(\d{3}\) ?\d{3}[.-]\d{4}|1([.-])\d{3}\1\d{3}\1\d{4}|\d{3}([.-])\d{3}\2\d{4})(?!\w|[.-]\w)/g;

// ---------------------------------------------------------------------------------------
// Acceptors: check a candidate s[start, end) and set the span to redact.

/** The span an acceptor settled on (candidates may be trimmed); written before returning true. */
const span = { start: 0, end: 0 };

type Acceptor = (s: string, start: number, end: number) => boolean;

const accept = (start: number, end: number): true => {
  span.start = start;
  span.end = end;
  return true;
};

const acceptWhole: Acceptor = (_s, start, end) => accept(start, end);

/** Labels of 1–63 letters, digits and inner hyphens; at least two; last one ≥2 letters. */
function domainValid(s: string, start: number, end: number): boolean {
  if (end - start > 253) return false;
  let labels = 0;
  let labelStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && s.charCodeAt(i) !== C_DOT) continue;
    const len = i - labelStart;
    if (len < 1 || len > 63) return false;
    if (s.charCodeAt(labelStart) === C_HYPHEN || s.charCodeAt(i - 1) === C_HYPHEN) return false;
    labels++;
    if (i === end) {
      if (len < 2) return false;
      for (let j = labelStart; j < end; j++) if (!isLetter(s.charCodeAt(j))) return false;
    }
    labelStart = i + 1;
  }
  return labels >= 2;
}

const acceptEmail: Acceptor = (s, start, end) => {
  let localStart = start;
  while (s.charCodeAt(localStart) === C_DOT) localStart++;
  const at = s.indexOf('@', localStart);
  const localLen = at - localStart;
  if (at < 0 || at >= end || localLen < 1 || localLen > 64) return false;
  if (s.charCodeAt(at - 1) === C_DOT) return false;
  for (let i = localStart + 1; i < at; i++) {
    if (s.charCodeAt(i) === C_DOT && s.charCodeAt(i - 1) === C_DOT) return false;
  }
  // A sentence may end right after the address: drop trailing dots and hyphens.
  let domainEnd = end;
  for (;;) {
    const c = s.charCodeAt(domainEnd - 1);
    if (domainEnd <= at + 1 || (c !== C_DOT && c !== C_HYPHEN)) break;
    domainEnd--;
  }
  return domainValid(s, at + 1, domainEnd) && accept(localStart, domainEnd);
};

const acceptIban: Acceptor = (s, start, end) => {
  // The grouped form may have run into a following group of four: drop trailing groups.
  for (let e = end; e > start; e = s.lastIndexOf(' ', e - 1)) {
    if (ibanRange(s, start, e)) return accept(start, e);
    if (e - start < 15) return false;
  }
  return false;
};

const acceptCard: Acceptor = (s, start, end) => {
  let count = 0;
  let first = -1;
  let same = true;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    if (first < 0) first = c;
    else if (c !== first) same = false;
    count++;
  }
  // Card numbers start with 2-6 (Mastercard 2/5, Amex and Diners 3, Visa 4, Discover and
  // UnionPay 6): this keeps millisecond timestamps (1…) and most ids from counting as cards.
  const issuerOk = first >= C_0 + 2 && first <= C_0 + 6;
  return (
    count >= 13 &&
    count <= 19 &&
    !same &&
    issuerOk &&
    luhnRange(s, start, end) &&
    accept(start, end)
  );
};

const digitsAt = (s: string, at: number, n: number): number => {
  let value = 0;
  for (let i = at; i < at + n; i++) value = value * 10 + (s.charCodeAt(i) - C_0);
  return value;
};

const acceptSsn: Acceptor = (s, start, end) => {
  const area = digitsAt(s, start, 3);
  if (area === 0 || area === 666 || area >= 900) return false;
  if (digitsAt(s, start + 4, 2) === 0 || digitsAt(s, start + 7, 4) === 0) return false;
  return accept(start, end);
};

/** A parsed IPv6 address other than the bare unspecified address `::`. */
function ipv6Candidate(s: string, start: number, end: number): boolean {
  let hasGroup = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === C_PERCENT) break;
    if (c !== C_COLON) {
      hasGroup = true;
      break;
    }
  }
  return hasGroup && ipv6Range(s, start, end);
}

const acceptIpv6: Acceptor = (s, start, end) => {
  // Punctuation after an address ("… from fe80::1.", "at ::1: refused") is not part of it.
  let e = end;
  while (e > start && s.charCodeAt(e - 1) === C_DOT) e--;
  if (ipv6Candidate(s, start, e)) return accept(start, e);
  if (e - start > 2 && s.charCodeAt(e - 1) === C_COLON && s.charCodeAt(e - 2) !== C_COLON) {
    if (ipv6Candidate(s, start, e - 1)) return accept(start, e - 1);
  }
  return false;
};

const acceptIpv4: Acceptor = (s, start, end) => ipv4Range(s, start, end) && accept(start, end);

const acceptIntlPhone: Acceptor = (s, start, end) => {
  let digits = 0;
  let groups = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === C_LPAREN) groups++;
  }
  return digits >= 8 && digits <= 15 && groups <= 1 && accept(start, end);
};

// ---------------------------------------------------------------------------------------
// Passes, in precedence order

const NEEDS_DIGIT = 1;
const NEEDS_AT = 2;
const NEEDS_COLON = 4;

interface Pass {
  readonly re: RegExp;
  readonly accept: Acceptor;
  /** Bit of the kind, by index in PII_KINDS. */
  readonly bit: number;
  readonly token: string;
  /** Which pre-filter character the string must hold for this pass to run. */
  readonly needs: number;
}

const pass = (kind: PiiKind, re: RegExp, acceptor: Acceptor, needs: number): Pass => ({
  re,
  accept: acceptor,
  bit: 1 << PII_KINDS.indexOf(kind),
  token: `[REDACTED:${kind}]`,
  needs,
});

/**
 * Email, IBAN, card, SSN, IP, phone. Each pass scans the output of the one before, where
 * redacted spans are already `[REDACTED:…]` tokens that no later pattern can match.
 */
const PASSES: readonly Pass[] = [
  pass('email', EMAIL_RE, acceptEmail, NEEDS_AT),
  pass('iban', IBAN_RE, acceptIban, NEEDS_DIGIT),
  pass('creditCard', CARD_RE, acceptCard, NEEDS_DIGIT),
  pass('ssn', SSN_RE, acceptSsn, NEEDS_DIGIT),
  pass('ipAddress', IPV6_RE, acceptIpv6, NEEDS_COLON),
  pass('ipAddress', IPV4_RE, acceptIpv4, NEEDS_DIGIT),
  pass('phone', PHONE_INTL_RE, acceptIntlPhone, NEEDS_DIGIT),
  pass('phone', PHONE_NANP_RE, acceptWhole, NEEDS_DIGIT),
];

/** Shortest text any kind can match (`::1`). */
const MIN_LENGTH = 3;

/** Frozen kind lists by bit mask, so a finding shares one instead of building its own. */
const KINDS_BY_MASK: readonly (readonly PiiKind[])[] = Array.from(
  { length: 1 << PII_KINDS.length },
  (_, mask) => Object.freeze(PII_KINDS.filter((_kind, n) => (mask & (1 << n)) !== 0)),
);

/** Redacts every accepted candidate of one pass; undefined when there was none. */
function redactAll(text: string, p: Pass): string | undefined {
  const re = p.re;
  re.lastIndex = 0;
  let out: string | undefined;
  let copied = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (!p.accept(text, m.index, m.index + m[0].length)) continue;
    out = (out ?? '') + text.slice(copied, span.start) + p.token;
    copied = span.end;
    re.lastIndex = span.end;
  }
  return out === undefined ? undefined : out + text.slice(copied);
}

/** `scanText` bit: the JSON form of the text needs escapes (a control character, a quote or a backslash). */
export const TEXT_ESCAPES = 8;
/** `scanText` bit: the text holds surrogates (paired or not). */
export const TEXT_SURROGATES = 16;
/** `scanText` bit: the text may change in lower case (A-Z, or anything past ASCII). */
export const TEXT_CASED = 32;
/** The `scanText` bits that tell which PII passes can match. */
const TEXT_PII = NEEDS_DIGIT | NEEDS_AT | NEEDS_COLON;

/**
 * Fewest digits a pass that needs digits can accept: an IBAN's two check digits (cards,
 * SSNs, IPv4 addresses and phone numbers need four or more). Redacting an email first
 * only removes digits, so a string with fewer never needs those passes.
 */
const MIN_PII_DIGITS = 2;

/**
 * One pass over a string for everything the request walk asks of it: which PII passes
 * can match ('@', ':', or at least two digits), and the `TEXT_*` bits.
 *
 * @example
 * scanText('eu-west-1') // 0: no pass can match, and no escapes
 */
export function scanText(value: string): number {
  let bits = 0;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < C_0) {
      if (c < 0x20 || c === 0x22) bits |= TEXT_ESCAPES;
    } else if (c <= C_9) digits++;
    else if (c === C_COLON) bits |= NEEDS_COLON;
    else if (c === C_AT) bits |= NEEDS_AT;
    else if (c >= 65 && c <= 90) bits |= TEXT_CASED;
    else if (c === 0x5c) bits |= TEXT_ESCAPES;
    else if (c >= 0x80)
      bits |= c >= 0xd800 && c <= 0xdfff ? TEXT_SURROGATES | TEXT_CASED : TEXT_CASED;
  }
  return digits >= MIN_PII_DIGITS ? bits | NEEDS_DIGIT : bits;
}

/**
 * `detectPii` for a string whose `scanText` bits are known: no second scan.
 *
 * @example
 * const text = 'mail jane@example.com';
 * detectPiiScanned(text, scanText(text)); // { kinds: ['email'], redacted: 'mail [REDACTED:email]' }
 */
export function detectPiiScanned(value: string, bits: number): PiiFinding | undefined {
  const present = bits & TEXT_PII;
  if (present === 0 || value.length < MIN_LENGTH) return undefined;
  let text = value;
  let mask = 0;
  for (const p of PASSES) {
    if ((p.needs & present) === 0) continue;
    const out = redactAll(text, p);
    if (out === undefined) continue;
    text = out;
    mask |= p.bit;
  }
  if (mask === 0) return undefined;
  return { kinds: KINDS_BY_MASK[mask] ?? [], redacted: text };
}

/**
 * Scans one string; undefined when it holds no personal data.
 *
 * Kinds are detected in precedence order email, iban, creditCard, ssn, ipAddress, phone;
 * a span redacted by one kind is not scanned again by later ones.
 *
 * @example
 * detectPii('call +44 20 7946 0958 or mail jane@example.com');
 * // { kinds: ['email', 'phone'],
 * //   redacted: 'call [REDACTED:phone] or mail [REDACTED:email]' }
 * detectPii('build 1.2.3'); // undefined
 */
export function detectPii(value: string): PiiFinding | undefined {
  const length = value.length;
  if (length < MIN_LENGTH) return undefined;
  let present = 0;
  for (let i = 0; i < length && present !== 7; i++) {
    const c = value.charCodeAt(i);
    if (c === C_AT) present |= NEEDS_AT;
    else if (c === C_COLON) present |= NEEDS_COLON;
    else if (isDigit(c)) present |= NEEDS_DIGIT;
  }
  return detectPiiScanned(value, present);
}
