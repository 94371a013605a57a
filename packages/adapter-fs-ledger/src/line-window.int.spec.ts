import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readLineWindow, readLines } from './lines.js';
import { FsLedger } from './fs-ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'govgate-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readLineWindow', () => {
  const file = join(dir, 'lines.jsonl');
  // long and short lines, multi-byte text, and a torn last line
  const texts = Array.from(
    { length: 300 },
    (_, i) => `{"n":${i},"t":"${'é'.repeat(i % 7 === 0 ? 40_000 : i % 13)}"}`,
  );
  writeFileSync(file, `${texts.join('\n')}\n{"torn":`);

  it('returns exactly the lines readLines gives for the same range', async () => {
    const handle = await open(file, 'r');
    const all = [];
    for await (const chunk of readLines(file)) all.push(...chunk);
    for (const [skip, count] of [
      [0, 1],
      [5, 3],
      [6, 2],
      [120, 64],
      [299, 1],
    ] as const) {
      const window = await readLineWindow(handle, { offset: 0, number: 1 }, skip, count);
      expect(window).toEqual(all.slice(skip, skip + count));
    }
    await handle.close();
  });

  it('starts from an offset and line number, and stops short at the end of the file', async () => {
    const handle = await open(file, 'r');
    const all = [];
    for await (const chunk of readLines(file)) all.push(...chunk);
    const from = all[100]!;
    expect(
      await readLineWindow(handle, { offset: from.offset, number: from.number }, 2, 1),
    ).toEqual([all[102]]);
    const tail = await readLineWindow(
      handle,
      { offset: from.offset, number: from.number },
      195,
      10,
    );
    expect(tail).toEqual(all.slice(295, 300)); // the torn line is never returned
    await handle.close();
  });
});

describe('FsLedger point reads', () => {
  it('read any single entry and short ranges exactly as a full read does', async () => {
    const ledger = await FsLedger.open({ dir: join(dir, 'ledger'), segmentMaxBytes: 64 * 1024 });
    try {
      for (let i = 0; i < 10; i++)
        await ledger.append(
          'acme',
          Array.from({ length: 100 }, (_, j) => ({
            type: 'decision',
            actor: 'k',
            data: { n: i * 100 + j },
          })),
        );
      const all = [];
      for await (const stored of ledger.read('acme')) all.push(stored);
      expect(all).toHaveLength(1000);
      for (const seq of [1, 2, 63, 64, 65, 128, 500, 999, 1000]) {
        const one = [];
        for await (const stored of ledger.read('acme', { fromSeq: seq, limit: 1 }))
          one.push(stored);
        expect(one).toEqual([all[seq - 1]]);
      }
      // ranges that cross a segment boundary fall back to the general reader
      for (const from of [1, 90, 200, 930]) {
        const some = [];
        for await (const stored of ledger.read('acme', { fromSeq: from, limit: 40 }))
          some.push(stored);
        expect(some).toEqual(all.slice(from - 1, from - 1 + 40).slice(0, 1000 - from + 1));
      }
    } finally {
      await ledger.close();
    }
  });
});
