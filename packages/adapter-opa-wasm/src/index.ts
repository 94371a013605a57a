/**
 * @govgate/adapter-opa-wasm — Rego policies in-process: bundles written by
 * `opa build -t wasm` evaluated with @open-policy-agent/opa-wasm, mapped to govgate
 * decisions by a small descriptor.
 */
export {
  DEFAULT_MAX_UNPACKED_BYTES,
  bundleManifestSchema,
  fromWasm,
  readBundle,
} from './bundle.js';
export type { BundleManifest, ReadBundleOptions, RegoBundle } from './bundle.js';
export { NEVER_PROVIDED, SDK_BUILTINS, checkBuiltins } from './builtins.js';
export type { RegoBuiltin } from './builtins.js';
export { assertRegoDescriptor, checkEntrypoints, regoDescriptorSchema } from './descriptor.js';
export type { RegoDescriptor } from './descriptor.js';
export { mapRegoResults } from './decision-mapping.js';
export type { EntrypointResults, RegoDecision } from './decision-mapping.js';
export { loadRegoPolicy, mergeData } from './rego-policy.js';
export type { LoadRegoPolicyOptions, RegoPolicy, RegoSource } from './rego-policy.js';
export { regoPolicyLoader } from './rego-loader.js';
