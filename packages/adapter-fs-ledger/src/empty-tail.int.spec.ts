import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { withoutEmptyTail, zerosOnly } from './layout.js';
import { TempDirs } from './testing/helpers.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('withoutEmptyTail', () => {
  it('given segments at the end that are empty or hold only zeros, then they are left out, but the first', async () => {
    const dir = await temp.make();
    await mkdir(join(dir, 'acme'));
    const tenantDir = join(dir, 'acme');
    await writeFile(join(tenantDir, '00000001.jsonl'), 'a\n');
    await writeFile(join(tenantDir, '00000002.jsonl'), '');
    await writeFile(join(tenantDir, '00000003.jsonl'), Buffer.alloc(3 << 20)); // past a read
    expect(await withoutEmptyTail(tenantDir, [1, 2, 3])).toEqual([1]);
    // a zero-filled segment with one byte of data at its very end holds something
    const tail = Buffer.alloc(3 << 20);
    tail[tail.length - 1] = 0x61;
    await writeFile(join(tenantDir, '00000003.jsonl'), tail);
    expect(await withoutEmptyTail(tenantDir, [1, 2, 3])).toEqual([1, 2, 3]);
    // only empty ones: the first is kept
    expect(await withoutEmptyTail(tenantDir, [2])).toEqual([2]);
    expect(await zerosOnly(join(tenantDir, '00000003.jsonl'), 0, 3 << 20)).toBe(false);
    expect(await zerosOnly(join(tenantDir, '00000003.jsonl'), 0, (3 << 20) - 1)).toBe(true);
  });
});
