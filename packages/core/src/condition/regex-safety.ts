/**
 * Compile-time vetting of `matches` patterns in policy conditions.
 *
 * A pattern is compiled once, when its policy is compiled, and then searched for
 * (`regex.test`, unanchored) in request strings of at most 4,096 characters on the hot
 * path. To keep a policy author from making evaluation hang through backtracking, the
 * pattern source is parsed by a small hand-written scanner into a tree of atoms, and the
 * tree is refused when it holds a shape behind super-quadratic backtracking:
 *
 * - backreferences and lookaround (rules 3 and 4);
 * - a repeated group whose body repeats, alternates or has an optional part (rule 5):
 *   exponential, as in `(a+)+`, `(a|aa)+`, `(a?a)+`;
 * - more than eight repeating quantifiers (rule 6);
 * - two variable parts (a quantifier whose max exceeds its min, or an alternation whose
 *   alternatives differ in length) that can match the same characters one after the
 *   other, with nothing between them but atoms that can be skipped or that match those
 *   characters too (rule 7): polynomial for loops, as in `a*a*b` or `.*x.*y`, exponential
 *   for chains of optional parts, as in `a?a?a?aaa`;
 * - a group with two alternatives that can match the same text (rule 8): exponential
 *   when such groups follow each other, as in `(a|a)x(a|a)x…`;
 * - more than eight distinct Unicode properties (`\p{…}`), which keep vetting itself fast.
 *
 * What is left backtracks at worst quadratically: the search tries each start offset,
 * and from each start every loop can be unwound at most once before the engine fails on
 * a character that neither it nor what follows can match. The pattern must compile with
 * the `u` flag, so the scanner only ever sees syntax the engine has already accepted.
 */

/**
 * The longest `matches` pattern accepted, in UTF-16 code units.
 *
 * @example
 * vetPattern('a'.repeat(MAX_PATTERN_LENGTH + 1)).ok; // false
 */
export const MAX_PATTERN_LENGTH = 512;

/** At most this many repeating quantifiers (`*`, `+`, `{n,}`, `{n,m}` with m > 1). */
const MAX_REPEATING_QUANTIFIERS = 8;

/**
 * Work allowed to show that two alternatives of one group cannot match the same text
 * (rule 8); a group that needs more is refused as too complex to vet.
 */
const MAX_ALTERNATIVE_PAIR_STEPS = 200_000;

/**
 * At most this many distinct Unicode properties (`\p{…}`, `\P{…}`): vetting searches
 * every code point once per property not seen before.
 */
const MAX_PROPERTIES = 8;

/** Texts quoted in messages are cut to this many characters. */
const MAX_QUOTE_LENGTH = 32;

/**
 * The outcome of {@link vetPattern}: the compiled regex, or why the pattern is refused.
 *
 * @example
 * const vetting: PatternVetting = vetPattern('^gpt-4');
 * if (vetting.ok) vetting.regex.test('gpt-4o'); // true
 * else console.error(vetting.message);
 */
export type PatternVetting =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly message: string };

/** A quantifier read at some offset. */
interface Quantifier {
  /** The quantifier's source text, including a lazy `?`. */
  readonly text: string;
  /** Offset of the quantifier's first character. */
  readonly offset: number;
  /** Offset just past the quantifier. */
  readonly end: number;
  /** Fewest repetitions. */
  readonly min: number;
  /** Most repetitions; `Infinity` when unbounded. */
  readonly max: number;
  /** The quantifier can match its atom more than once (max > 1). */
  readonly repeats: boolean;
}

/**
 * One atom of the pattern: a character, a character set (`.`, `\d`, `\p{L}`, `[...]`),
 * an assertion (`^`, `$`, `\b`, `\B`) or a group, with its quantifier. The whole pattern
 * is the root group.
 */
interface PatternNode {
  readonly kind: 'char' | 'set' | 'assertion' | 'group';
  /** Offset of the atom's first character; -1 for the root. */
  readonly offset: number;
  /** Offset just past the atom, before its quantifier. */
  end: number;
  /** The group holding the atom; undefined for the root. */
  readonly parent: PatternNode | undefined;
  /** The sequence (alternative of `parent`) holding the atom, and its index there. */
  readonly sequence: PatternNode[];
  readonly index: number;
  quantifier: Quantifier | undefined;
  /** For a character: its code point. */
  codePoint: number | undefined;
  /** For a group: its alternatives, and the source span of each. */
  readonly alternatives: PatternNode[][];
  readonly spans: [number, number][];
  /** For a group: its body holds a repeating quantifier, directly or nested. */
  repeats: boolean;
  /** For a group: its body holds an alternation `|`, directly or nested. */
  alternates: boolean;
  /** For a group: the first optional quantifier (max 1, min 0) in its body, if any. */
  optional: Quantifier | undefined;
}

