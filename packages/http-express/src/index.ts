/**
 * @govgate/http-express — the govgate HTTP service: the composition root (config →
 * adapters → core, wired with inversify), the Express 5 API with authentication,
 * roles, rate limits, problem details, metrics and OpenAPI, and the server with
 * graceful shutdown.
 */
export { CONFIG_VARIABLES, ConfigError, loadConfig, parseRateLimit } from './config.js';
export type {
  ConfigVariable,
  Environment,
  LedgerConfig,
  LogLevel,
  ServiceConfig,
  StoreConfig,
} from './config.js';
export { COMPLIANCE, GOVERNANCE, SERVICE_CONFIG, loadSigner, openRuntime } from './runtime.js';
export type { OpenRuntimeOptions, ReadinessCheck, Runtime } from './runtime.js';
export { ADMIN_KEY_FILE, DEFAULT_TENANT, bootstrap, defaultPolicyDocument } from './bootstrap.js';
export type { BootstrapResult } from './bootstrap.js';
export { keyAdmin } from './keys.js';
export type { IssuedKey, NewKey } from './keys.js';
export { createApp } from './app.js';
export type { AppOptions, ServiceApp } from './app.js';
export { startService } from './server.js';
export type { RunningService, StartOptions } from './server.js';
export { openApiDocument } from './openapi.js';
export { HttpProblem, PROBLEM_KINDS, problemType } from './http/problem.js';
export type { HttpProblemCode, ProblemBody, ProblemCode } from './http/problem.js';
export type { RouteSpec } from './http/route.js';
