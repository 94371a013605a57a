import { open, type FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;

/** One line of a segment file. */
export interface Line {
  /** The line's text, without its '\n'. */
  readonly text: string;
  /** 1-based line number in the file. */
  readonly number: number;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  /** Byte length of the line including its '\n' (when terminated). */
  readonly length: number;
  /** False for bytes after the file's last '\n': a line still being written, or torn. */
  readonly terminated: boolean;
}

/**
 * Splits a stream of byte chunks into lines on '\n'. Splitting bytes rather than
 * text is safe for UTF-8: 0x0a never occurs inside a multi-byte sequence, so a
 * character cut between two chunks is reassembled before it is decoded.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private offset: number;
  private number: number;

  /** @param start byte offset and line number of the first byte that will be pushed */
  constructor(start: { offset?: number; number?: number } = {}) {
    this.offset = start.offset ?? 0;
    this.number = start.number ?? 1;
  }

  /** The lines that `chunk` completes, in order. */
  push(chunk: Buffer): Line[] {
    const lines: Line[] = [];
    let from = 0;
    let nl = chunk.indexOf(NEWLINE, from);
    while (nl !== -1) {
      let text: string;
      let length: number;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(0, nl));
        text = Buffer.concat(this.pending).toString('utf8');
        length = this.pendingBytes + nl + 1;
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        text = chunk.toString('utf8', from, nl);
        length = nl - from + 1;
      }
      lines.push({ text, number: this.number, offset: this.offset, length, terminated: true });
      this.number += 1;
      this.offset += length;
      from = nl + 1;
      nl = chunk.indexOf(NEWLINE, from);
    }
    if (from < chunk.length) {
      this.pending.push(chunk.subarray(from));
      this.pendingBytes += chunk.length - from;
    }
    return lines;
  }

  /** What follows the last '\n' pushed, as an unterminated line, if anything does. */
  end(): Line | undefined {
    if (this.pendingBytes === 0) return undefined;
    const text = Buffer.concat(this.pending).toString('utf8');
    const line: Line = {
      text,
      number: this.number,
      offset: this.offset,
      length: this.pendingBytes,
      terminated: false,
    };
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}

const CHUNK_BYTES = 512 * 1024;

/** Reads up to CHUNK_BYTES at `position`; empty at the end of the file. */
async function readChunk(path: string, position: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Streams a file's bytes from `position` in chunks of up to CHUNK_BYTES, reading the
 * next chunk while the consumer takes this one. With `endAtZero` the file ends at its
 * first zero byte: in the last segment, a hole between batches written side by side
 * (the one behind was written first, or a crash lost the one before). The file is
 * opened for each chunk and closed again, so an iteration its consumer abandons without
 * `return()` (core's `verifyLedger` stops that way at the first failure) holds no file
 * descriptor.
 */
export async function* readChunks(
  path: string,
  position = 0,
  options: { endAtZero?: boolean } = {},
): AsyncGenerator<Buffer, void, undefined> {
  let next = readChunk(path, position);
  for (;;) {
    const chunk = await next;
    if (chunk.length === 0) return;
    const zero = options.endAtZero === true ? chunk.indexOf(0) : -1;
    if (zero !== -1) {
      if (zero > 0) yield chunk.subarray(0, zero);
      return;
    }
    position += chunk.length;
    // Read ahead while this chunk is consumed. Marked handled: if the consumer stops
    // here, nobody awaits it (it closes its file by itself).
    next = readChunk(path, position);
    next.catch(() => undefined);
    yield chunk;
  }
}

/**
 * Streams the lines of a file from a byte offset with flat memory (one chunk and one
 * partial line at a time), a chunk's worth of lines at a time: consumers pay for one
 * asynchronous step per chunk, not per line. The last line comes with
 * `terminated: false` when the file does not end in '\n'. With `endAtZero` the file
 * ends at its first zero byte (see `readChunks`), and the line holding it is
 * unterminated.
 */
export async function* readLines(
  path: string,
  start: { offset?: number; number?: number } = {},
  options: { endAtZero?: boolean } = {},
): AsyncGenerator<Line[], void, undefined> {
  const splitter = new LineSplitter(start);
  for await (const chunk of readChunks(path, start.offset ?? 0, options)) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const rest = splitter.end();
  if (rest !== undefined) yield [rest];
}

/**
 * The lines `skip`+1 … `skip`+`count` after a byte offset of a file, read with as few
 * bytes as it takes: for short ranges (one entry, a few) found through a mark, where
 * `readLines` would split and decode every line between the mark and the range. Only
 * the wanted lines are decoded. Fewer lines come back when the file ends first (the
 * caller reads the rest the general way). The handle stays open (the caller's).
 */
export async function readLineWindow(
  handle: FileHandle,
  start: { offset: number; number: number },
  skip: number,
  count: number,
): Promise<Line[]> {
  {
    const lines: Line[] = [];
    let buffer = Buffer.allocUnsafe(64 * 1024);
    let filled = 0; // bytes of `buffer` holding file content from `base`
    let base = start.offset; // file offset of buffer[0]
    let at = 0; // start of the current line in `buffer`
    let number = start.number;
    let seen = 0; // lines passed so far
    for (;;) {
      let nl = buffer.indexOf(NEWLINE, at);
      while (nl !== -1 && nl < filled) {
        if (seen >= skip) {
          lines.push({
            text: buffer.toString('utf8', at, nl),
            number,
            offset: base + at,
            length: nl - at + 1,
            terminated: true,
          });
          if (lines.length === count) return lines;
        }
        seen += 1;
        number += 1;
        at = nl + 1;
        nl = buffer.indexOf(NEWLINE, at);
      }
      // keep the unfinished line, make room, read on
      if (at > 0) {
        buffer.copy(buffer, 0, at, filled);
        filled -= at;
        base += at;
        at = 0;
      }
      if (filled === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(
        buffer,
        filled,
        buffer.length - filled,
        base + filled,
      );
      if (bytesRead === 0) return lines;
      filled += bytesRead;
    }
  }
}