/** The parsed pattern. */
interface ParsedPattern {
  readonly root: PatternNode;
  /** Every atom, in source order. */
  readonly nodes: readonly PatternNode[];
  /** Code points written in the pattern, literally or escaped, in or out of classes. */
  readonly codePoints: ReadonlySet<number>;
  /** Properties named by `\p{…}` and `\P{…}` escapes, by their braces' content. */
  readonly properties: ReadonlySet<string>;
  /** Number of repeating quantifiers. */
  readonly repeating: number;
}

class PatternRejected extends Error {}

const reject = (message: string): never => {
  throw new PatternRejected(message);
};

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

const quote = (text: string): string =>
  text.length <= MAX_QUOTE_LENGTH ? text : `${text.slice(0, MAX_QUOTE_LENGTH - 1)}…`;

/**
 * Reads the quantifier starting at `at`, if there is one. A `{` that does not open a
 * well-formed `{n}`, `{n,}` or `{n,m}` is not a quantifier.
 */
function readQuantifier(source: string, at: number): Quantifier | undefined {
  const ch = source[at];
  let end: number;
  let min: number;
  let max: number;
  if (ch === '*' || ch === '+' || ch === '?') {
    end = at + 1;
    min = ch === '+' ? 1 : 0;
    max = ch === '?' ? 1 : Infinity;
  } else if (ch === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
    if (match === null) return undefined;
    const [whole, low, comma, high] = match;
    end = at + whole.length;
    min = Number(low);
    if (comma === undefined) max = min;
    else max = high === undefined || high === '' ? Infinity : Number(high);
  } else {
    return undefined;
  }
  if (source[end] === '?') end += 1;
  return { text: source.slice(at, end), offset: at, end, min, max, repeats: max > 1 };
}

/**
 * Returns the offset just past the escape whose backslash is at `at`, or throws when the
 * escape is a backreference. `inClass` tells whether the escape sits in `[...]`, where
 * digits and `\k` are never backreferences.
 */
function skipEscape(source: string, at: number, inClass: boolean): number {
  const ch = source[at + 1];
  if (!inClass && isDigit(ch) && ch !== '0') {
    let end = at + 1;
    while (isDigit(source[end])) end += 1;
    return reject(
      `backreference at offset ${at}: '${source.slice(at, end)}' refers back to a group; ` +
        'backreferences are not allowed',
    );
  }
  if (!inClass && ch === 'k' && source[at + 2] === '<') {
    const close = source.indexOf('>', at + 3);
    const end = close === -1 ? source.length : close + 1;
    return reject(
      `backreference at offset ${at}: '${source.slice(at, end)}' refers back to a named ` +
        'group; backreferences are not allowed',
    );
  }
  if ((ch === 'u' || ch === 'p' || ch === 'P') && source[at + 2] === '{') {
    // \u{1F600}, \p{Letter}, \P{Script=Greek}: the braces belong to the escape.
    const close = source.indexOf('}', at + 3);
    return close === -1 ? source.length : close + 1;
  }
  if (ch === 'u') return at + 6; // \uXXXX
  if (ch === 'x') return at + 4; // \xHH
  if (ch === 'c') return at + 3; // \cX
  return at + 2;
}

const CONTROL_ESCAPES: Readonly<Record<string, number>> = {
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  '0': 0x00,
};

/**
 * What the escape from `at` to `end` stands for: one character (its code point), a set
 * of characters, or an assertion. In a class, `\b` is the backspace character.
 */
function decodeEscape(
  source: string,
  at: number,
  end: number,
  inClass: boolean,
): number | 'set' | 'assertion' {
  const ch = source[at + 1] ?? '';
  if ('dDwWsSpP'.includes(ch)) return 'set';
  if (ch === 'b') return inClass ? 0x08 : 'assertion';
  if (ch === 'B') return 'assertion';
  if (ch === 'x') return parseInt(source.slice(at + 2, end), 16);
  if (ch === 'u') {
    const hex = source[at + 2] === '{' ? source.slice(at + 3, end - 1) : source.slice(at + 2, end);
    return parseInt(hex, 16);
  }
  if (ch === 'c') return (source.codePointAt(at + 2) ?? 0) % 32;
  return CONTROL_ESCAPES[ch] ?? source.codePointAt(at + 1) ?? 0;
}

/**
 * In `u` mode, `\uD83D\uDE00` is one character. When the escape ending at `end` decoded
 * to a high surrogate and a low-surrogate `\uXXXX` follows, returns the pair's code
 * point and end.
 */
