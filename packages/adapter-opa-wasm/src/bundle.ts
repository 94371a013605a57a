import { gunzipSync } from 'node:zlib';
import { createValidator, pointerToken, type ErrorDetail, type JsonObject } from '@govgate/core';
import { Parser, type ReadEntry } from 'tar';
import { describeThrown, policyInvalid, policyInvalidAll } from './errors.js';

/** What `.manifest` of an OPA bundle may hold; OPA may add keys, which are kept. */
export interface BundleManifest {
  readonly revision?: string;
  readonly roots?: readonly string[];
  readonly wasm?: readonly { readonly entrypoint: string; readonly module: string }[];
  readonly metadata?: JsonObject;
  readonly rego_version?: number;
  readonly [key: string]: unknown;
}

/** A policy ready to load: the wasm module, its base data and, from a bundle, the manifest. */
export interface RegoBundle {
  readonly wasm: Uint8Array;
  /** The bundle's /data.json, `{}` when it has none. */
  readonly data: JsonObject;
  readonly manifest?: BundleManifest;
  /** Every regular file of the bundle, as paths without the leading '/'. */
  readonly files: readonly string[];
}

export interface ReadBundleOptions {
  /** Most bytes the bundle may unpack to (gzip bombs are refused). Default 64 MiB. */
  readonly maxUnpackedBytes?: number;
  /** Most files the bundle may hold. Default 10,000. */
  readonly maxFiles?: number;
}

export const DEFAULT_MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_FILES = 10_000;
const BLOCK = 512;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;
const WASM_VERSION_1 = [0x01, 0x00, 0x00, 0x00] as const;

export const bundleManifestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://govgate.dev/schemas/opa-bundle-manifest.json',
  title: 'OPA bundle .manifest (the keys govgate reads)',
  type: 'object',
  properties: {
    revision: { type: 'string' },
    roots: { type: 'array', items: { type: 'string' } },
    wasm: {
      type: 'array',
      items: {
        type: 'object',
        required: ['entrypoint', 'module'],
        properties: {
          entrypoint: { type: 'string', minLength: 1 },
          module: { type: 'string', minLength: 1 },
        },
      },
    },
    metadata: { type: 'object' },
    rego_version: { type: 'integer' },
  },
} as const;

const validateManifest = createValidator<BundleManifest>(bundleManifestSchema);
// `{ type: 'object' }` plus createValidator's refusal of prototype keys (__proto__ …).
const validateData = createValidator<JsonObject>({ type: 'object' });

/** '/bundle/a~1b.rego' for the bundle file 'a/b.rego'. */
const filePointer = (path: string): string => `/bundle/${pointerToken(path)}`;

function gunzipBounded(bytes: Uint8Array, limit: number): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b)
    throw policyInvalid(
      '/bundle',
      'the bundle is not gzip data (expected the bundle.tar.gz written by `opa build -t wasm`)',
    );
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw policyInvalid('/bundle', `the bundle unpacks to more than ${limit} bytes`, error);
    if (code === 'Z_BUF_ERROR')
      throw policyInvalid('/bundle', 'the bundle is truncated (the gzip data ends early)', error);
    throw policyInvalid(
      '/bundle',
      `the bundle's gzip data is corrupt (${(error as Error).message})`,
      error,
    );
  }
}

/**
 * A bundle path as a path relative to the bundle root. OPA writes '/policy.wasm', so
 * one leading '/' (or './') names the root; anything that could leave it is refused.
 */
function bundlePath(raw: string): string | undefined {
  const path = raw.startsWith('./') ? raw.slice(2) : raw.startsWith('/') ? raw.slice(1) : raw;
  if (path.length === 0 || path.includes('\\') || path.includes('\0')) return undefined;
  if (/^[A-Za-z]:/.test(path)) return undefined;
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return segments.join('/');
}

const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0);

function untar(tar: Buffer, maxFiles: number): Map<string, Buffer> {
  // Untrusted input: check the framing ourselves before the parser sees it. A tar is
  // whole 512-byte blocks, starts with a ustar header (which also keeps the parser from
  // auto-detecting a second, unbounded compression layer) and ends with two zero blocks.
  if (tar.length < BLOCK || tar.subarray(257, 262).toString('latin1') !== 'ustar')
    throw policyInvalid('/bundle', 'the bundle is not a tar archive (no ustar header)');
  if (tar.length % BLOCK !== 0 || !isZero(tar.subarray(tar.length - 2 * BLOCK)))
    throw policyInvalid('/bundle', 'the bundle is truncated (the tar archive has no end marker)');

  const files = new Map<string, Buffer>();
  const problems: ErrorDetail[] = [];
  const sizes = new Map<string, number>();
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const path = bundlePath(entry.path);
      if (entry.type === 'Directory' && ['.', './', '/'].includes(entry.path)) {
        // the bundle root itself
      } else if (path === undefined) {
        problems.push({
          pointer: '/bundle',
          message: `the bundle holds the unsafe path ${JSON.stringify(entry.path)} (absolute or leaving the bundle)`,
        });
      } else if (entry.type === 'Directory') {
        // a directory entry creates nothing by itself; its files are checked one by one
      } else if (entry.type !== 'File' && entry.type !== 'OldFile') {
        problems.push({
          pointer: filePointer(path),
          message: `'${path}' is a ${entry.type} entry; a bundle may hold only regular files`,
        });
      } else if (files.has(path)) {
        problems.push({ pointer: filePointer(path), message: `'${path}' is in the bundle twice` });
      } else if (files.size >= maxFiles) {
        problems.push({
          pointer: '/bundle',
          message: `the bundle holds more than ${maxFiles} files`,
        });
      } else {
        const chunks: Buffer[] = [];
        sizes.set(path, entry.size);
        files.set(path, Buffer.alloc(0));
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => files.set(path, Buffer.concat(chunks)));
        return;
      }
      entry.resume();
    },
  });
  let failure: unknown;
  parser.on('error', (error: unknown) => (failure ??= error));
  parser.on('warn', (_code: string, message: unknown) => (failure ??= message));
  // node-tar parses a buffer given to end() synchronously, entries and their data included.
  parser.end(tar);
  if (failure !== undefined) {
    const message = describeThrown(failure);
    throw policyInvalid(
      '/bundle',
      /truncated/i.test(message)
        ? `the bundle is truncated (${message})`
        : `the bundle is not a valid tar archive (${message})`,
      failure,
    );
  }
  if (problems.length > 0)
    throw policyInvalidAll(problems, { pointer: '/bundle', message: 'the bundle is invalid' });
  for (const [path, size] of sizes) {
    if (files.get(path)?.length !== size)
      throw policyInvalid(filePointer(path), `'${path}' is truncated in the bundle`);
  }
  return files;
}

