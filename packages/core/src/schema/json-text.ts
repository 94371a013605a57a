/**
 * Where JSON text repeats a key within one object. JSON.parse accepts that and keeps the
 * last value, so two readers of one request can disagree about it (a gateway that reads
 * the first `contains_personal_data`, govgate the last): govgate refuses such text.
 */

/** What a member whose key repeats an earlier one is told (the detail beside its pointer). */
export const REPEATED_KEY = 'repeats a key of the same object: only one value may be given';

/** An object being read: its keys so far and the member being read. */
interface ObjectFrame {
  readonly keys: Set<string>;
  key: string;
}

/** An array being read: the index of the element being read. */
interface ArrayFrame {
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** RFC 6901 escaping of one pointer segment. */
const segment = (text: string): string => text.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The JSON pointer of the first member whose key (after unescaping, so `"a"` and
 * `"\u0061"` are one key) repeats an earlier key of the same object, in `text` that
 * `JSON.parse` accepts; undefined when no object repeats a key. One pass without
 * recursion: depth cannot exhaust the stack.
 *
 * @example
 * duplicateJsonKey('{"metadata":{"pii":false,"pii":true}}') // '/metadata/pii'
 * duplicateJsonKey('[{"a":1},{"a":2}]')                   // undefined
 */
export function duplicateJsonKey(text: string): string | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      const start = at;
      let escaped = false;
      for (at += 1; ; at++) {
        const d = text.charCodeAt(at);
        if (d === BACKSLASH) {
          escaped = true;
          at += 1;
        } else if (d === QUOTE || Number.isNaN(d)) break;
      }
      if (!expectKey) continue; // a string value
      const raw = text.slice(start + 1, at);
      const key = escaped ? (JSON.parse(text.slice(start, at + 1)) as string) : raw;
      const frame = stack.at(-1) as ObjectFrame;
      if (frame.keys.has(key)) return pointerOf(stack, key);
      frame.keys.add(key);
      frame.key = key;
      expectKey = false;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), key: '' });
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push({ index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const frame = stack.at(-1);
      if (frame !== undefined && 'keys' in frame) expectKey = true;
      else if (frame !== undefined) frame.index += 1;
    }
  }
  return undefined;
}

/** The pointer of member `key` of the innermost object on `stack`. */
function pointerOf(stack: readonly Frame[], key: string): string {
  const parts = stack
    .slice(0, -1)
    .map((frame) => ('keys' in frame ? segment(frame.key) : String(frame.index)));
  return [...parts, segment(key)].map((part) => `/${part}`).join('');
}
