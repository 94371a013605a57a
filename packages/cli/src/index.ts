/**
 * @govgate/cli — the `govgate` command: run the service, migrate, manage API keys,
 * validate and test policies, verify the ledger, sign checkpoints and print proofs.
 */
export { main, USAGE_EXIT_CODE } from './main.js';
export type { MainOptions } from './main.js';
export { CliError } from './context.js';
export type { StopHandle } from './context.js';
