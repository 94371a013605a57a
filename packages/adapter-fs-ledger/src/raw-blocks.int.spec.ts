import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { blockEntries, type RawBlock, type RawBlockOptions, type RawEntry } from '@govgate/core';
import { seededRandom as random } from '@govgate/core/testing';
import { BlockMemory, rawBlocks } from './raw-blocks.js';
import { RawEntries } from './raw-entries.js';
import { TempDirs, all } from './testing/helpers.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** A ledger directory holding tenant acme's files with the given contents, in order. */
async function files(
  contents: Record<string, string>,
): Promise<{ dir: string; list: () => Promise<string[]> }> {
  const dir = await temp.make();
  await mkdir(join(dir, 'acme'));
  for (const [name, text] of Object.entries(contents))
    await writeFile(join(dir, 'acme', name), text);
  return { dir, list: () => Promise.resolve(Object.keys(contents).map((n) => `acme/${n}`)) };
}

/** Each entry of the blocks, as RawEntries gives it. */
function unpacked(blocks: readonly RawBlock[]): RawEntry[] {
  return blocks.flatMap((block) => {
    const entries = blockEntries(block.bytes);
    expect(entries).toHaveLength(block.count);
    return entries.map((bytes, n) => ({ bytes, location: block.location(n) }));
  });
}

/** Checks the cut rule of RawBlockOptions over blocks read in order. */
function expectCuts(blocks: readonly RawBlock[], options: RawBlockOptions): void {
  let position = 0;
  blocks.forEach((block, n) => {
    expect(block.count).toBeGreaterThan(0);
    if (block.count > 1) expect(block.bytes.length).toBeLessThanOrEqual(options.bytes);
    const end = position + block.count;
    // no block passes a multiple of `entries`; a block ends early only for size (or at the end)
    expect(Math.floor((end - 1) / options.entries)).toBe(Math.floor(position / options.entries));
    const last = n === blocks.length - 1;
    if (!last && end % options.entries !== 0) {
      const next = blocks[n + 1] as RawBlock;
      const firstOfNext = next.bytes.indexOf(0x0a) + 1;
      expect(block.bytes.length + firstOfNext).toBeGreaterThan(options.bytes);
    }
    position = end;
  });
}