function joinSurrogates(source: string, unit: number, end: number): [number, number] {
  if (unit < 0xd800 || unit > 0xdbff || !/^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(source.slice(end)))
    return [unit, end];
  const low = parseInt(source.slice(end + 2, end + 6), 16);
  return [(unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000, end + 6];
}

/** Adds the property named by the escape from `at` to `end`, if it is `\p{…}` or `\P{…}`. */
function addProperty(source: string, at: number, end: number, properties: Set<string>): void {
  const ch = source[at + 1];
  if ((ch === 'p' || ch === 'P') && source[at + 2] === '{') {
    properties.add(source.slice(at + 3, end - 1));
  }
}

/**
 * Returns the offset just past the character class whose `[` is at `at`, adding the code
 * points written in it (so range ends) to `codePoints` and the properties it names to
 * `properties`.
 */
function skipClass(
  source: string,
  at: number,
  codePoints: Set<number>,
  properties: Set<string>,
): number {
  let i = at + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\') {
      const end = skipEscape(source, i, true);
      addProperty(source, i, end, properties);
      const decoded = decodeEscape(source, i, end, true);
      if (typeof decoded === 'number') {
        const [codePoint, joinedEnd] = joinSurrogates(source, decoded, end);
        codePoints.add(codePoint);
        i = joinedEnd;
      } else {
        i = end;
      }
    } else if (ch === ']') {
      return i + 1;
    } else {
      const codePoint = source.codePointAt(i) ?? 0;
      codePoints.add(codePoint);
      i += codePoint > 0xffff ? 2 : 1;
    }
  }
  return i;
}

/**
 * Reads the opening of the group whose `(` is at `at` and returns the offset of its
 * body. Throws on lookahead and lookbehind.
 */
function skipGroupOpening(source: string, at: number): number {
  if (source[at + 1] !== '?') return at + 1;
  const rest = source.slice(at + 2, at + 4);
  const lookaround = rest.startsWith('=')
    ? ['lookahead', '(?=']
    : rest.startsWith('!')
      ? ['negative lookahead', '(?!']
      : rest === '<='
        ? ['lookbehind', '(?<=']
        : rest === '<!'
          ? ['negative lookbehind', '(?<!']
          : undefined;
  if (lookaround !== undefined) {
    const [name, opening] = lookaround;
    return reject(
      `${name} at offset ${at}: '${opening}' is a lookaround assertion; ` +
        'lookahead and lookbehind are not allowed',
    );
  }
  if (rest.startsWith('<')) {
    // Named group (?<name>...).
    const close = source.indexOf('>', at + 3);
    return close === -1 ? source.length : close + 1;
  }
  // Non-capturing group (?:...), or one with modifiers such as (?i:...).
  const colon = source.indexOf(':', at + 2);
  return colon === -1 ? source.length : colon + 1;
}

function newNode(
  kind: PatternNode['kind'],
  offset: number,
  parent: PatternNode | undefined,
  sequence: PatternNode[],
): PatternNode {
  return {
    kind,
    offset,
    end: offset,
    parent,
    sequence,
    index: sequence.length,
    quantifier: undefined,
    codePoint: undefined,
    alternatives: kind === 'group' ? [[]] : [],
    spans: [],
    repeats: false,
    alternates: false,
    optional: undefined,
  };
}

/**
 * Rule 5: a group repeated by `quantifier` must not hold a repeating quantifier, an
 * alternation or an optional part.
 */
function checkRepeatedGroup(group: PatternNode, quantifier: Quantifier): void {
  const repeated =
    `the group opened at offset ${group.offset} is repeated by '${quantifier.text}' ` +
    'and its body contains';
  if (group.repeats) {
    reject(
      `nested quantifier at offset ${quantifier.offset}: ${repeated} a repeating quantifier; ` +
        'rewrite without nesting',
    );
  }
  if (group.alternates) {
    reject(
      `quantified alternation at offset ${quantifier.offset}: ${repeated} an alternation ` +
        "'|'; rewrite without repeating the alternatives, or make the group optional with '?'",
    );
  }
  if (group.optional !== undefined) {
    reject(
      `nested quantifier at offset ${quantifier.offset}: ${repeated} the optional ` +
        `quantifier '${group.optional.text}' at offset ${group.optional.offset}; ` +
        'rewrite without nesting',
    );
  }
}

/** Ends the span of the group's last alternative at `end`. */
function endSpan(group: PatternNode, end: number): void {
  const span = group.spans[group.spans.length - 1];
  if (span !== undefined) span[1] = end;
}

/**
 * Parses a pattern the engine has compiled into a tree of atoms, throwing
 * {@link PatternRejected} on the first backreference, lookaround or unsafe repeated
 * group (rules 3 to 5), in source order.
 */
