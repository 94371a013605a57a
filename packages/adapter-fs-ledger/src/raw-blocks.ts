import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { blockLeafPiece, type LeafPiece, type RawBlock, type RawBlockOptions } from '@govgate/core';

const NEWLINE = 0x0a;
const LINE_END = Buffer.from([NEWLINE]);

/** Bytes read from a segment at a time (two such buffers per iteration, reused). */
const READ_BYTES = 1 << 20;

/**
 * Memory for blocks, reused: verifying a large chain moves gigabytes through blocks,
 * and memory that is allocated and dropped at that rate costs the garbage collector's
 * time and stays in the process's RSS until it is collected. `WorkerDigester` gives a
 * block's memory back here when a worker returns it with its answer. All buffers kept
 * have one size (`capacity`: the largest block seen, as a power of two), and only a
 * few MiB are kept.
 */
export class BlockMemory {
  private capacity = 1 << 12;
  private free: ArrayBuffer[] = [];
  /** Memory handed out: a block's, whole, can be moved to a worker. */
  private readonly handedOut = new WeakSet<ArrayBufferLike>();

  constructor(private readonly keepBytes = 8 << 20) {}

  /** A buffer of at least `size` bytes over memory of its own (transferable). */
  take(size: number): Buffer {
    if (size > this.capacity) {
      let capacity = this.capacity;
      while (capacity < size) capacity *= 2;
      this.capacity = capacity;
      this.free = [];
    }
    const memory = this.free.pop() ?? new ArrayBuffer(this.capacity);
    this.handedOut.add(memory);
    return Buffer.from(memory);
  }

  /** Buffers kept for reuse. */
  get kept(): number {
    return this.free.length;
  }

  /** Whether `memory` was handed out by `take` (no other view shares it). */
  owns(memory: ArrayBufferLike): boolean {
    return this.handedOut.has(memory);
  }

  /** A block's memory, once no one uses it, when it was handed out here. */
  release(bytes: Uint8Array): void {
    if (bytes.buffer instanceof ArrayBuffer && this.owns(bytes.buffer)) this.give(bytes.buffer);
  }

  /** Memory no one uses any more (a block's, once digested). */
  give(memory: ArrayBuffer): void {
    if (
      memory.byteLength === this.capacity &&
      (this.free.length + 1) * this.capacity <= this.keepBytes
    )
      this.free.push(memory);
  }
}

/** The memory `rawBlocks` takes its blocks from, and `WorkerDigester` gives back to. */
export const blockMemory = new BlockMemory();

/**
 * A block's leaf hashes and their group roots (core's `blockLeafPiece`) on this thread,
 * its memory given back.
 */
export function leavesHere(bytes: Uint8Array, memory: BlockMemory = blockMemory): LeafPiece {
  const piece = blockLeafPiece(bytes);
  memory.release(bytes);
  return piece;
}

/**
 * From entry `from` of a block on, entries are lines `line`, `line` + 1, … of file
 * `file` (an index into the files read).
 */
export interface Span {
  readonly from: number;
  readonly file: number;
  readonly line: number;
}

/** A RawBlock of segment lines, with where each entry is in its file. */
export interface FileBlock extends RawBlock {
  readonly spans: readonly Span[];
  /** Byte offset in its file of each entry's first byte. */
  readonly starts: readonly number[];
  /** …and of the byte after its '\n' (one past the file's end for a line it lacks). */
  readonly ends: readonly number[];
}

/** The span that entry `n` of a block is in. */
export function spanOf(spans: readonly Span[], n: number): Span {
  let span = spans[0] as Span;
  for (const s of spans) if (s.from <= n) span = s;
  return span;
}

/**
 * Gathers the bytes of consecutive lines into blocks. It is handed the byte stream in
 * pieces (`add`, which copies them) and told where each complete line ends (`entry`);
 * `take` cuts the block of the complete lines so far, and what follows them (a line
 * not yet ended) starts the next block, or is never taken.
 */
