import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendRequest, StoredEntry } from '@govgate/core';
import { nodeFileOps, type FileOps } from '../file-ops.js';

/** A small decision entry; `n` makes each one different. */
export const note = (n: number): AppendRequest => ({
  type: 'decision',
  actor: 'test',
  data: { n, allowed: n % 2 === 0, reasons: ['r1', 'r2'] },
});

export const notes = (count: number, from = 1): AppendRequest[] =>
  Array.from({ length: count }, (_, i) => note(from + i));

export async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export const seqsOf = (stored: readonly StoredEntry[]): number[] => stored.map((s) => s.entry.seq);

/** Temporary directories, removed by `cleanup`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-fs-ledger-'));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

/** The real file operations, counting calls by name. */
export function countingOps(): { ops: FileOps; calls: Record<keyof FileOps, number> } {
  const calls = {
    open: 0,
    write: 0,
    writeData: 0,
    fsync: 0,
    ftruncate: 0,
    size: 0,
    close: 0,
  } satisfies Record<keyof FileOps, number>;
  const ops: FileOps = {
    open: (...a) => (calls.open++, nodeFileOps.open(...a)),
    write: (...a) => (calls.write++, nodeFileOps.write(...a)),
    writeData: (...a) => (calls.writeData++, nodeFileOps.writeData(...a)),
    fsync: (...a) => (calls.fsync++, nodeFileOps.fsync(...a)),
    ftruncate: (...a) => (calls.ftruncate++, nodeFileOps.ftruncate(...a)),
    size: (...a) => (calls.size++, nodeFileOps.size(...a)),
    close: (...a) => (calls.close++, nodeFileOps.close(...a)),
  };
  return { ops, calls };
}

export const ioError = (syscall: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: 'EIO', syscall });

/** Lets a test settle pending I/O callbacks and microtasks a few times over. */
export async function settle(turns = 5): Promise<void> {
  for (let n = 0; n < turns; n++) await new Promise((resolve) => setImmediate(resolve));
}