function parse(source: string): ParsedPattern {
  const root = newNode('group', -1, undefined, []);
  const nodes: PatternNode[] = [];
  const codePoints = new Set<number>();
  const properties = new Set<string>();
  let group = root;
  let sequence = root.alternatives[0] ?? [];
  root.spans.push([0, source.length]);
  let repeating = 0;
  let i = 0;

  const add = (kind: PatternNode['kind'], offset: number): PatternNode => {
    const node = newNode(kind, offset, group, sequence);
    sequence.push(node);
    nodes.push(node);
    return node;
  };

  while (i < source.length) {
    const ch = source[i];
    /** The atom just read, if a quantifier may follow it. */
    let atom: PatternNode | undefined;

    if (ch === '\\') {
      let end = skipEscape(source, i, false);
      addProperty(source, i, end, properties);
      const decoded = decodeEscape(source, i, end, false);
      atom = add(typeof decoded === 'number' ? 'char' : decoded, i);
      if (typeof decoded === 'number') {
        [atom.codePoint, end] = joinSurrogates(source, decoded, end);
        codePoints.add(atom.codePoint);
      }
      i = end;
    } else if (ch === '[') {
      atom = add('set', i);
      i = skipClass(source, i, codePoints, properties);
    } else if (ch === '(') {
      const opened = add('group', i);
      group = opened;
      sequence = opened.alternatives[0] ?? [];
      i = skipGroupOpening(source, i);
      opened.spans.push([i, i]);
      continue;
    } else if (ch === ')') {
      atom = group;
      endSpan(atom, i);
      group = atom.parent ?? root;
      sequence = group.alternatives[group.alternatives.length - 1] ?? [];
      i += 1;
    } else if (ch === '|') {
      endSpan(group, i);
      group.alternates = true;
      sequence = [];
      group.alternatives.push(sequence);
      i += 1;
      group.spans.push([i, i]);
      continue;
    } else {
      // A literal, '.', or an anchor: a quantifier after an anchor does not compile.
      const codePoint = source.codePointAt(i) ?? 0;
      if (ch === '^' || ch === '$') {
        atom = add('assertion', i);
      } else if (ch === '.') {
        atom = add('set', i);
      } else {
        atom = add('char', i);
        atom.codePoint = codePoint;
        codePoints.add(codePoint);
      }
      i += codePoint > 0xffff ? 2 : 1;
    }

    atom.end = i;
    const quantifier = readQuantifier(source, i);
    if (quantifier !== undefined) {
      atom.quantifier = quantifier;
      if (quantifier.repeats) {
        repeating += 1;
        if (atom.kind === 'group') checkRepeatedGroup(atom, quantifier);
        group.repeats = true;
      } else if (quantifier.max > quantifier.min) {
        group.optional ??= quantifier;
      }
      i = quantifier.end;
    }
    if (atom.kind === 'group') {
      group.repeats ||= atom.repeats;
      group.alternates ||= atom.alternates;
      group.optional ??= atom.optional;
    }
  }
  endSpan(root, source.length);
  root.end = source.length;
  return { root, nodes, codePoints, properties, repeating };
}

/**
 * Where the maximal runs of the sets people write begin, beyond ASCII: the ends of the
 * runs of `\s` and the starts of those of `\S`, `\W` and `.`, and the surrogates (every
 * property set holds all of them or none).
 */
const BUILT_IN_RUN_STARTS = [
  0x80, 0xa0, 0xa1, 0x1680, 0x1681, 0x2000, 0x200b, 0x2028, 0x2029, 0x202a, 0x202f, 0x2030, 0x205f,
  0x2060, 0x3000, 0x3001, 0xd800, 0xe000, 0xfeff, 0xff00,
];

/**
 * Characters always sampled: all of ASCII, where the built-in sets' runs begin, and a few
 * non-ASCII representatives of letters, digits, spaces, line terminators and symbols.
 */
const SAMPLE_CODE_POINTS: readonly number[] = [
  ...Array.from({ length: 0x80 }, (_, codePoint) => codePoint),
  ...BUILT_IN_RUN_STARTS,
  ...[...'éßΣЖاא中ｱ😀٣१\u00a0\u3000\u2028\u2029\u200b\ufeff\u0301'].map(
    (ch) => ch.codePointAt(0) ?? 0,
  ),
];

/**
 * Where the runs of a Unicode property begin and end, keyed by the escape's braces'
 * content, shared by every pattern: a property's runs take some 50 ms to find.
 */
const PROPERTY_BOUNDARIES = new Map<string, readonly number[]>();

/** The cache above holds at most this many properties; it is cleared when full. */
const MAX_CACHED_PROPERTIES = 64;

/**
 * Every code point but the surrogates, in order: searched once per property to find its
 * runs. Built on demand (about 4 MB) and not kept.
 */
function allCodePoints(): string {
  const units = new Uint16Array(0x10000 - 0x800 + 2 * 0x100000);
  let at = 0;
  for (let unit = 0; unit < 0x10000; unit += 1) {
    if (unit < 0xd800 || unit > 0xdfff) units[at++] = unit;
  }
  for (let high = 0xd800; high < 0xdc00; high += 1) {
    for (let low = 0xdc00; low < 0xe000; low += 1) {
      units[at++] = high;
      units[at++] = low;
    }
  }
  return new TextDecoder('utf-16le').decode(units);
}

