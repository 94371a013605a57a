import type { DecisionFacts, DecisionRequest, JsonObject, JsonValue } from '@govgate/core';
import * as opaModule from '@open-policy-agent/opa-wasm';
import { readBundle, fromWasm, checkData, type BundleManifest, type RegoBundle } from './bundle.js';
import { allowedBuiltins, checkBuiltins, type RegoBuiltin } from './builtins.js';
import { assertRegoDescriptor, checkEntrypoints, type RegoDescriptor } from './descriptor.js';
import { mapRegoResults, type EntrypointResults, type RegoDecision } from './decision-mapping.js';
import { GovgateError } from '@govgate/core';
import { describeThrown, policyInvalid } from './errors.js';

// The compiler options have no DOM lib, and @types/node 20 does not declare the
// WebAssembly global: the few parts used here are typed locally.
/** A compiled WebAssembly.Module (opaque). */
type WasmModule = object;
interface WasmApi {
  readonly Module: {
    new (bytes: Uint8Array): WasmModule;
    exports(module: WasmModule): { readonly name: string; readonly kind: string }[];
  };
}
const wasmApi = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;
interface WasmMemoryDescriptor {
  readonly initial: number;
  readonly maximum?: number;
}

/** The part of opa-wasm's LoadedPolicy govgate uses. */
interface LoadedOpaPolicy {
  readonly entrypoints: unknown;
  readonly mem: { readonly buffer: ArrayBuffer };
  readonly wasmInstance: { readonly exports: unknown };
  evaluate(input: ArrayBuffer, entrypoint: number): unknown;
  setData(data: object): void;
}
interface OpaSdk {
  loadPolicySync(
    wasm: WasmModule,
    memory: WasmMemoryDescriptor,
    builtins: Record<string, RegoBuiltin>,
  ): LoadedOpaPolicy;
}
// The SDK's ESM entry exports only `loadPolicy` by name (its typings claim more); its
// default export, and module.exports under CommonJS, is the whole SDK.
const sdk: OpaSdk = (opaModule as unknown as { default?: OpaSdk }).default ?? opaModule;

/** Exports every OPA wasm module has (ABI 1.x); checked before opa-wasm touches it. */
const REQUIRED_EXPORTS = [
  'builtins',
  'entrypoints',
  'opa_json_dump',
  'opa_json_parse',
  'opa_malloc',
  'opa_heap_ptr_get',
  'opa_heap_ptr_set',
  'opa_wasm_abi_version',
  'opa_wasm_abi_minor_version',
] as const;

/** Where a policy comes from: a bundle.tar.gz, or a bare policy.wasm with optional data. */
export type RegoSource =
  { readonly bundle: Uint8Array } | { readonly wasm: Uint8Array; readonly data?: unknown };

export type LoadRegoPolicyOptions = RegoSource & {
  /** The policy version's descriptor (validated here). */
  readonly descriptor: unknown;
  /** The tenant's data, deep-merged over the bundle's data.json (the tenant wins). */
  readonly tenantData?: unknown;
  /** Builtins govgate provides beyond the SDK's; `http.send` and the like are never passed on. */
  readonly builtins?: Readonly<Record<string, RegoBuiltin>>;
  /** wasm memory in 64 KiB pages: initial 5, at most 4096 (256 MiB) unless given. */
  readonly memory?: { readonly initialPages?: number; readonly maximumPages?: number };
  /** Most bytes a bundle may unpack to; default 64 MiB. */
  readonly maxUnpackedBytes?: number;
};

/**
 * A loaded Rego policy. Load once per policy version (and tenant data) and reuse it:
 * evaluation is synchronous and reuses the wasm heap, so memory does not grow with the
 * number of evaluations. Not re-entrant: one evaluation at a time (JavaScript's single
 * thread guarantees that unless a builtin calls back into the same policy).
 */
export interface RegoPolicy {
  /** The module's entrypoints, name → id. */
  readonly entrypoints: Readonly<Record<string, number>>;
  /** The builtins the module asks of its host (all of them available). */
  readonly builtins: readonly string[];
  readonly descriptor: RegoDescriptor;
  readonly manifest?: BundleManifest;
  /** The data the policy sees as `data` (bundle data.json merged with tenant data). */
  readonly data: JsonObject;
  /** Current size of the wasm memory in bytes. */
  readonly memoryBytes: number;
  /**
   * Decides on a validated, redacted request and its derived facts: OPA `input` is
   * `{ ...request, pii: facts.pii }`. Throws GovgateError POLICY_INVALID when an
   * entrypoint fails or gives a value of the wrong type: treat that as a denial.
   */
  evaluate(request: DecisionRequest, facts: DecisionFacts): RegoDecision;
}

const isPlainObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` merged into `base`, objects key by key; any other value of `over` replaces. */
export function mergeData(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeData(current, value) : value;
  }
  return out;
}

function readCString(memory: LoadedOpaPolicy['mem'], address: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = address;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(address, end));
}

/** The names in the module's `builtins` export (a JSON object name → id). */
function requiredBuiltins(loaded: LoadedOpaPolicy): string[] {
  const exports = loaded.wasmInstance.exports as Record<string, (...args: number[]) => number>;
  const text = readCString(loaded.mem, exports.opa_json_dump!(exports.builtins!()));
  const parsed = JSON.parse(text) as unknown;
  return isPlainObject(parsed) ? Object.keys(parsed).sort() : [];
}

function compile(bundle: RegoBundle, pointer: string): WasmModule {
  let module: WasmModule;
  try {
    module = new wasmApi.Module(bundle.wasm);
  } catch (error) {
    throw policyInvalid(
      pointer,
      `policy.wasm is not a valid WebAssembly module (${describeThrown(error)})`,
      error,
    );
  }
  const names = new Set(wasmApi.Module.exports(module).map((e) => e.name));
  const missing: string[] = REQUIRED_EXPORTS.filter((n) => !names.has(n));
  if (!names.has('opa_eval') && !names.has('eval')) missing.push('opa_eval');
  if (missing.length > 0)
    throw policyInvalid(
      pointer,
      `policy.wasm is not an OPA policy (built with \`opa build -t wasm\`): it lacks the exports ${missing.join(', ')}`,
    );
  return module;
}

