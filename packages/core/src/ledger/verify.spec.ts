import { describe, expect, it } from '@jest/globals';
import { InMemoryLedger } from '../testing/in-memory-ledger.js';
import { sha256Hex } from './canonical-json.js';
import type { AppendRequest } from './entry.js';
import { verifyLedger } from './verify.js';

const entry = (data: AppendRequest['data']): AppendRequest => ({
  type: 'decision',
  actor: 'spec',
  data,
});

describe('verifyLedger', () => {
  it('is not misled by data that holds its own "hash" members or strings that look like one', async () => {
    const ledger = new InMemoryLedger();
    await ledger.append('acme', [
      entry({ hash: 'f'.repeat(64), nested: { hash: '0'.repeat(64), list: [{ hash: 'x' }] } }),
      entry({ text: '"hash":"' + 'a'.repeat(64) + '",' }),
      entry({ zz: { hash: 'e'.repeat(64) } }),
    ]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 3 });
  });

  it('reads entries whose subject, tenant or numbers are unusual the same way as any other', async () => {
    const ledger = new InMemoryLedger();
    for (const subject of ['run "quoted" \\ back', 'emoji 🎉 and \u2028', 'tab\there', undefined])
      await ledger.append('t-9_x', [
        {
          type: 'evidence.eval',
          actor: 'a"b',
          data: { n: 1 },
          ...(subject === undefined ? {} : { subject }),
        },
      ]);
    expect(await verifyLedger(ledger, 't-9_x')).toMatchObject({ ok: true, checked: 4 });
    // a tail the fast reader does not take (an escaped type) still reads through JSON.parse
    const bytes = await ledger.tamper.rawBytes('t-9_x', 4);
    const escaped = bytes.replace('"type":"evidence.eval"', '"type":"evidence\\u002eeval"');
    expect(escaped).not.toBe(bytes);
    await ledger.tamper.rewrite('t-9_x', 4, escaped);
    expect((await verifyLedger(ledger, 't-9_x')).failure).toMatchObject({
      seq: 4,
      kind: 'hash_mismatch',
    });
  });

  it('reports an empty chain as good', async () => {
    expect(await verifyLedger(new InMemoryLedger(), 'acme')).toMatchObject({
      ok: true,
      checked: 0,
      headHash: '0'.repeat(64),
    });
  });

  it('with deep, reports bytes that are correctly hashed but not canonical', async () => {
    const ledger = new InMemoryLedger();
    await ledger.append('acme', [entry({ a: 1 }), entry({ b: 2 })]);
    const bytes = await ledger.tamper.rawBytes('acme', 2);
    // A forger re-hashes bytes written in another (non-canonical) form, keeping the hash.
    const at = bytes.lastIndexOf('"hash":"');
    const stored = bytes.slice(at + 8, at + 72);
    const body = (bytes.slice(0, at) + bytes.slice(at + 74)).replace('{"b":2}', '{ "b": 2 }');
    expect(sha256Hex(body)).not.toBe(stored);
    const cut = body.lastIndexOf('"prev":');
    const forged = `${body.slice(0, cut)}"hash":"${sha256Hex(body)}",${body.slice(cut)}`;
    await ledger.tamper.rewrite('acme', 2, forged);
    expect((await verifyLedger(ledger, 'acme', { deep: true })).failure).toMatchObject({
      seq: 2,
      kind: 'hash_mismatch',
    });
    // Without deep, the re-hashed entry no longer matches the head the ledger recorded.
    expect((await verifyLedger(ledger, 'acme')).failure).toMatchObject({
      seq: 2,
      kind: 'hash_mismatch',
    });
  });

  it('reports progress while streaming', async () => {
    const ledger = new InMemoryLedger();
    await ledger.append(
      'acme',
      Array.from({ length: 25 }, (_, n) => entry({ n })),
    );
    const seen: number[] = [];
    await verifyLedger(ledger, 'acme', { progressEvery: 10, onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([10, 20]);
  });
});