/**
 * The code points where the runs of `\p{property}` begin, and those just past where they
 * end (where the runs of `\P{property}` begin).
 */
function propertyBoundaries(property: string, all: () => string): readonly number[] {
  const cached = PROPERTY_BOUNDARIES.get(property);
  if (cached !== undefined) return cached;
  const text = all();
  const boundaries: number[] = [];
  for (const match of text.matchAll(new RegExp(`\\p{${property}}+`, 'gu'))) {
    const end = match.index + match[0].length;
    boundaries.push(text.codePointAt(match.index) ?? 0, text.codePointAt(end) ?? 0x10ffff);
  }
  if (PROPERTY_BOUNDARIES.size >= MAX_CACHED_PROPERTIES) PROPERTY_BOUNDARIES.clear();
  PROPERTY_BOUNDARIES.set(property, boundaries);
  return boundaries;
}

/**
 * Character sets as bitsets over a sample alphabet, so that intersection is cheap.
 *
 * The set of an atom is the sample characters that `^(?:atom)$` (flag `u`) matches. A
 * sample only approximates a set, but here the approximation is sound for every set that
 * can be written: a non-empty intersection of sets always holds the first code point of
 * one of their maximal runs, and the sample holds all of those. Literals and explicit
 * ranges, plain or negated, have runs that begin at a code point written in the pattern
 * or just after one (both are sampled); `\d \w \s .` and their negations at ASCII or at
 * a built-in start; property escapes, plain or negated, at a boundary of the property's
 * runs, found once by searching every code point. The character set of a group is the
 * union of its atoms' sets, which can only overstate an overlap. The sample also holds a
 * few representatives of common non-ASCII classes.
 */
class CharSets {
  private readonly samples: string[];
  private readonly indexes = new Map<number, number>();
  private readonly bySource = new Map<string, Uint32Array>();
  private readonly byNode = new Map<PatternNode, Uint32Array>();

  constructor(
    private readonly source: string,
    properties: ReadonlySet<string>,
    written: ReadonlySet<number>,
  ) {
    const codePoints = new Set(SAMPLE_CODE_POINTS);
    for (const codePoint of written) {
      for (const near of [codePoint - 1, codePoint, codePoint + 1]) {
        if (near >= 0 && near <= 0x10ffff) codePoints.add(near);
      }
    }
    let all: string | undefined;
    for (const property of properties) {
      for (const boundary of propertyBoundaries(property, () => (all ??= allCodePoints()))) {
        codePoints.add(boundary);
      }
    }
    this.samples = [...codePoints].map((codePoint) => String.fromCodePoint(codePoint));
    [...codePoints].forEach((codePoint, index) => this.indexes.set(codePoint, index));
  }

  empty(): Uint32Array {
    return new Uint32Array(Math.ceil(this.samples.length / 32));
  }

  /** The characters one atom can match: for a group, those of every atom in its body. */
  of(node: PatternNode): Uint32Array {
    let set = this.byNode.get(node);
    if (set !== undefined) return set;
    set = this.empty();
    if (node.kind === 'char') {
      const index = this.indexes.get(node.codePoint ?? -1);
      if (index !== undefined) set[index >>> 5] = (set[index >>> 5] ?? 0) | (1 << (index & 31));
    } else if (node.kind === 'set') {
      set = this.ofSource(this.source.slice(node.offset, node.end));
    } else if (node.kind === 'group') {
      for (const alternative of node.alternatives) {
        for (const atom of alternative) {
          if (atom.quantifier?.max !== 0) union(set, this.of(atom));
        }
      }
    }
    this.byNode.set(node, set);
    return set;
  }

  private ofSource(atom: string): Uint32Array {
    let set = this.bySource.get(atom);
    if (set !== undefined) return set;
    set = this.empty();
    const regex = new RegExp(`^(?:${atom})$`, 'u');
    for (const [index, sample] of this.samples.entries()) {
      if (regex.test(sample)) set[index >>> 5] = (set[index >>> 5] ?? 0) | (1 << (index & 31));
    }
    this.bySource.set(atom, set);
    return set;
  }
}

function union(into: Uint32Array, other: Uint32Array): void {
  other.forEach((word, at) => {
    into[at] = (into[at] ?? 0) | word;
  });
}

function intersection(a: Uint32Array, b: Uint32Array): Uint32Array {
  return a.map((word, at) => word & (b[at] ?? 0));
}

const intersects = (a: Uint32Array, b: Uint32Array): boolean =>
  a.some((word, at) => (word & (b[at] ?? 0)) !== 0);

const isEmpty = (set: Uint32Array): boolean => set.every((word) => word === 0);

/** The atom or one of the groups holding it is quantified by `{0}`: it never matches. */
function isDead(node: PatternNode): boolean {
  for (let at: PatternNode | undefined = node; at !== undefined; at = at.parent) {
    if (at.quantifier?.max === 0) return true;
  }
  return false;
}