class BlockBuilder {
  /** The stream's bytes since the block began, possibly with part of a line after them. */
  private buffer: Buffer;
  private used = 0;
  private spans: Span[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  /** Bytes of the block's complete lines. */
  bytes = 0;
  count = 0;

  /** @param names the files' names, for locations */
  constructor(
    private readonly memory: BlockMemory,
    private readonly names: readonly string[],
  ) {
    this.buffer = memory.take(0);
  }

  add(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) {
      const bigger = this.memory.take(this.used + bytes.length);
      this.buffer.copy(bigger, 0, 0, this.used);
      this.buffer = bigger;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Line `line` of file `file`, bytes `start` to `end` there (with its '\n'), ends the bytes added so far. */
  entry(file: number, line: number, start: number, end: number): void {
    if (this.spans.at(-1)?.file !== file) this.spans.push({ from: this.count, file, line });
    this.starts.push(start);
    this.ends.push(end);
    this.count += 1;
    this.bytes += end - start;
  }

  /**
   * The block of the complete lines so far. Its bytes are the start of a buffer of its
   * own (a worker may take the buffer); what follows them moves to a new one.
   */
  take(): FileBlock {
    const rest = this.used - this.bytes;
    const next = this.memory.take(rest);
    this.buffer.copy(next, 0, this.bytes, this.used);
    const { spans, names } = this;
    const block: FileBlock = {
      bytes: this.buffer.subarray(0, this.bytes),
      count: this.count,
      location: (n) => {
        const span = spanOf(spans, n);
        return `${names[span.file] as string}:${span.line + n - span.from}`;
      },
      spans,
      starts: this.starts,
      ends: this.ends,
    };
    this.buffer = next;
    this.used = rest;
    this.spans = [];
    this.starts = [];
    this.ends = [];
    this.bytes = 0;
    this.count = 0;
    return block;
  }
}

/**
 * A file's bytes in chunks, read into two buffers in turn: the next chunk is read
 * while the consumer takes this one, which it must be done with when it asks for the
 * next. With `endAtZero` the file ends at its first zero byte (see `readChunks`). The
 * file stays open until the iteration ends or is returned.
 */
async function* chunksOf(path: string, endAtZero: boolean): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  const buffers = [Buffer.allocUnsafeSlow(READ_BYTES), Buffer.allocUnsafeSlow(READ_BYTES)];
  let turn = 0;
  let position = 0;
  let next = handle.read(buffers[0] as Buffer, 0, READ_BYTES, 0);
  try {
    for (;;) {
      const { bytesRead, buffer } = await next;
      if (bytesRead === 0) return;
      const chunk = buffer.subarray(0, bytesRead);
      const zero = endAtZero ? chunk.indexOf(0) : -1;
      if (zero !== -1) {
        if (zero > 0) yield chunk.subarray(0, zero);
        return;
      }
      position += bytesRead;
      turn ^= 1;
      next = handle.read(buffers[turn] as Buffer, 0, READ_BYTES, position);
      yield chunk;
    }
  } finally {
    await next.catch(() => undefined); // a read ahead finishes before the file is closed
    await handle.close();
  }
}

/**
 * A tenant's segment files as `FileBlock`s: the lines `RawEntries` yields, with the
 * same locations, in blocks cut as `options` says (see `RawBlockOptions`), each with
 * where its entries are in their files (for recovery, which rebuilds its index from
 * them). The bytes
 * are found and copied, never decoded, and blocks are made in `memory` (reused). As in
 * `RawEntries`, the last file ends at its first zero byte and its last line, if '\n'
 * does not end it, is left out; an earlier file's last line without '\n' is an entry
 * (one that fails verification), ended here by a '\n'. A file is open while it is
 * read: end the iteration or return it (`for await` does).
 *
 * @param dir the ledger directory
 * @param list the tenant's segment files, relative to `dir` and in order
 * @param unterminated when given, what to throw (given `file:line`) for an earlier
 *   file's last line without '\n', instead of taking it as an entry (for readers that
 *   need sound entries, not a verdict on them)
 */
export async function* rawBlocks(
  dir: string,
  list: () => Promise<readonly string[]>,
  options: RawBlockOptions,
  memory: BlockMemory = blockMemory,
  unterminated?: (location: string) => Error,
): AsyncGenerator<FileBlock, void, undefined> {
  const files = await list();
  const builder = new BlockBuilder(memory, files);
  let position = 0; // entries so far: blocks end at multiples of options.entries
  for (let f = 0; f < files.length; f++) {
    const file = files[f] as string;
    const last = f === files.length - 1;
    let line = 1;
    let offset = 0; // file offset of the chunk being split
    let lineStart = 0; // file offset of the line being read
    /** The blocks that the lines ending in `chunk` complete. */
    const split = function* (chunk: Buffer): Generator<FileBlock, void, undefined> {
      let from = 0; // the chunk's bytes before this are added to the builder
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, nl + 1)) {
        const end = offset + nl + 1;
        const length = end - lineStart;
        if (builder.count > 0 && builder.bytes + length > options.bytes) {
          builder.add(chunk.subarray(from, nl + 1));
          from = nl + 1;
          yield builder.take(); // without this line, which starts the next block
        }
        builder.entry(f, line, lineStart, end);
        line += 1;
        lineStart = end;
        position += 1;
        if (position % options.entries === 0) {
          builder.add(chunk.subarray(from, nl + 1));
          from = nl + 1;
          yield builder.take();
        }
      }
      builder.add(chunk.subarray(from));
      offset += chunk.length;
    };
    for await (const chunk of chunksOf(join(dir, file), last)) yield* split(chunk);
    // A last line that no '\n' ends is an entry to be found bad in an earlier file; in
    // the last one it is being written (or was torn), and no block takes its bytes.
    if (lineStart < offset && !last) {
      if (unterminated !== undefined) throw unterminated(`${file}:${line}`);
      yield* split(LINE_END);
    }
  }
  if (builder.count > 0) yield builder.take();
}
