/** Test helpers of @govgate/adapter-postgres (sources only; used by this repo's tests). */
export { createTestDatabase } from './test-database.js';
export type { TestDatabase } from './test-database.js';
export { pgTamper } from './pg-tamper.js';
