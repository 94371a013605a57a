import { checkAppend, sealEntry } from '../packages/core/src/ledger/entry.js';
const data = { decision: { allowed: true, policy: { digest: 'd'.repeat(64), id: 'default', version: 1 }, reasons: [], review: false, riskScore: 0 }, pii: [], request: { context: { app: 'helpdesk', environment: 'production' }, metadata: { contains_personal_data: false, is_external_model: false, purpose: 'support', team: 'search', tokens: 1003 }, model: 'gpt-4o', operation: 'chat.completion' } } as never;
const ar = { type: 'decision', actor: 'key_1', subject: 'u-1', data };
const dj = checkAppend('acme', ar);
const time = (name: string, f: () => unknown) => { for (let i = 0; i < 100000; i++) f(); const N = 300000; const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) f(); console.log(name.padEnd(20), (Number(process.hrtime.bigint() - t) / N).toFixed(0), 'ns'); };
time('sealEntry', () => sealEntry({ tenant: 'acme', seq: 5, prev: 'a'.repeat(64), ts: '2026-01-01T00:00:00.000Z' }, ar, dj));
time('checkAppend', () => checkAppend('acme', ar));
