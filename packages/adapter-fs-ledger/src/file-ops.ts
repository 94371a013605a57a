import fs from 'node:fs';

/**
 * The file operations of the write path, on raw descriptors. The ledger uses them
 * through this seam so that tests can make a write, a sync or a truncate fail.
 */
export interface FileOps {
  /** `flags` as `fs.open` takes them: a string ('r', 'r+', 'w', 'a') or O_* bits. */
  open(path: string, flags: string | number): Promise<number>;
  /** Writes all of `data`, at `position` or (null) at the end of an append-mode file. */
  write(fd: number, data: Uint8Array, position: number | null): Promise<void>;
  /**
   * Writes a batch's lines into a segment at `position`. Segments are opened for
   * synchronous writes (O_DSYNC or O_SYNC), so the lines are on disk once it resolves.
   */
  writeData(fd: number, data: Uint8Array, position: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  size(fd: number): Promise<number>;
  close(fd: number): Promise<void>;
}

const done =
  (resolve: () => void, reject: (e: unknown) => void) =>
  (error: NodeJS.ErrnoException | null): void => {
    if (error === null) resolve();
    else reject(error);
  };

/** Writes all of `data` at `position`, or (null) at the end of an append-mode file. */
function writeAll(fd: number, data: Uint8Array, position: number | null): Promise<void> {
  return new Promise((resolve, reject) => {
    let offset = 0;
    const next = (): void => {
      fs.write(
        fd,
        data,
        offset,
        data.length - offset,
        position === null ? null : position + offset,
        (error, written) => {
          if (error !== null) return reject(error);
          if (written === 0) return reject(new Error('the write made no progress'));
          offset += written;
          if (offset < data.length) next();
          else resolve();
        },
      );
    };
    next();
  });
}

/** The callback API: cheaper per call than `fs/promises` FileHandles on the hot path. */
export const nodeFileOps: FileOps = {
  open: (path, flags) =>
    new Promise((resolve, reject) => {
      fs.open(path, flags, 0o644, (error, fd) => {
        if (error === null) resolve(fd);
        else reject(error);
      });
    }),
  write: writeAll,
  writeData: writeAll,
  fsync: (fd) => new Promise((resolve, reject) => fs.fsync(fd, done(resolve, reject))),
  ftruncate: (fd, length) =>
    new Promise((resolve, reject) => fs.ftruncate(fd, length, done(resolve, reject))),
  size: (fd) =>
    new Promise((resolve, reject) => {
      fs.fstat(fd, (error, stats) => {
        if (error === null) resolve(stats.size);
        else reject(error);
      });
    }),
  close: (fd) => new Promise((resolve, reject) => fs.close(fd, done(resolve, reject))),
};

/** Makes a directory's entries durable (a new file's name survives a crash). */
export async function syncDirectory(ops: FileOps, path: string): Promise<void> {
  const fd = await ops.open(path, 'r');
  try {
    await ops.fsync(fd);
  } finally {
    await ops.close(fd);
  }
}
