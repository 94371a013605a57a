/**
 * @govgate/adapter-fs-ledger — the ledger in append-only files: one directory per
 * tenant, segment files of canonical JSON lines, group-commit fsync, a single-writer
 * lock and crash recovery on open.
 */
export { FsLedger } from './fs-ledger.js';
export type { FsLedgerOpenReport, FsLedgerOptions } from './fs-ledger.js';
export { fsLedgerModule } from './module.js';
export { WorkerDigester } from './worker-digester.js';
export type { WorkerDigesterOptions } from './worker-digester.js';