describe('rawBlocks', () => {
  it('gives the entries RawEntries gives, with their locations, cut as asked, for random files', async () => {
    const next = random(1201);
    const alphabet = ['a', 'b', '{', '"', 'é', '🎉', 'x'];
    // lines are cut from this text (random characters, some of several bytes)
    const source = Array.from(
      { length: 4000 },
      () => alphabet[Math.floor(next() * alphabet.length)] as string,
    ).join('');
    for (let round = 0; round < 40; round++) {
      const large = round % 10 === 9; // files past a read of 1 MiB (multi-byte characters), lines across reads
      const contents: Record<string, string> = {};
      const fileCount = Math.floor(next() * 4);
      for (let f = 1; f <= fileCount; f++) {
        const count = large ? 700 + Math.floor(next() * 400) : Math.floor(next() * 40);
        const lines = Array.from({ length: count }, () => {
          const length = large ? 500 + Math.floor(next() * 1000) : Math.floor(next() * 30);
          const from = Math.floor(next() * (source.length - length));
          return source.slice(from, from + length);
        });
        let text = lines.map((line) => `${line}\n`).join('');
        if (next() < 0.3) text += 'unterminated'; // a torn last line
        if (next() < 0.2) {
          // a hole: zero bytes, then more lines
          const at = Math.floor(next() * text.length);
          text = `${text.slice(0, at)}\0\0\0${text.slice(at)}`;
        }
        contents[`${String(f).padStart(8, '0')}.jsonl`] = text;
      }
      const { dir, list } = await files(contents);
      const options: RawBlockOptions = {
        entries: 2 ** Math.floor(next() * 6),
        bytes: large ? 50_000 + Math.floor(next() * 2_000_000) : 1 + Math.floor(next() * 400),
      };
      const blocks = await all(rawBlocks(dir, list, options, new BlockMemory()));
      // one string each: comparing thousands of long entries one by one is slow in jest
      const text = (entries: readonly RawEntry[]): string =>
        entries.map((e) => `${e.location} ${e.bytes}`).join('\n');
      expect(`round ${round}\n${text(unpacked(blocks))}`).toBe(
        `round ${round}\n${text(await all(new RawEntries(dir, list)))}`,
      );
      expectCuts(blocks, options);
    }
  }, 60_000);

  it('ends an earlier file’s unterminated last line as an entry and leaves the last file’s out', async () => {
    const { dir, list } = await files({
      '00000001.jsonl': 'a\n{"torn',
      '00000002.jsonl': 'b\nc\0\0\nd\n',
      '00000003.jsonl': 'e\n{"being written',
    });
    const blocks = await all(rawBlocks(dir, list, { entries: 2, bytes: 1 << 20 }));
    expect(blocks.map((b) => Buffer.from(b.bytes).toString())).toEqual([
      'a\n{"torn\n',
      'b\nc\0\0\n',
      'd\ne\n',
    ]);
    expect(unpacked(blocks).map((e) => e.location)).toEqual([
      'acme/00000001.jsonl:1',
      'acme/00000001.jsonl:2',
      'acme/00000002.jsonl:1',
      'acme/00000002.jsonl:2',
      'acme/00000002.jsonl:3',
      'acme/00000003.jsonl:1',
    ]);
  });

  it('gives nothing for no files or empty ones', async () => {
    for (const contents of [{}, { '00000001.jsonl': '' }, { '00000001.jsonl': '\0\0a\n' }]) {
      const { dir, list } = await files(contents);
      expect(await all(rawBlocks(dir, list, { entries: 4, bytes: 100 }))).toEqual([]);
    }
  });

  it('puts a line longer than the size limit in a block of its own', async () => {
    const long = 'x'.repeat(3_000_000);
    const { dir, list } = await files({ '00000001.jsonl': `a\n${long}\nb\n` });
    const blocks = await all(rawBlocks(dir, list, { entries: 64, bytes: 1 << 20 }));
    expect(blocks.map((b) => b.count)).toEqual([1, 1, 1]);
    expect(blocks[1]?.bytes.length).toBe(long.length + 1);
  });

  it('closes the file it reads when the iteration is returned early', async () => {
    const { dir, list } = await files({
      '00000001.jsonl': Array.from({ length: 30_000 }, (_, n) => `${n}`.padEnd(80, 'x')).join('\n'),
    });
    const before = (await readdir('/proc/self/fd')).length;
    const blocks = rawBlocks(dir, list, { entries: 16, bytes: 1 << 20 });
    expect((await blocks.next()).done).toBe(false);
    expect((await readdir('/proc/self/fd')).length).toBeGreaterThan(before);
    await blocks.return();
    expect((await readdir('/proc/self/fd')).length).toBe(before);
  });

  it('rejects with the cause when a file cannot be read', async () => {
    const dir = await temp.make();
    const blocks = rawBlocks(dir, () => Promise.resolve(['acme/00000001.jsonl']), {
      entries: 4,
      bytes: 100,
    });
    await expect(all(blocks)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('BlockMemory', () => {
  it('reuses memory given back, keeps only a few buffers of one size, and knows what it handed out', () => {
    const memory = new BlockMemory(3 << 18);
    const first = memory.take(200_000);
    expect(first.buffer.byteLength).toBe(1 << 18);
    expect(memory.owns(first.buffer)).toBe(true);
    expect(memory.owns(new ArrayBuffer(1 << 18))).toBe(false);
    memory.give(first.buffer as ArrayBuffer);
    expect(memory.take(100).buffer).toBe(first.buffer);
    // at most keepBytes are kept
    const buffers = Array.from({ length: 5 }, () => memory.take(1).buffer as ArrayBuffer);
    for (const b of buffers) memory.give(b);
    expect(new Set(Array.from({ length: 5 }, () => memory.take(1).buffer)).size).toBe(5);
    expect(buffers.filter((b) => memory.owns(b))).toHaveLength(5);
    // a larger block raises the size; memory of the old size is no longer kept
    const big = memory.take(700_000);
    expect(big.buffer.byteLength).toBe(1 << 20);
    memory.give(buffers[0] as ArrayBuffer);
    expect(memory.take(1).buffer).not.toBe(buffers[0]);
    // nor one buffer of the new size, which alone is more than keepBytes
    memory.give(big.buffer as ArrayBuffer);
    expect(memory.take(1).buffer).not.toBe(big.buffer);
    const roomy = new BlockMemory(4 << 20);
    const large = roomy.take(700_000);
    roomy.give(large.buffer as ArrayBuffer);
    expect(roomy.take(1).buffer).toBe(large.buffer);
  });
});
