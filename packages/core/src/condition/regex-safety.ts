/**
 * Compile-time vetting of `matches` patterns in policy conditions.
 *
 * A pattern is compiled once, when its policy is compiled, and then tested against
 * request strings on the hot path. To keep a policy author from making evaluation hang
 * through catastrophic backtracking, the pattern source is scanned by a small
 * hand-written scanner that rejects the constructs behind exponential blow-ups
 * (backreferences, lookaround, quantified groups whose body repeats or alternates) and
 * bounds the number of repeating quantifiers. The pattern must compile with the `u`
 * flag, so the scanner only ever sees syntax the engine has already accepted.
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
 * The outcome of {@link vetPattern}: the compiled regex, or why the pattern is refused.
 *
 * @example
 * const vetting: PatternVetting = vetPattern('^gpt-4');
 * if (vetting.ok) vetting.regex.test('gpt-4o'); // true
 * else console.error(vetting.message);
 */
export type PatternVetting =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly message: string };

/** What the scanner knows about one open group (or the whole pattern, at the bottom). */
interface GroupFrame {
  /** Offset of the `(` that opened the group; -1 for the whole pattern. */
  readonly offset: number;
  /** The body holds a repeating quantifier, directly or in a nested group. */
  repeats: boolean;
  /** The body holds an alternation `|`, directly or in a nested group. */
  alternates: boolean;
}

/** A quantifier read at some offset. */
interface Quantifier {
  /** The quantifier's source text, including a lazy `?`. */
  readonly text: string;
  /** The quantifier can match its atom more than once. */
  readonly repeats: boolean;
  /** Offset just past the quantifier. */
  readonly end: number;
}

class PatternRejected extends Error {}

const reject = (message: string): never => {
  throw new PatternRejected(message);
};

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/**
 * Reads the quantifier starting at `at`, if there is one. A `{` that does not open a
 * well-formed `{n}`, `{n,}` or `{n,m}` is not a quantifier.
 */
function readQuantifier(source: string, at: number): Quantifier | undefined {
  const ch = source[at];
  let end: number;
  let repeats: boolean;
  if (ch === '*' || ch === '+' || ch === '?') {
    end = at + 1;
    repeats = ch !== '?';
  } else if (ch === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
    if (match === null) return undefined;
    const [whole, min, comma, max] = match;
    end = at + whole.length;
    if (comma === undefined) repeats = Number(min) > 1;
    else repeats = max === undefined || max === '' || Number(max) > 1;
  } else {
    return undefined;
  }
  if (source[end] === '?') end += 1;
  return { text: source.slice(at, end), repeats, end };
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

/** Returns the offset just past the character class whose `[` is at `at`. */
function skipClass(source: string, at: number): number {
  let i = at + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\') i = skipEscape(source, i, true);
    else if (ch === ']') return i + 1;
    else i += 1;
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

/**
 * Scans a pattern the engine has compiled and throws {@link PatternRejected} on the
 * first unsafe construct.
 */
function scan(source: string): void {
  const root: GroupFrame = { offset: -1, repeats: false, alternates: false };
  const stack: GroupFrame[] = [root];
  let repeating = 0;
  let i = 0;

  while (i < source.length) {
    const ch = source[i];
    const top = stack[stack.length - 1] ?? root;
    /** The atom just read, if a quantifier may follow it; a closed group's frame. */
    let atom: GroupFrame | 'simple' | undefined;

    if (ch === '\\') {
      i = skipEscape(source, i, false);
      atom = 'simple';
    } else if (ch === '[') {
      i = skipClass(source, i);
      atom = 'simple';
    } else if (ch === '(') {
      const body = skipGroupOpening(source, i);
      stack.push({ offset: i, repeats: false, alternates: false });
      i = body;
    } else if (ch === ')') {
      if (top !== root) stack.pop();
      atom = top;
      i += 1;
    } else if (ch === '|') {
      top.alternates = true;
      i += 1;
    } else {
      // Literal, '.', or an anchor: a quantifier after an anchor does not compile.
      atom = 'simple';
      i += 1;
    }

    if (atom === undefined) continue;
    const quantifier = readQuantifier(source, i);
    const parent = stack[stack.length - 1] ?? root;
    if (quantifier !== undefined && quantifier.repeats) {
      repeating += 1;
      if (atom !== 'simple' && atom.repeats) {
        reject(
          `nested quantifier at offset ${i}: the group opened at offset ${atom.offset} is ` +
            `repeated by '${quantifier.text}' and its body contains a repeating quantifier; ` +
            'rewrite without nesting',
        );
      }
      if (atom !== 'simple' && atom.alternates) {
        reject(
          `quantified alternation at offset ${i}: the group opened at offset ${atom.offset} ` +
            `is repeated by '${quantifier.text}' and its body contains an alternation '|'; ` +
            "rewrite without repeating the alternatives, or make the group optional with '?'",
        );
      }
      parent.repeats = true;
    }
    if (atom !== 'simple') {
      parent.repeats ||= atom.repeats;
      parent.alternates ||= atom.alternates;
    }
    if (quantifier !== undefined) i = quantifier.end;
  }

  if (repeating > MAX_REPEATING_QUANTIFIERS) {
    reject(
      `too many quantifiers: the pattern has ${repeating} repeating quantifiers ` +
        `('*', '+', '{n,}', '{n,m}'), at most ${MAX_REPEATING_QUANTIFIERS} are allowed`,
    );
  }
}

/**
 * Vets and compiles a `matches` pattern (flag 'u'; no other flags).
 *
 * Refuses empty or overlong patterns, patterns that do not compile, backreferences,
 * lookahead and lookbehind, groups repeated by `*`, `+`, `{n,}` or `{n,m}` (m > 1) whose
 * body contains a repeating quantifier or an alternation, and patterns with more than
 * eight repeating quantifiers. Offsets in messages are UTF-16 code-unit offsets.
 *
 * @example
 * const vetting = vetPattern('^(marketing|ads)-[a-z]+$');
 * if (vetting.ok) vetting.regex.test('ads-retargeting'); // true
 *
 * vetPattern('(a+)+$');
 * // { ok: false, message: "nested quantifier at offset 4: the group opened at offset 0 ..." }
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
