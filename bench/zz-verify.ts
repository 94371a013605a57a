import { InMemoryLedger } from '../packages/core/src/testing/in-memory-ledger.js';
import { verifyLedger } from '../packages/core/src/ledger/verify.js';
const l = new InMemoryLedger();
for (let b = 0; b < 200; b++) await l.append('acme', Array.from({ length: 1000 }, (_, i) => ({ type: 'decision', actor: `key_${i % 97}`, subject: `run_${i}`, data: { allowed: i % 7 !== 0, model: 'gpt-4o', operation: 'chat.completion', policy: { digest: 'b'.repeat(64), id: 'default', version: 3 }, reasons: [], riskScore: i % 100, threshold: 50 } })));
const t0 = Date.now(); const r = await verifyLedger(l, 'acme'); const dt = Date.now() - t0;
console.log(r.ok, r.checked, dt, 'ms', (dt * 1000 / r.checked).toFixed(2), 'µs/entry');