const isAncestor = (ancestor: PatternNode, node: PatternNode): boolean => {
  for (let at = node.parent; at !== undefined; at = at.parent) {
    if (at === ancestor) return true;
  }
  return false;
};

/** The fewest and most characters an atom, with its quantifier, can match. */
function lengthRange(node: PatternNode): [number, number] {
  let range: [number, number];
  if (node.kind === 'assertion') range = [0, 0];
  else if (node.kind !== 'group') range = [1, 1];
  else {
    const ranges = node.alternatives.map(sequenceLengthRange);
    range = [Math.min(...ranges.map(([low]) => low)), Math.max(...ranges.map(([, high]) => high))];
  }
  const quantifier = node.quantifier;
  if (quantifier === undefined) return range;
  const times = (length: number, count: number): number =>
    length === 0 || count === 0 ? 0 : length * count;
  return [times(range[0], quantifier.min), times(range[1], quantifier.max)];
}

function sequenceLengthRange(sequence: readonly PatternNode[]): [number, number] {
  return sequence.map(lengthRange).reduce(([low, high], [l, h]) => [low + l, high + h], [0, 0]);
}

/** A group whose alternatives differ in length, such as `(a|ab)` or `(https?|ftp)`. */
function alternativesDifferInLength(node: PatternNode): boolean {
  if (node.kind !== 'group' || node.alternatives.length < 2) return false;
  const ranges = node.alternatives.map(sequenceLengthRange);
  const [first] = ranges;
  return ranges.some(([low, high]) => low !== first?.[0] || high !== first[1]);
}

/**
 * A variable part, for rule 7: an atom whose quantifier's max exceeds its min, or a
 * group (not itself quantified so) whose alternatives differ in length.
 */
function isVariable(node: PatternNode): boolean {
  const quantifier = node.quantifier;
  if (quantifier !== undefined && quantifier.max > quantifier.min) return true;
  return alternativesDifferInLength(node);
}

/** Rule 7: overlapping adjacent variable parts. */
class OverlapCheck {
  constructor(
    private readonly source: string,
    private readonly sets: CharSets,
  ) {}

  run(nodes: readonly PatternNode[]): void {
    const variables = nodes.filter((node) => isVariable(node) && !isDead(node));
    variables.forEach((first, at) => {
      for (const second of variables.slice(at + 1)) {
        if (isAncestor(first, second)) continue;
        const shared = intersection(this.sets.of(first), this.sets.of(second));
        if (isEmpty(shared) || !this.canOverlapOn(first, shared)) continue;
        if (!this.canOverlapOn(second, shared)) continue;
        const between = this.between(first, second);
        if (between?.every((node) => this.canPassOn(node, shared))) {
          this.rejectPair(first, second);
        }
      }
    });
  }

  /**
   * Whether the variable part can give up or take over characters of `shared` to a
   * neighbour. A loop, a repeated group and a group whose alternatives differ in length
   * are taken to by the set of all their characters; an optional group only when its
   * body can match a text made of `shared` characters alone, so that `(?:www\.)?[a-z]+`
   * passes.
   */
  private canOverlapOn(node: PatternNode, shared: Uint32Array): boolean {
    if (node.kind !== 'group' || node.quantifier?.repeats === true) return true;
    if (alternativesDifferInLength(node)) return true;
    return node.alternatives.some(
      (alternative) =>
        alternative.every((atom) => this.canPassOn(atom, shared)) &&
        alternative.some(
          (atom) =>
            atom.kind !== 'assertion' &&
            atom.quantifier?.max !== 0 &&
            intersects(this.sets.of(atom), shared),
        ),
    );
  }

  /**
   * Whether matching can get past the atom using only characters of `shared`: it can
   * match the empty text (min 0, an assertion) or a text of `shared` characters.
   */
  private canPassOn(node: PatternNode, shared: Uint32Array): boolean {
    if (node.quantifier?.min === 0 || node.kind === 'assertion') return true;
    if (node.kind !== 'group') return intersects(this.sets.of(node), shared);
    return node.alternatives.some((alternative) =>
      alternative.every((atom) => this.canPassOn(atom, shared)),
    );
  }

  /**
   * The atoms matched between the end of `first` and the start of `second` along one
   * path through the pattern, or undefined when they sit in different alternatives.
   */
  private between(first: PatternNode, second: PatternNode): PatternNode[] | undefined {
    const firstAncestors = new Set<PatternNode>();
    for (let at = first.parent; at !== undefined; at = at.parent) firstAncestors.add(at);
    let secondTop = second;
    while (secondTop.parent !== undefined && !firstAncestors.has(secondTop.parent)) {
      secondTop = secondTop.parent;
    }
    let firstTop = first;
    while (firstTop.parent !== secondTop.parent && firstTop.parent !== undefined) {
      firstTop = firstTop.parent;
    }
    if (firstTop.sequence !== secondTop.sequence || firstTop.index >= secondTop.index) {
      return undefined;
    }
    const atoms: PatternNode[] = [];
    for (let at = first; at !== firstTop; at = at.parent ?? firstTop) {
      atoms.push(...at.sequence.slice(at.index + 1));
    }
    atoms.push(...firstTop.sequence.slice(firstTop.index + 1, secondTop.index));
    for (let at = second; at !== secondTop; at = at.parent ?? secondTop) {
      atoms.push(...at.sequence.slice(0, at.index));
    }
    return atoms;
  }

