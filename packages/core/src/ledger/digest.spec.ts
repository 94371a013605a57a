import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InMemoryLedger } from '../testing/in-memory-ledger.js';
import type { ChunkDigest, EntryDigesterPort, LedgerPort, RawBlock } from '../ports.js';
import { appendCheckpoint, ed25519Signer, type SignedCheckpoint } from './checkpoint.js';
import { blockEntries, digestBlock, digestEntries, inThreadDigester } from './digest.js';
import type { AppendRequest } from './entry.js';
import { MerkleFrontier, MerkleTree, leafHashHex } from './merkle.js';
import { verifyLedger, type VerifyOptions } from './verify.js';
import { seededRandom as random } from '../testing/seeded-random.js';

const { privateKey } = generateKeyPairSync('ed25519');
const signer = ed25519Signer(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

const request = (n: number): AppendRequest => ({
  type: 'decision',
  actor: `key_${n % 5}`,
  ...(n % 3 === 0 ? { subject: `run "${n}"` } : {}),
  data: { n, allowed: n % 4 !== 0, text: n % 7 === 0 ? 'ünïcödé 🎉' : 'plain' },
});

/** A chain of `size` entries, every `checkpointEvery`th a checkpoint; the one at `forgeAt` names a wrong tree. */
async function chain(
  size: number,
  checkpointEvery = 0,
  forgeAt = 0,
  /** Numbers the requests from here: chains with other bases never share an entry. */
  base = 0,
): Promise<{ ledger: InMemoryLedger; lines: string[]; checkpoints: SignedCheckpoint[] }> {
  const ledger = new InMemoryLedger();
  const checkpoints: SignedCheckpoint[] = [];
  for (let n = 1; n <= size; n++) {
    if (n === forgeAt)
      await ledger.append('acme', [
        { type: 'checkpoint', actor: 'system', data: { size: n - 1, root: 'f'.repeat(64) } },
      ]);
    else if (checkpointEvery > 0 && n % checkpointEvery === 0)
      checkpoints.push((await appendCheckpoint(ledger, 'acme', signer)).checkpoint);
    else await ledger.append('acme', [request(base + n)]);
  }
  const lines: string[] = [];
  for await (const raw of ledger.readRaw('acme')) lines.push(raw.bytes);
  return { ledger, lines, checkpoints };
}

describe('digestEntries', () => {
  it('passes a sound run and gives its hashes, leaves and root', async () => {
    const { lines } = await chain(13, 5);
    const digest = digestEntries(lines, 'acme');
    const tree = new MerkleTree();
    for (const line of lines) tree.append(Buffer.from(leafHashHex(line), 'hex'));
    expect(digest).toEqual({
      good: 13,
      firstSeq: 1,
      firstPrev: '0'.repeat(64),
      hashes: lines.map((l) => (JSON.parse(l) as { hash: string }).hash).join(''),
      leaves: lines.map(leafHashHex).join(''),
      root: tree.root().toString('hex'),
      checkpoints: [4, 9],
      checkpointBytes: [lines[4], lines[9]],
      unpassed: [],
    });
    // a run from the middle of a chain starts where it starts
    expect(digestEntries(lines.slice(6), 'acme')).toMatchObject({
      good: 7,
      firstSeq: 7,
      firstPrev: (JSON.parse(lines[5] as string) as { hash: string }).hash,
    });
  });

  it('stops at the first entry that does not hold on its own or against the one before', async () => {
    const { lines } = await chain(8);
    const at = (n: number, line: string): string[] => lines.map((l, i) => (i === n ? line : l));
    const changed = (lines[3] as string).replace('"n":4', '"n":5');
    expect(digestEntries(at(3, changed), 'acme').good).toBe(3); // its own hash
    expect(digestEntries(at(3, '{"not":"an entry"}'), 'acme').good).toBe(3);
    expect(digestEntries(at(3, lines[2] as string), 'acme').good).toBe(3); // a duplicate
    expect(digestEntries([...lines.slice(0, 3), ...lines.slice(4)], 'acme').good).toBe(3); // a gap
    expect(digestEntries(lines, 'other').good).toBe(0); // another tenant's
    const other = await chain(8, 0, 0, 1000);
    expect(digestEntries([...lines.slice(0, 4), ...other.lines.slice(4)], 'acme').good).toBe(4);
    expect(digestEntries([], 'acme')).toMatchObject({ good: 0, hashes: '', leaves: '' });
  });

  it('is offered only in runs of a power of two', () => {
    expect(() => inThreadDigester(3)).toThrow(RangeError);
    expect(inThreadDigester(8)).toMatchObject({ chunkSize: 8, concurrency: 2, minEntries: 0 });
  });
});

describe('MerkleFrontier.appendTreeHex', () => {
  it('adds a perfect subtree as its leaves one by one would', () => {
    const leaves = Array.from({ length: 64 }, (_, n) => leafHashHex(`entry ${n}`));
    for (const size of [1, 2, 4, 8, 16])
      for (let start = 0; start + size <= 48; start += size) {
        const oneByOne = new MerkleFrontier();
        const withTree = new MerkleFrontier();
        leaves.slice(0, start).forEach((l) => (oneByOne.appendHex(l), withTree.appendHex(l)));
        const part = new MerkleFrontier();
        leaves.slice(start, start + size).forEach((l) => part.appendHex(l));
        leaves.slice(start, start + size).forEach((l) => oneByOne.appendHex(l));
        withTree.appendTreeHex(part.rootHex(), size);
        expect(withTree.size).toBe(oneByOne.size);
        expect(withTree.rootHex()).toBe(oneByOne.rootHex());
        withTree.appendHex(leaves[63] as string);
        oneByOne.appendHex(leaves[63] as string);
        expect(withTree.rootHex()).toBe(oneByOne.rootHex());
      }
  });

  it('refuses a subtree that is not one of the tree’s', () => {
    const frontier = new MerkleFrontier();
    frontier.appendHex(leafHashHex('a'));
    expect(() => frontier.appendTreeHex(leafHashHex('b'), 2)).toThrow(/cannot start at leaf 1/);
    expect(() => frontier.appendTreeHex(leafHashHex('b'), 3)).toThrow(/power of two/);
  });
});

/**
 * The ledger with `readRawBlocks` as a backend would write it: its raw entries, UTF-8
 * with a '\n' after each, cut where `RawBlockOptions` says. `cuts` records each
 * block's entry count.
 */
function withBlocks(
  ledger: InMemoryLedger,
  cuts: number[] = [],
): Pick<LedgerPort, 'readRaw' | 'head' | 'readRawBlocks'> {
  return {
    head: (tenant) => ledger.head(tenant),
    readRaw: (tenant) => ledger.readRaw(tenant),
    readRawBlocks: async function* (tenant, options) {
      let entries: Buffer[] = [];
      let locations: string[] = [];
      let bytes = 0;
      let position = 0;
      const block = (): RawBlock => {
        const taken = locations;
        const out: RawBlock = {
          bytes: Buffer.concat(entries),
          count: entries.length,
          location: (n) => taken[n] as string,
        };
        cuts.push(entries.length);
        entries = [];
        locations = [];
        bytes = 0;
        return out;
      };
      for await (const raw of ledger.readRaw(tenant)) {
        const line = Buffer.from(`${raw.bytes}\n`);
        if (entries.length > 0 && bytes + line.length > options.bytes) yield block();
        entries.push(line);
        locations.push(raw.location);
        bytes += line.length;
        if (++position % options.entries === 0) yield block();
      }
      if (entries.length > 0) yield block();
    },
  };
}

describe('blockEntries and digestBlock', () => {
  it('read a block’s entries as digestEntries is given them', async () => {
    const { lines } = await chain(20);
    const block = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    expect(blockEntries(block)).toEqual(lines);
    expect(blockEntries(block, 2)).toEqual(lines.slice(0, 2));
    expect(digestBlock(block, 'acme')).toEqual(digestEntries(lines, 'acme'));
    // bytes after the last '\n' are no entry; an empty line is one (that fails)
    expect(blockEntries(Buffer.from('a\n\nb'))).toEqual(['a', '']);
    expect(blockEntries(new Uint8Array(0))).toEqual([]);
    // a view into a larger buffer is read from its own offset
    const whole = Buffer.from(`xx${lines[0]}\nyy`);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 2);
    expect(blockEntries(view)).toEqual([lines[0]]);
  });
});

