import { pointerToken, type ErrorDetail } from '../errors.js';
import { UNSAFE_KEYS } from '../schema/patterns.js';

const MAX_DEPTH = 64;

/**
 * Problems that keep `value` from being stored as JSON exactly: values JSON has no
 * form for (undefined in lists, functions, symbols, bigints, NaN, Infinity), lone
 * surrogates, objects that are not plain, prototype-reaching keys, and nesting past
 * 64 levels (which also catches cycles).
 */
export function jsonDataProblems(
  value: unknown,
  at = '',
  depth = 0,
  out: ErrorDetail[] = [],
): ErrorDetail[] {
  if (out.length >= 20) return out;
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed())
        out.push({ pointer: at, message: 'string holds a lone surrogate' });
      return out;
    case 'number':
      if (!Number.isFinite(value))
        out.push({ pointer: at, message: `${value} is not a JSON number` });
      return out;
    case 'boolean':
      return out;
    case 'object': {
      if (value === null) return out;
      if (depth >= MAX_DEPTH) {
        out.push({ pointer: at, message: `nested deeper than ${MAX_DEPTH} levels (or circular)` });
        return out;
      }
      if (Array.isArray(value)) {
        for (let n = 0; n < value.length; n++) {
          const item: unknown = value[n];
          if (item === undefined)
            out.push({ pointer: `${at}/${n}`, message: 'undefined is not JSON data' });
          else jsonDataProblems(item, `${at}/${n}`, depth + 1, out);
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        out.push({ pointer: at, message: 'must be a plain object' });
        return out;
      }
      for (const key of Object.keys(value)) {
        const pointer = `${at}/${pointerToken(key)}`;
        const item = (value as Record<string, unknown>)[key];
        if (UNSAFE_KEYS.has(key)) out.push({ pointer, message: `key '${key}' is not allowed` });
        else if (!key.isWellFormed()) out.push({ pointer, message: 'key holds a lone surrogate' });
        else if (item !== undefined) jsonDataProblems(item, pointer, depth + 1, out);
      }
      return out;
    }
    default:
      out.push({ pointer: at, message: `${typeof value} is not JSON data` });
      return out;
  }
}