  private rejectPair(first: PatternNode, second: PatternNode): never {
    const describe = (node: PatternNode): [string, number, string] => {
      const quantifier = node.quantifier;
      return quantifier !== undefined && quantifier.max > quantifier.min
        ? ['quantifier', quantifier.offset, this.source.slice(node.offset, quantifier.end)]
        : ['alternation', node.offset, this.source.slice(node.offset, node.end)];
    };
    const [firstKind, firstOffset, firstText] = describe(first);
    const [secondKind, secondOffset, secondText] = describe(second);
    const what =
      firstKind === secondKind
        ? `${firstKind}s at offsets ${firstOffset} and ${secondOffset}`
        : `the ${firstKind} at offset ${firstOffset} and the ${secondKind} at offset ${secondOffset}`;
    const middle = this.source.slice(first.quantifier?.end ?? first.end, second.offset);
    const bothLoop = first.quantifier?.repeats === true && second.quantifier?.repeats === true;
    return reject(
      `${what} can match the same characters one after the other ` +
        `('${quote(firstText)}' then '${quote(secondText)}')` +
        (middle === '' ? '' : `, with only '${quote(middle)}' between them`) +
        (bothLoop
          ? '; this backtracks polynomially'
          : '; chains of these backtrack exponentially') +
        ' — separate them with a character neither can match, or merge them',
    );
  }
}

/** The start, end and nullability of a sequence, with follow links, à la Glushkov. */
interface Linear {
  readonly nullable: boolean;
  readonly first: readonly PatternNode[];
  readonly last: readonly PatternNode[];
}

type Follow = Map<PatternNode, Set<PatternNode>>;

function link(follow: Follow, from: readonly PatternNode[], to: readonly PatternNode[]): void {
  for (const node of from) {
    const next = follow.get(node) ?? new Set<PatternNode>();
    for (const target of to) next.add(target);
    follow.set(node, next);
  }
}

/**
 * Builds the position automaton of a sequence: its character and set atoms are the
 * states; `follow` gets, for each, the atoms that can match the next character. A
 * bounded `{n,m}` with m > 1 is treated as `{n,}`, which only makes it match more.
 */
function linearize(sequence: readonly PatternNode[], follow: Follow): Linear {
  let nullable = true;
  let first: PatternNode[] = [];
  let last: PatternNode[] = [];
  for (const node of sequence) {
    const atom = linearizeAtom(node, follow);
    link(follow, last, atom.first);
    if (nullable) first = [...first, ...atom.first];
    last = atom.nullable ? [...last, ...atom.last] : [...atom.last];
    nullable &&= atom.nullable;
  }
  return { nullable, first, last };
}

function linearizeAtom(node: PatternNode, follow: Follow): Linear {
  if (node.quantifier?.max === 0 || node.kind === 'assertion') {
    return { nullable: true, first: [], last: [] };
  }
  let atom: Linear;
  if (node.kind !== 'group') atom = { nullable: false, first: [node], last: [node] };
  else {
    const alternatives = node.alternatives.map((alternative) => linearize(alternative, follow));
    atom = {
      nullable: alternatives.some((alternative) => alternative.nullable),
      first: alternatives.flatMap((alternative) => alternative.first),
      last: alternatives.flatMap((alternative) => alternative.last),
    };
  }
  if (node.quantifier?.repeats === true) link(follow, atom.last, atom.first);
  return node.quantifier?.min === 0 ? { ...atom, nullable: true } : atom;
}

/** Rule 8: a group with two alternatives that can match the same text. */
class AlternativesCheck {
  constructor(
    private readonly source: string,
    private readonly sets: CharSets,
  ) {}

  run(nodes: readonly PatternNode[]): void {
    for (const group of nodes) {
      if (group.kind !== 'group' || group.alternatives.length < 2 || isDead(group)) continue;
      group.alternatives.forEach((alternative, at) => {
        group.alternatives.slice(at + 1).forEach((other, offset) => {
          const verdict = this.sameText(alternative, other);
          if (verdict !== false) this.rejectPair(group, at, at + 1 + offset, verdict);
        });
      });
    }
  }

