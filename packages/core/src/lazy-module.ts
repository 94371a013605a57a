import { createRequire } from 'node:module';

// Resolves from this package, in the build (ESM) and in the tests (compiled to CommonJS,
// where `import.meta.url` becomes this file's URL).
const requireHere = createRequire(import.meta.url);

/**
 * A module loaded the first time it is asked for, synchronously: for the large
 * dependencies of paths that many processes never take (ajv for validating documents,
 * yaml for reading them). A process that only verifies a ledger then does not carry
 * them: together they cost about 20 MB of memory once loaded.
 *
 * @example
 * import type * as Yaml from 'yaml';
 * const yaml = lazyModule<typeof Yaml>('yaml');
 * yaml().parse('a: 1');
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(id) as T);
}