describe('verifyLedger with a digester', () => {
  /** A digester that digests in this thread but answers out of order, like a pool. */
  function shuffled(chunkSize: number, concurrency: number, next: () => number): EntryDigesterPort {
    const inner = inThreadDigester(chunkSize, concurrency);
    return {
      chunkSize,
      concurrency,
      minEntries: 0,
      digest: (bytes, tenant) =>
        new Promise<ChunkDigest>((resolve, reject) => {
          // answered after 0 to 2 turns of the event loop: later runs may be answered first
          let turns = Math.floor(next() * 3);
          const answer = (): void => {
            if (turns-- > 0) setImmediate(answer);
            else inner.digest(bytes, tenant).then(resolve, reject);
          };
          answer();
        }),
    };
  }

  it('reports exactly what verifying entry by entry reports, for 400 random chains and tamperings', async () => {
    const next = random(20261201);
    const kinds = new Set<string>();
    for (let round = 0; round < 400; round++) {
      const size = 1 + Math.floor(next() * 70);
      const forgeAt = next() < 0.1 ? 1 + Math.floor(next() * size) : 0;
      const { ledger, lines, checkpoints } = await chain(
        size,
        2 + Math.floor(next() * 20),
        forgeAt,
      );
      const pick = (): number => 1 + Math.floor(next() * size);
      switch (Math.floor(next() * 9)) {
        case 0:
          break; // untouched
        case 1: {
          const seq = pick();
          const bytes = lines[seq - 1] as string;
          const at = Math.floor(next() * bytes.length);
          const flipped = bytes[at] === 'a' ? 'b' : 'a';
          await ledger.tamper.rewrite(
            'acme',
            seq,
            bytes.slice(0, at) + flipped + bytes.slice(at + 1),
          );
          break;
        }
        case 2:
          await ledger.tamper.remove('acme', pick());
          break;
        case 3:
          await ledger.tamper.swap('acme', pick(), pick());
          break;
        case 4: {
          const seq = pick();
          await ledger.tamper.insertAfter('acme', seq, lines[seq - 1] as string);
          break;
        }
        case 5:
          await ledger.tamper.truncate('acme', pick() - 1);
          break;
        case 6: {
          const other = await chain(size, 0, 0, 1000);
          const seq = pick();
          await ledger.tamper.rewrite('acme', seq, other.lines[seq - 1] as string);
          break;
        }
        case 7: {
          const seq = pick();
          const moved = (lines[seq - 1] as string).replace('"tenant":"acme"', '"tenant":"acmf"');
          await ledger.tamper.rewrite('acme', seq, moved);
          break;
        }
        default:
          await ledger.tamper.rewrite('acme', pick(), '{"seq":');
      }
      const options: VerifyOptions = {
        progressEvery: 1 + Math.floor(next() * 9),
        ...(checkpoints.length > 0 && next() < 0.5
          ? { trusted: checkpoints[Math.floor(next() * checkpoints.length)] as SignedCheckpoint }
          : {}),
      };
      const progress: number[] = [];
      const expected = await verifyLedger(ledger, 'acme', {
        ...options,
        onProgress: (n) => progress.push(n),
      });
      kinds.add(expected.failure?.kind ?? 'ok');
      for (const chunkSize of [1, 2, 4, 8, 16]) {
        const seen: number[] = [];
        const digester = shuffled(chunkSize, 1 + Math.floor(next() * 4), next);
        const report = await verifyLedger(ledger, 'acme', {
          ...options,
          digester,
          onProgress: (n) => seen.push(n),
        });
        expect({ round, chunkSize, report }).toEqual({ round, chunkSize, report: expected });
        // a run taken whole reports its progress marks once it is taken: the same marks
        expect(seen).toEqual(progress);
        // read in blocks: digested whole (digestBlock), or split for `digest`
        const inner = shuffled(chunkSize, 1 + Math.floor(next() * 4), next);
        const blockwise: EntryDigesterPort = {
          ...inner,
          digestBlock: (bytes, tenant) => inner.digest(blockEntries(bytes), tenant),
        };
        for (const using of [blockwise, inner]) {
          const fromBlocks = await verifyLedger(withBlocks(ledger), 'acme', {
            ...options,
            digester: using,
          });
          expect({ round, chunkSize, fromBlocks }).toEqual({
            round,
            chunkSize,
            fromBlocks: expected,
          });
        }
      }
    }
    // the rounds reach every way a chain can go wrong here, and sound chains
    expect([...kinds].sort()).toEqual(
      [
        'broken_link',
        'checkpoint_mismatch',
        'duplicate',
        'gap',
        'hash_mismatch',
        'ok',
        'reorder',
        'tenant_mismatch',
        'truncated',
        'unparseable',
      ].sort(),
    );
  }, 60_000);

  it('leaves a chain shorter than minEntries, and deep verification, to itself', async () => {
    const { ledger } = await chain(8);
    let runs = 0;
    const counting = (minEntries: number): EntryDigesterPort => ({
      ...inThreadDigester(4),
      minEntries,
      digest: (bytes, tenant) => (runs++, Promise.resolve(digestEntries(bytes, tenant))),
    });
    expect(await verifyLedger(ledger, 'acme', { digester: counting(9) })).toMatchObject({
      ok: true,
      checked: 8,
    });
    expect(runs).toBe(0);
    await verifyLedger(ledger, 'acme', { digester: counting(8), deep: true });
    expect(runs).toBe(0);
    await verifyLedger(ledger, 'acme', { digester: counting(8) });
    expect(runs).toBe(2);
  });

  it('cuts runs of large entries by size, and aligns the next run with the tree again', async () => {
    // 40 entries of about 200,000 characters: a run is cut at 4 MiB after 20 entries; the
    // next ends at 32 (not one of the tree's perfect subtrees), the last holds the rest.
    const ledger = new InMemoryLedger();
    for (let n = 0; n < 40; n++)
      await ledger.append('acme', [
        { type: 'decision', actor: 'a', data: { blob: `${n}`.padEnd(200_000, 'x') } },
      ]);
    const sizes: number[] = [];
    const digester: EntryDigesterPort = {
      ...inThreadDigester(32),
      digest: (bytes, tenant) => (
        sizes.push(bytes.length),
        Promise.resolve(digestEntries(bytes, tenant))
      ),
    };
    const expected = await verifyLedger(ledger, 'acme');
    expect(await verifyLedger(ledger, 'acme', { digester })).toEqual(expected);
    expect(expected).toMatchObject({ ok: true, checked: 40 });
    expect(sizes).toEqual([20, 12, 8]);
  });

  it('reads blocks only with a digester, and hands each block’s bytes over once', async () => {
    const { ledger } = await chain(40);
    const cuts: number[] = [];
    const given: number[] = [];
    const digester: EntryDigesterPort = {
      ...inThreadDigester(16),
      digest: () => Promise.reject(new Error('only blocks are expected')),
      digestBlock: (bytes, tenant) => {
        given.push(blockEntries(bytes).length);
        return Promise.resolve(digestBlock(bytes, tenant));
      },
    };
    const expected = await verifyLedger(ledger, 'acme');
    expect(await verifyLedger(withBlocks(ledger, cuts), 'acme', { digester })).toEqual(expected);
    expect(cuts).toEqual([16, 16, 8]);
    expect(given).toEqual([16, 16, 8]);
    cuts.length = 0;
    // without a digester (or with deep) entries are read one by one
    expect(await verifyLedger(withBlocks(ledger, cuts), 'acme')).toEqual(expected);
    expect(await verifyLedger(withBlocks(ledger, cuts), 'acme', { digester, deep: true })).toEqual(
      expected,
    );
    expect(cuts).toEqual([]);
  });

  it('reports a bad entry read before a failed read, and the failed read after sound ones', async () => {
    const { lines } = await chain(300);
    const failingAfter = (bad: number | undefined) => ({
      head: () => Promise.resolve({ size: 300, hash: 'f'.repeat(64) }),
      readRaw: async function* () {
        for (let n = 0; n < 200; n++) {
          const bytes = await Promise.resolve(n === bad ? '{"seq":' : (lines[n] as string));
          yield { bytes, location: `line ${n + 1}` };
        }
        throw new Error('EIO: the disk failed'); // the 201st read
      },
    });
    for (const digester of [undefined, inThreadDigester(64)]) {
      const options = digester === undefined ? {} : { digester };
      expect((await verifyLedger(failingAfter(150), 'acme', options)).failure).toMatchObject({
        seq: 151,
        kind: 'unparseable',
        location: 'line 151',
      });
      await expect(verifyLedger(failingAfter(undefined), 'acme', options)).rejects.toThrow(
        'EIO: the disk failed',
      );
    }
  });

  it('refuses a progressEvery that is not a positive integer, naming it', async () => {
    const { ledger } = await chain(4);
    for (const progressEvery of [0, -4, 2.5, Number.NaN])
      await expect(verifyLedger(ledger, 'acme', { progressEvery })).rejects.toMatchObject({
        code: 'REQUEST_INVALID',
        details: [{ pointer: '/progressEvery' }],
      });
  });

  it('keeps no run it sent, and fails rather than pass when an answer stops at an entry that holds', async () => {
    const { ledger } = await chain(16);
    const lying: EntryDigesterPort = {
      ...inThreadDigester(8),
      digest: (bytes, tenant) => {
        const honest = digestEntries(bytes, tenant);
        // claims the run's fourth entry failed, handing back the entries from there
        return Promise.resolve({ ...honest, good: 3, unpassed: bytes.slice(3, 5) });
      },
    };
    await expect(verifyLedger(ledger, 'acme', { digester: lying })).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      message: expect.stringMatching(/stopped at entry 4, which holds/),
    });
  });

  it('passes a digester’s failure on instead of reporting the chain', async () => {
    const { ledger } = await chain(8);
    const failing: EntryDigesterPort = {
      chunkSize: 4,
      concurrency: 2,
      minEntries: 0,
      digest: () => Promise.reject(new Error('the worker stopped')),
    };
    await expect(verifyLedger(ledger, 'acme', { digester: failing })).rejects.toThrow(
      'the worker stopped',
    );
  });
});