  /**
   * Whether two alternatives can match one text: a walk of the product of their
   * position automata, from both first atoms to both last atoms, over atoms whose
   * character sets intersect. 'unknown' when the walk exceeds its budget.
   */
  private sameText(
    alternative: readonly PatternNode[],
    other: readonly PatternNode[],
  ): boolean | 'unknown' {
    const followA: Follow = new Map();
    const followB: Follow = new Map();
    const a = linearize(alternative, followA);
    const b = linearize(other, followB);
    if (a.nullable && b.nullable) return true;
    const lastA = new Set(a.last);
    const lastB = new Set(b.last);
    const seen = new Map<PatternNode, Set<PatternNode>>();
    const queue: [PatternNode, PatternNode][] = [];
    let steps = 0;
    const visit = (from: Iterable<PatternNode>, to: Iterable<PatternNode>): void => {
      for (const x of from) {
        for (const y of to) {
          steps += 1;
          const seenX = seen.get(x) ?? new Set<PatternNode>();
          seen.set(x, seenX);
          if (seenX.has(y) || !intersects(this.sets.of(x), this.sets.of(y))) continue;
          seenX.add(y);
          queue.push([x, y]);
        }
      }
    };
    visit(a.first, b.first);
    for (let pair = queue.pop(); pair !== undefined; pair = queue.pop()) {
      const [x, y] = pair;
      if (lastA.has(x) && lastB.has(y)) return true;
      if (steps > MAX_ALTERNATIVE_PAIR_STEPS) return 'unknown';
      visit(followA.get(x) ?? [], followB.get(y) ?? []);
    }
    return false;
  }

  private rejectPair(group: PatternNode, first: number, second: number, verdict: true | 'unknown') {
    const text = (at: number): string => {
      const [start, end] = group.spans[at] ?? [0, 0];
      return quote(this.source.slice(start, end));
    };
    const which = `alternatives ${first + 1} and ${second + 1} ('${text(first)}' and '${text(second)}')`;
    return verdict === true
      ? reject(
          `ambiguous alternation at offset ${group.offset}: ${which} can match the same ` +
            'text; this backtracks exponentially when repeated — make the alternatives ' +
            'match different texts',
        )
      : reject(
          `alternation at offset ${group.offset} too complex to vet: could not show that ` +
            `${which} never match the same text — simplify them`,
        );
  }
}

/**
 * Scans a pattern the engine has compiled and throws {@link PatternRejected} on the
 * first unsafe construct.
 */
function scan(source: string): void {
  const parsed = parse(source);
  if (parsed.repeating > MAX_REPEATING_QUANTIFIERS) {
    reject(
      `too many quantifiers: the pattern has ${parsed.repeating} repeating quantifiers ` +
        `('*', '+', '{n,}', '{n,m}'), at most ${MAX_REPEATING_QUANTIFIERS} are allowed`,
    );
  }
  const properties = parsed.properties;
  if (properties.size > MAX_PROPERTIES) {
    reject(
      `too many Unicode properties: the pattern names ${properties.size} distinct ` +
        `properties in '\\p{…}' or '\\P{…}', at most ${MAX_PROPERTIES} are allowed`,
    );
  }
  const sets = new CharSets(source, properties, parsed.codePoints);
  new OverlapCheck(source, sets).run(parsed.nodes);
  new AlternativesCheck(source, sets).run(parsed.nodes);
}

/**
 * Vets and compiles a `matches` pattern (flag 'u'; no other flags).
 *
 * Refuses empty or overlong patterns, patterns that do not compile, backreferences,
 * lookahead and lookbehind, groups repeated by `*`, `+`, `{n}`, `{n,}` or `{n,m}` (m > 1)
 * whose body contains a repeating quantifier, an alternation or an optional part,
 * patterns with more than eight repeating quantifiers, two variable parts (quantified
 * atoms whose max exceeds their min, alternations whose alternatives differ in length)
 * that can match the same characters one after the other, groups with two alternatives
 * that can match the same text, and more than eight distinct Unicode properties. Offsets in messages are UTF-16 code-unit
 * offsets.
 *
 * @example
 * const vetting = vetPattern('^(marketing|ads)-[a-z]+$');
 * if (vetting.ok) vetting.regex.test('ads-retargeting'); // true
 *
 * vetPattern('(a+)+$');
 * // { ok: false, message: "nested quantifier at offset 4: the group opened at offset 0 ..." }
 *
 * vetPattern('a*a*b');
 * // { ok: false, message: "quantifiers at offsets 1 and 3 can match the same characters ..." }
 */
export function vetPattern(pattern: string): PatternVetting {
  if (pattern.length === 0) {
    return { ok: false, message: 'empty pattern: a pattern must contain at least one character' };
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      message:
        `pattern too long: ${pattern.length} characters, ` +
        `at most ${MAX_PATTERN_LENGTH} are allowed`,
    };
  }

  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }

  try {
    scan(pattern);
  } catch (error) {
    if (error instanceof PatternRejected) return { ok: false, message: error.message };
    throw error;
  }
  return { ok: true, regex };
}