function checkWasm(wasm: Uint8Array, pointer: string): void {
  const head = Array.from(wasm.subarray(0, 8));
  if (!WASM_MAGIC.every((b, i) => head[i] === b))
    throw policyInvalid(
      pointer,
      'policy.wasm is not a WebAssembly module (it does not start with \\0asm)',
    );
  if (!WASM_VERSION_1.every((b, i) => head[i + 4] === b))
    throw policyInvalid(pointer, 'policy.wasm is not a WebAssembly version 1 module');
}

function parseJsonFile(bytes: Buffer, pointer: string, name: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw policyInvalid(pointer, `${name} is not JSON (${(error as Error).message})`, error);
  }
}

/** Checks policy data (a bundle's data.json, tenant data): a JSON object without prototype keys. */
export function checkData(value: unknown, pointer: string, name: string): JsonObject {
  const checked = validateData(value);
  if (checked.ok) return checked.value;
  const errors = checked.errors.map((e) => ({
    pointer: `${pointer}${e.pointer}`,
    message: e.pointer === '' ? `${name} must be a JSON object` : e.message,
  }));
  throw policyInvalidAll(errors, { pointer, message: `${name} is invalid` });
}

function checkManifest(value: unknown, files: ReadonlyMap<string, Buffer>): BundleManifest {
  const pointer = filePointer('.manifest');
  const checked = validateManifest(value);
  if (!checked.ok) {
    const errors = checked.errors.map((e) => ({
      pointer: `${pointer}${e.pointer}`,
      message: `.manifest${e.pointer}: ${e.message}`,
    }));
    throw policyInvalidAll(errors, { pointer, message: '.manifest is invalid' });
  }
  (checked.value.wasm ?? []).forEach((w, i) => {
    const module = bundlePath(w.module);
    if (module !== 'policy.wasm' || !files.has(module))
      throw policyInvalid(
        `${pointer}/wasm/${i}/module`,
        `.manifest names the wasm module '${w.module}'; govgate loads only /policy.wasm`,
      );
  });
  return checked.value;
}

/**
 * Reads a bundle written by `opa build -t wasm -e …`: a gzipped tar with /policy.wasm,
 * optionally /data.json and /.manifest (Rego sources it also holds are listed in
 * `files`). Every problem is a GovgateError POLICY_INVALID whose details point at the
 * file, e.g. `/bundle/policy.wasm`.
 *
 * @example
 * const bundle = readBundle(readFileSync('bundle.tar.gz'));
 * bundle.manifest?.wasm // [{ entrypoint: 'govgate/allow', module: '/policy.wasm' }, …]
 */
export function readBundle(bytes: Uint8Array, options: ReadBundleOptions = {}): RegoBundle {
  const tar = gunzipBounded(bytes, options.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES);
  const files = untar(tar, options.maxFiles ?? DEFAULT_MAX_FILES);

  const wasm = files.get('policy.wasm');
  if (wasm === undefined)
    throw policyInvalid(
      filePointer('policy.wasm'),
      'the bundle has no /policy.wasm (build it with `opa build -t wasm`)',
    );
  checkWasm(wasm, filePointer('policy.wasm'));

  for (const path of files.keys()) {
    if (path !== 'data.json' && /(^|\/)data\.(json|ya?ml)$/.test(path))
      throw policyInvalid(
        filePointer(path),
        `'${path}': govgate reads data only from /data.json at the bundle root`,
      );
  }
  const dataBytes = files.get('data.json');
  const data =
    dataBytes === undefined
      ? {}
      : checkData(
          parseJsonFile(dataBytes, filePointer('data.json'), 'data.json'),
          filePointer('data.json'),
          'data.json',
        );

  const manifestBytes = files.get('.manifest');
  const manifest =
    manifestBytes === undefined
      ? undefined
      : checkManifest(parseJsonFile(manifestBytes, filePointer('.manifest'), '.manifest'), files);

  return {
    wasm: new Uint8Array(wasm),
    data,
    ...(manifest === undefined ? {} : { manifest }),
    files: [...files.keys()],
  };
}

/**
 * A bare policy.wasm (`opa build -t wasm` output unpacked, or `opa build -t wasm` of a
 * single module) with optional base data.
 *
 * @example
 * const bundle = fromWasm(readFileSync('policy.wasm'), { allowed_models: ['gpt-4o'] });
 */
export function fromWasm(wasm: Uint8Array, data?: unknown): RegoBundle {
  checkWasm(wasm, '/wasm');
  return {
    wasm,
    data: data === undefined ? {} : checkData(data, '/data', 'data'),
    files: ['policy.wasm'],
  };
}