/**
 * Loads a Rego policy compiled to wasm: checks the descriptor, that every entrypoint it
 * names exists and that every builtin the module needs is available, then sets the
 * policy's data. Every problem is a GovgateError POLICY_INVALID.
 *
 * @example
 * const policy = loadRegoPolicy({
 *   bundle: readFileSync('bundle.tar.gz'),
 *   descriptor: { entrypoints: { allowed: 'govgate/allow', riskScore: 'govgate/risk_score' } },
 * });
 * const { request, facts } = inspectRequest(body);
 * const decision = policy.evaluate(request, facts);
 */
export function loadRegoPolicy(options: LoadRegoPolicyOptions): RegoPolicy {
  const descriptor = assertRegoDescriptor(options.descriptor);
  const fromBundle = 'bundle' in options;
  if (fromBundle && descriptor.data !== undefined)
    throw policyInvalid(
      '/descriptor/data',
      'descriptor.data is the base data of a bare policy.wasm; a bundle brings its own data.json',
    );
  const bundle = fromBundle
    ? readBundle(
        options.bundle,
        options.maxUnpackedBytes === undefined
          ? {}
          : { maxUnpackedBytes: options.maxUnpackedBytes },
      )
    : fromWasm(options.wasm, options.data ?? descriptor.data);
  const wasmPointer = fromBundle ? '/bundle/policy.wasm' : '/wasm';
  const tenantData =
    options.tenantData === undefined
      ? {}
      : checkData(options.tenantData, '/tenantData', 'tenant data');
  const provided = options.builtins ?? {};

  const module = compile(bundle, wasmPointer);
  let loaded: LoadedOpaPolicy;
  let builtins: string[];
  try {
    loaded = sdk.loadPolicySync(
      module,
      {
        initial: options.memory?.initialPages ?? 5,
        maximum: options.memory?.maximumPages ?? 4096,
      },
      allowedBuiltins(provided),
    );
    builtins = requiredBuiltins(loaded);
  } catch (error) {
    throw policyInvalid(
      wasmPointer,
      `policy.wasm could not be loaded (${describeThrown(error)})`,
      error,
    );
  }
  checkBuiltins(builtins, provided);

  const entrypoints = Object.freeze({ ...(loaded.entrypoints as Record<string, number>) });
  checkEntrypoints(descriptor, entrypoints);
  (bundle.manifest?.wasm ?? []).forEach((w, i) => {
    if (!Object.hasOwn(entrypoints, w.entrypoint))
      throw policyInvalid(
        `/bundle/.manifest/wasm/${i}/entrypoint`,
        `.manifest lists the entrypoint '${w.entrypoint}', which policy.wasm does not have`,
      );
  });

  const data = mergeData(bundle.data, tenantData);
  try {
    loaded.setData(data);
  } catch (error) {
    throw policyInvalid(
      '/data',
      `the policy data could not be set (${describeThrown(error)})`,
      error,
    );
  }

  const ids = {
    allowed: entrypoints[descriptor.entrypoints.allowed] as number,
    riskScore: descriptor.entrypoints.riskScore,
    reasons: descriptor.entrypoints.reasons,
    review: descriptor.entrypoints.review,
  };
  const encoder = new TextEncoder();
  const run = (input: ArrayBuffer, name: string | undefined): unknown => {
    if (name === undefined) return undefined;
    try {
      return loaded.evaluate(input, entrypoints[name] as number);
    } catch (error) {
      throw policyInvalid(
        `/entrypoints/${name}`,
        `entrypoint '${name}' failed: ${describeThrown(error)}`,
        error,
      );
    }
  };

  return {
    entrypoints,
    builtins: Object.freeze(builtins),
    descriptor,
    ...(bundle.manifest === undefined ? {} : { manifest: bundle.manifest }),
    data,
    get memoryBytes() {
      return loaded.mem.buffer.byteLength;
    },
    evaluate(request, facts) {
      const input: { [key: string]: JsonValue | DecisionFacts['pii'] | undefined } = {
        ...request,
        pii: facts.pii,
      };
      // Encoded once and handed to every entrypoint as JSON bytes (opa-wasm copies them).
      const encoded = encoder.encode(JSON.stringify(input)).buffer;
      let allowed: unknown;
      try {
        allowed = loaded.evaluate(encoded, ids.allowed);
      } catch (error) {
        if (GovgateError.is(error)) throw error;
        throw policyInvalid(
          `/entrypoints/${descriptor.entrypoints.allowed}`,
          `entrypoint '${descriptor.entrypoints.allowed}' failed: ${describeThrown(error)}`,
          error,
        );
      }
      const results: EntrypointResults = {
        allowed,
        riskScore: run(encoded, ids.riskScore),
        reasons: run(encoded, ids.reasons),
        review: run(encoded, ids.review),
      };
      return mapRegoResults(results, descriptor);
    },
  };
}
