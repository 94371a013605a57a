import type * as Yaml from 'yaml';
import { GovgateError, type GovgateErrorCode } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import { REPEATED_KEY, duplicateJsonKey } from '../schema/json-text.js';

const yaml = lazyModule<typeof Yaml>('yaml');

export type DocumentFormat = 'json' | 'yaml';

/** Largest policy or test document text accepted, in characters. */
export const MAX_DOCUMENT_TEXT = 4 * 1024 * 1024;

/**
 * Parses JSON or YAML text into plain data. YAML is read with the 1.2 core schema
 * (no custom tags, no dates), unique keys and a bound on alias expansion, so the
 * result is always JSON-shaped data. JSON that repeats a key in one object, which
 * JSON.parse lets pass keeping the last, is refused naming the key's pointer: a
 * policy's first value would be silently dropped.
 *
 * @example
 * parseDocumentText('id: default\nversion: 1\nthreshold: 50\nrules: []', 'yaml')
 */
export function parseDocumentText(
  text: string,
  format: DocumentFormat,
  code: GovgateErrorCode = 'POLICY_INVALID',
): unknown {
  if (text.length > MAX_DOCUMENT_TEXT) {
    throw new GovgateError(code, `document is larger than ${MAX_DOCUMENT_TEXT} characters`, {
      details: [{ pointer: '', message: 'document too large' }],
    });
  }
  let value: unknown;
  try {
    if (format === 'json') value = JSON.parse(text) as unknown;
    else
      value = yaml().parse(text, {
        schema: 'core',
        uniqueKeys: true,
        maxAliasCount: 100,
        merge: false,
        prettyErrors: true,
      }) as unknown;
  } catch (cause) {
    const message =
      cause instanceof yaml().YAMLParseError || cause instanceof SyntaxError
        ? cause.message
        : String(cause);
    throw new GovgateError(code, `document is not valid ${format.toUpperCase()}: ${message}`, {
      cause,
      details: [{ pointer: '', message }],
    });
  }
  const duplicate = format === 'json' ? duplicateJsonKey(text) : undefined;
  if (duplicate !== undefined)
    throw new GovgateError(code, `document is not valid JSON: it repeats the key at ${duplicate}`, {
      details: [{ pointer: duplicate, message: REPEATED_KEY }],
    });
  return value;
}

/** Guesses the format of a document from a file name or media type; YAML by default. */
export function formatOf(nameOrMediaType: string): DocumentFormat {
  return /(\.json$|\/json\b|\+json\b)/i.test(nameOrMediaType) ? 'json' : 'yaml';
}
