import type * as Yaml from 'yaml';
import { GovgateError, type GovgateErrorCode } from '../errors.js';
import { lazyModule } from '../lazy-module.js';

const yaml = lazyModule<typeof Yaml>('yaml');

export type DocumentFormat = 'json' | 'yaml';

/** Largest policy or test document text accepted, in characters. */
export const MAX_DOCUMENT_TEXT = 4 * 1024 * 1024;

/**
 * Where valid JSON text repeats a key in one object, which JSON.parse allows (the last
 * one wins) and a policy must not: the first value would be silently dropped. Read with
 * YAML's JSON schema, which is a superset parser that reports duplicate keys.
 */
function duplicateKey(json: string): string | undefined {
  try {
    yaml().parse(json, { schema: 'json', uniqueKeys: true, maxAliasCount: 0 });
  } catch (error) {
    if (error instanceof yaml().YAMLParseError && error.code === 'DUPLICATE_KEY')
      return (error.message.split('\n')[0] ?? '').replace(/:$/, '');
  }
  return undefined;
}

/**
 * Parses JSON or YAML text into plain data. YAML is read with the 1.2 core schema
 * (no custom tags, no dates), unique keys and a bound on alias expansion, so the
 * result is always JSON-shaped data.
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
  try {
    if (format === 'json') {
      const value = JSON.parse(text) as unknown;
      const duplicate = duplicateKey(text);
      if (duplicate !== undefined) throw new SyntaxError(duplicate);
      return value;
    }
    return yaml().parse(text, {
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
}

/** Guesses the format of a document from a file name or media type; YAML by default. */
export function formatOf(nameOrMediaType: string): DocumentFormat {
  return /(\.json$|\/json\b|\+json\b)/i.test(nameOrMediaType) ? 'json' : 'yaml';
}
