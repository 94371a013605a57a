import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { RawEntries } from './raw-entries.js';
import { TempDirs, all } from './testing/helpers.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** A ledger directory holding tenant acme's files with the given contents. */
async function files(contents: Record<string, string>): Promise<RawEntries> {
  const dir = await temp.make();
  await mkdir(join(dir, 'acme'));
  for (const [name, text] of Object.entries(contents))
    await writeFile(join(dir, 'acme', name), text);
  return new RawEntries(dir, () => Promise.resolve(Object.keys(contents).map((n) => `acme/${n}`)));
}

describe('RawEntries', () => {
  it('given two files, when iterated, then every line comes in file order with its location', async () => {
    const entries = await files({ '00000001.jsonl': 'a\nb\n', '00000002.jsonl': 'c\n' });
    expect(await all(entries)).toEqual([
      { bytes: 'a', location: 'acme/00000001.jsonl:1' },
      { bytes: 'b', location: 'acme/00000001.jsonl:2' },
      { bytes: 'c', location: 'acme/00000002.jsonl:1' },
    ]);
  });

  it('given a last file not ending in a newline, when iterated, then its last line is left out', async () => {
    const entries = await files({ '00000001.jsonl': 'a\n', '00000002.jsonl': 'b\n{"torn' });
    expect((await all(entries)).map((e) => e.bytes)).toEqual(['a', 'b']);
  });

  it('given an earlier file not ending in a newline, when iterated, then its last line is kept for verification to reject', async () => {
    const entries = await files({ '00000001.jsonl': 'a\n{"torn', '00000002.jsonl': 'b\n' });
    expect(await all(entries)).toEqual([
      { bytes: 'a', location: 'acme/00000001.jsonl:1' },
      { bytes: '{"torn', location: 'acme/00000001.jsonl:2' },
      { bytes: 'b', location: 'acme/00000002.jsonl:1' },
    ]);
  });

  it('given a hole in the last file (a batch written beside one still being written), when iterated, then the entries end at it', async () => {
    const entries = await files({
      '00000001.jsonl': 'a\n',
      '00000002.jsonl': 'b\nc\0\0\0\0\nd\n\0\0e\n',
    });
    expect((await all(entries)).map((e) => e.bytes)).toEqual(['a', 'b']);
  });

  it('given a hole past the first chunk read of a long last file, when iterated, then the entries end at it', async () => {
    const lines = Array.from({ length: 7_000 }, (_, n) => `${n}`.padEnd(99, 'x'));
    const entries = await files({
      '00000001.jsonl': `${lines.join('\n')}\n${'\0'.repeat(4096)}after\n`,
    });
    expect((await all(entries)).map((e) => e.bytes)).toEqual(lines);
  });

  it('given a hole in an earlier file, when iterated, then its lines are kept for verification to reject', async () => {
    const entries = await files({ '00000001.jsonl': 'a\n\0\0\nb\n', '00000002.jsonl': 'c\n' });
    expect((await all(entries)).map((e) => e.bytes)).toEqual(['a', '\0\0', 'b', 'c']);
  });

  it('given no files, when iterated, then nothing comes', async () => {
    expect(await all(await files({}))).toEqual([]);
  });

  it('given lines longer than a read, when iterated, then they come whole', async () => {
    const long = 'x'.repeat(1_300_000);
    const entries = await files({ '00000001.jsonl': `${long}\nb\n` });
    expect((await all(entries)).map((e) => e.bytes.length)).toEqual([long.length, 1]);
  });

  it('given next() called several times without waiting, when they settle, then they come in order and then done', async () => {
    const entries = await files({ '00000001.jsonl': 'a\nb\n', '00000002.jsonl': 'c\n' });
    const results = await Promise.all(Array.from({ length: 5 }, () => entries.next()));
    expect(results).toEqual([
      { done: false, value: { bytes: 'a', location: 'acme/00000001.jsonl:1' } },
      { done: false, value: { bytes: 'b', location: 'acme/00000001.jsonl:2' } },
      { done: false, value: { bytes: 'c', location: 'acme/00000002.jsonl:1' } },
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('given a file that cannot be read, when iterated, then next() rejects with the cause', async () => {
    const dir = await temp.make();
    const entries = new RawEntries(dir, () => Promise.resolve(['acme/00000001.jsonl']));
    const [first, second] = await Promise.allSettled([entries.next(), entries.next()]);
    expect(first).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT' } });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT' } });
  });

  it('given an iteration stopped by return(), when next() is called, then it is done', async () => {
    const entries = await files({ '00000001.jsonl': 'a\nb\nc\n' });
    expect(await entries.next()).toMatchObject({ done: false, value: { bytes: 'a' } });
    expect(await entries.return()).toEqual({ done: true, value: undefined });
    expect(await entries.next()).toEqual({ done: true, value: undefined });
  });
});
