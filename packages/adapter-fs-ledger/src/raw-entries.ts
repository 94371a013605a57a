import { join } from 'node:path';
import type { RawEntry } from '@govgate/core';
import { readLines, type Line } from './lines.js';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Every line of a tenant's segment files as a `RawEntry`, in file order; the last file
 * ends at its first zero byte (see `readLines`), and a last line not ended by '\n' is
 * left out. Lines are read a chunk at a time and
 * handed out from memory, so a `next()` answered from the current chunk costs one
 * settled promise rather than an async generator's step (verification calls it once
 * per entry). Calls made while a chunk is being read wait for it, in order.
 */
export class RawEntries implements AsyncIterableIterator<RawEntry> {
  private files: readonly string[] | undefined;
  private file = -1;
  private chunks: AsyncGenerator<Line[], void, undefined> | undefined;
  private lines: Line[] = [];
  private at = 0;
  private finished = false;
  private reading: Promise<unknown> | undefined;

  /**
   * @param dir the ledger directory
   * @param list the tenant's segment files, relative to `dir` and in order (called once)
   */
  constructor(
    private readonly dir: string,
    private readonly list: () => Promise<readonly string[]>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<RawEntry, undefined>> {
    if (this.reading === undefined) {
      const line = this.lines[this.at];
      if (line?.terminated === true) {
        this.at += 1;
        return Promise.resolve({ done: false, value: this.entry(line) });
      }
    }
    const read =
      this.reading === undefined ? this.advance() : this.reading.then(() => this.advance());
    this.reading = read;
    const settled = (): void => {
      if (this.reading === read) this.reading = undefined;
    };
    read.then(settled, settled);
    return read;
  }

  return(): Promise<IteratorResult<RawEntry, undefined>> {
    this.finished = true;
    this.lines = [];
    const chunks = this.chunks;
    this.chunks = undefined;
    return (chunks?.return() ?? Promise.resolve()).then(() => DONE);
  }

  private entry(line: Line): RawEntry {
    const file = this.files?.[this.file] as string;
    return { bytes: line.text, location: `${file}:${line.number}` };
  }

  private async advance(): Promise<IteratorResult<RawEntry, undefined>> {
    for (;;) {
      if (this.finished) return DONE;
      const line = this.lines[this.at];
      if (line !== undefined) {
        this.at += 1;
        const files = this.files as readonly string[];
        if (!line.terminated && this.file === files.length - 1) {
          // A last line still being written, or torn by a crash (cut on the next open).
          this.finished = true;
          return DONE;
        }
        return { done: false, value: this.entry(line) };
      }
      if (this.chunks === undefined) {
        this.files ??= await this.list();
        this.file += 1;
        const file = this.files[this.file];
        if (file === undefined) {
          this.finished = true;
          return DONE;
        }
        this.chunks = readLines(
          join(this.dir, file),
          {},
          { endAtZero: this.file === this.files.length - 1 },
        );
      }
      const chunk = await this.chunks.next();
      if (chunk.done === true) this.chunks = undefined;
      else {
        this.lines = chunk.value;
        this.at = 0;
      }
    }
  }
}
