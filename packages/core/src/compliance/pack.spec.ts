import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { packFixture } from './__fixtures__/compliance.js';
import { canonicalJson, sha256Hex } from '../ledger/canonical-json.js';
import { checkPackPublicKey, eventsContentSha256, verifyPack, type EvidencePack } from './pack.js';

function flip(text: string, at: number): string {
  const c = text[at] as string;
  const replacement =
    c === '0'
      ? '1'
      : c === 'a'
        ? 'b'
        : /[0-9]/.test(c)
          ? '0'
          : /[a-z]/.test(c)
            ? 'a'
            : c === 'A'
              ? 'B'
              : 'A';
  return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
}

describe('evidence packs', () => {
  it('verify offline with the public key', async () => {
    const { pack, publicKeyPem } = await packFixture();
    expect(pack.entries.map((e) => e.seq)).toEqual([2, 4]);
    expect(verifyPack(JSON.parse(JSON.stringify(pack)), publicKeyPem)).toEqual({
      ok: true,
      entries: 2,
      failures: [],
    });
  });

  it('report a key that is no Ed25519 public key as that alone, without blaming the pack', async () => {
    const { pack } = await packFixture();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    // a private key would verify (its public half derives from it), but it has no place here
    const privateKey = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const [key, problem] of [
      [privateKey, 'is a private key'],
      ['# govgate\n\nA README, not a key.\n', 'is not a PEM public key'],
      ['', 'is not a PEM public key'],
      [rsa, 'is a key of type rsa, not Ed25519'],
    ] as const) {
      expect(checkPackPublicKey(key)).toMatchObject({
        code: 'KEY_INVALID',
        details: [
          { pointer: '/publicKeyPem', message: expect.stringContaining(problem) as unknown },
        ],
      });
      const report = verifyPack(pack, key);
      expect(report).toEqual({
        ok: false,
        entries: 2,
        failures: [
          {
            code: 'public_key_invalid',
            message: expect.stringContaining(problem) as unknown,
          },
        ],
      });
    }
  });

  it('take an Ed25519 public key in PEM as a key to check with', async () => {
    const { publicKeyPem, otherPublicKeyPem } = await packFixture();
    expect(checkPackPublicKey(publicKeyPem)).toBeUndefined();
    expect(checkPackPublicKey(otherPublicKeyPem)).toBeUndefined();
  });

  it('fail with another key', async () => {
    const { pack, otherPublicKeyPem } = await packFixture();
    const codes = verifyPack(pack, otherPublicKeyPem).failures.map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['checkpoint_signature']));
  });

  it('report a specific failure for one changed character anywhere in an entry or its proof', async () => {
    const { pack, publicKeyPem } = await packFixture();
    for (const [index, entry] of pack.entries.entries()) {
      for (let at = 0; at < entry.bytes.length; at++) {
        const changed = flip(entry.bytes, at);
        if (changed === entry.bytes) continue;
        const entries = pack.entries.map((e, i) => (i === index ? { ...e, bytes: changed } : e));
        const report = verifyPack({ ...pack, entries }, publicKeyPem);
        const specific = report.failures.filter((f) => f.seq === entry.seq).map((f) => f.code);
        expect([at, report.ok]).toEqual([at, false]);
        expect(specific.length).toBeGreaterThan(0);
        expect(report.failures.map((f) => f.code)).toEqual(
          expect.arrayContaining(['bundle_digest', 'events_digest']),
        );
      }
      const proof = entry.proof.map((h, i) => (i === 0 ? flip(h, 5) : h));
      const entries = pack.entries.map((e, i) => (i === index ? { ...e, proof } : e));
      const report = verifyPack({ ...pack, entries }, publicKeyPem);
      expect(report.failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'inclusion_proof', seq: entry.seq }),
        ]),
      );
    }
  });

  it('report a changed checkpoint, digest, run or tenant by name', async () => {
    const { pack, publicKeyPem } = await packFixture();
    const cases: [string, EvidencePack, string][] = [
      [
        'root',
        { ...pack, checkpoint: { ...pack.checkpoint, root: flip(pack.checkpoint.root, 3) } },
        'checkpoint_signature',
      ],
      [
        'size',
        { ...pack, checkpoint: { ...pack.checkpoint, size: pack.checkpoint.size + 1 } },
        'checkpoint_signature',
      ],
      [
        'signature',
        {
          ...pack,
          checkpoint: { ...pack.checkpoint, signature: flip(pack.checkpoint.signature, 10) },
        },
        'checkpoint_signature',
      ],
      [
        'events digest',
        { ...pack, eventsContentSha256: flip(pack.eventsContentSha256, 0) },
        'events_digest',
      ],
      ['bundle digest', { ...pack, bundleSha256: flip(pack.bundleSha256, 0) }, 'bundle_digest'],
      ['pack signature', { ...pack, signature: flip(pack.signature, 7) }, 'pack_signature'],
      ['run', { ...pack, runId: 'r2' }, 'entry_run'],
      ['tenant', { ...pack, tenant: 'other' }, 'entry_tenant'],
      ['key id', { ...pack, publicKeyId: 'f'.repeat(16) }, 'public_key_mismatch'],
      ['order', { ...pack, entries: [...pack.entries].reverse() }, 'entry_order'],
    ];
    for (const [what, changed, code] of cases) {
      const report = verifyPack(changed, publicKeyPem);
      expect([what, report.ok, report.failures.map((f) => f.code).includes(code as never)]).toEqual(
        [what, false, true],
      );
    }
  });

  it('fail when an entry is taken out, even with every digest recomputed', async () => {
    const { pack, publicKeyPem } = await packFixture();
    const entries = pack.entries.slice(1);
    const {
      bundleSha256: _b,
      signature,
      ...rest
    } = {
      ...pack,
      entries,
      eventsContentSha256: eventsContentSha256(entries),
    };
    const forged = { ...rest, bundleSha256: sha256Hex(canonicalJson(rest)), signature };
    const report = verifyPack(forged, publicKeyPem);
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.code)).toEqual(['pack_signature']);
    const unsigned: Record<string, unknown> = { ...pack };
    delete unsigned.signature;
    expect(verifyPack(unsigned, publicKeyPem).failures.map((f) => f.code)).toEqual([
      'pack_signature',
    ]);
  });

  it('treat malformed input as failures, never as exceptions', () => {
    for (const value of [
      null,
      42,
      'pack',
      [],
      { schema: 'govgate.evidence_pack.v1', entries: [{ seq: 'x' }] },
    ])
      expect(verifyPack(value, 'not a key').ok).toBe(false);
  });
});
