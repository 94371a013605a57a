import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GovgateError, verifyLedger } from '@govgate/core';
import { FsLedger, openFsLedger } from './fs-ledger.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import { TempDirs, all, ioError, note, notes, settle } from './testing/helpers.js';

const temp = new TempDirs();
const open: FsLedger[] = [];
afterEach(async () => {
  for (const ledger of open.splice(0)) await ledger.close().catch(() => undefined);
  await temp.cleanup();
});

const SEGMENT = 'acme/00000001.jsonl';

interface Faults {
  /** The next data write writes half its bytes, then fails. */
  write: boolean;
  /**
   * The next data write writes all its bytes, then fails (as when the disk fails the
   * flush that makes a synchronous write durable).
   */
  flush: boolean;
  /** Every truncate fails. */
  truncate: boolean;
  /** Data writes attempted. */
  writes: number;
}

/**
 * Where the entries of tenant acme's segment end: at its first zero byte (the writer
 * reserves the segment's length ahead), or its end. The length must stay reserved.
 */
async function entriesEnd(ledger: FsLedger): Promise<number> {
  const path = join(ledger.dir, SEGMENT);
  expect((await stat(path)).size).toBe(64 * 1024 * 1024);
  const bytes = await readFile(path);
  const zero = bytes.indexOf(0);
  return zero === -1 ? bytes.length : zero;
}

/** A ledger of tenant acme with 3 entries whose next writes can be made to fail. */
async function faultyLedger(): Promise<{ ledger: FsLedger; faults: Faults; size: number }> {
  const faults: Faults = { write: false, flush: false, truncate: false, writes: 0 };
  const ops: FileOps = {
    ...nodeFileOps,
    writeData: async (fd, data, position) => {
      faults.writes += 1;
      if (faults.flush) {
        faults.flush = false;
        await nodeFileOps.writeData(fd, data, position);
        throw ioError('write');
      }
      if (!faults.write) return nodeFileOps.writeData(fd, data, position);
      faults.write = false;
      await nodeFileOps.writeData(fd, data.subarray(0, data.length >> 1), position);
      throw ioError('write');
    },
    ftruncate: (fd, length) =>
      faults.truncate ? Promise.reject(ioError('ftruncate')) : nodeFileOps.ftruncate(fd, length),
  };
  const ledger = await openFsLedger({ dir: await temp.make() }, ops);
  open.push(ledger);
  await ledger.append('acme', notes(3));
  return { ledger, faults, size: await entriesEnd(ledger) };
}

const rejections = (promises: Promise<unknown>[]): Promise<unknown[]> =>
  Promise.all(
    promises.map((p) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      ),
    ),
  );

describe('a write that fails', () => {
  it('given a write failing halfway, when appending, then every append of the batch is rejected with LEDGER_UNAVAILABLE and its cause', async () => {
    const { ledger, faults } = await faultyLedger();
    faults.write = true;
    const errors = await rejections([
      ledger.append('acme', [note(4)]),
      ledger.append('acme', [note(5)]),
    ]);
    for (const error of errors) {
      expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
      expect((error as Error).cause).toMatchObject({ code: 'EIO' });
    }
  });

  it('given a write failing halfway, when appending, then the segment is cut back to its length before the batch', async () => {
    const { ledger, faults, size } = await faultyLedger();
    faults.write = true;
    await rejections([ledger.append('acme', notes(4, 4))]);
    expect(await entriesEnd(ledger)).toBe(size);
    expect((await ledger.head('acme')).size).toBe(3);
  });

  it('given a failed write that was undone, when appending again, then the chain continues from the last durable entry', async () => {
    const { ledger, faults } = await faultyLedger();
    faults.write = true;
    await rejections([ledger.append('acme', [note(4)])]);
    expect(await ledger.append('acme', [note(4)])).toMatchObject([{ seq: 4 }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
  });

  it('given a write that fails after its bytes reached the file, when appending, then the append is rejected and the segment cut back', async () => {
    const { ledger, faults, size } = await faultyLedger();
    faults.flush = true;
    const [error] = await rejections([ledger.append('acme', [note(4)])]);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect(await entriesEnd(ledger)).toBe(size);
  });

  it('given a failed write that cannot be undone, when appending afterwards, then every append is refused', async () => {
    const { ledger, faults } = await faultyLedger();
    faults.write = true;
    faults.truncate = true;
    await rejections([ledger.append('acme', [note(4)])]);
    const [later] = await rejections([ledger.append('other', [note(1)])]);
    expect(GovgateError.is(later, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((later as Error).message).toContain('could not be undone');
    expect(ledger.failureReason).toContain('could not be undone');
  });

  it('given a failed write that could not be undone, when reopened, then its half line is cut as a torn tail and the chain verifies', async () => {
    const { ledger, faults } = await faultyLedger();
    faults.write = true;
    faults.truncate = true;
    await rejections([ledger.append('acme', [note(4)])]);
    await ledger.close();
    const reopened = await FsLedger.open({ dir: ledger.dir });
    open.push(reopened);
    expect(reopened.openReport.repairs).toHaveLength(1);
    expect(await verifyLedger(reopened, 'acme')).toMatchObject({ ok: true, checked: 3 });
  });
});

/** Waits until `done()` holds, looking again every millisecond or so (real I/O is slow). */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !done(); turn++)
    await new Promise((resolve) => setTimeout(resolve, 1));
  if (!done()) throw new Error('the condition never held');
}

/**
 * A ledger of tenant acme with 3 entries whose later data writes run `beforeWrite(n)`
 * first (n counts from 1); its rejection fails that write, with nothing written.
 */
async function pipelinedLedger(beforeWrite: (n: number) => Promise<void>): Promise<{
  ledger: FsLedger;
  size: number;
  counts: { dataWrites: number; written: number };
}> {
  const counts = { dataWrites: 0, written: 0 };
  let armed = false;
  const ops: FileOps = {
    ...nodeFileOps,
    writeData: async (fd, data, position) => {
      if (!armed) return nodeFileOps.writeData(fd, data, position);
      await beforeWrite(++counts.dataWrites);
      await nodeFileOps.writeData(fd, data, position);
      counts.written += 1;
    },
  };
  const ledger = await openFsLedger({ dir: await temp.make() }, ops);
  open.push(ledger);
  await ledger.append('acme', notes(3));
  armed = true;
  return { ledger, counts, size: await entriesEnd(ledger) };
}

describe('a failure with a later batch in flight (appends made together are written as two batches)', () => {
  it('given batch N failing its write after N+1 was written beside it, when settled, then both are rejected, the segment is cut back before N and the head is unchanged', async () => {
    const { ledger, size, counts } = await pipelinedLedger(async (n) => {
      if (n !== 1) return;
      await until(() => counts.written >= 1);
      throw ioError('write');
    });
    const errors = await rejections([
      ledger.append('acme', [note(4)]),
      ledger.append('acme', [note(5)]),
    ]);
    expect(counts).toEqual({ dataWrites: 2, written: 1 });
    for (const error of errors) {
      expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
      expect((error as Error).cause).toMatchObject({ code: 'EIO', syscall: 'write' });
    }
    expect(await entriesEnd(ledger)).toBe(size);
    expect(await ledger.head('acme')).toEqual({
      size: 3,
      hash: (await verifyLedger(ledger, 'acme')).headHash,
    });
    expect(await all(ledger.read('acme'))).toHaveLength(3);
  });

  it('given batch N failing its write while N+1 is in flight, when appending afterwards, then the chain continues from entry 3 and verifies after reopening', async () => {
    const { ledger, counts } = await pipelinedLedger(async (n) => {
      if (n !== 1) return;
      await until(() => counts.written >= 1);
      throw ioError('write');
    });
    await rejections([ledger.append('acme', [note(4)]), ledger.append('acme', [note(5)])]);
    expect(await ledger.append('acme', [note(4)])).toMatchObject([{ seq: 4 }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
    await ledger.close();
    const reopened = await FsLedger.open({ dir: ledger.dir });
    open.push(reopened);
    expect(reopened.openReport.repairs).toEqual([]);
    expect(await verifyLedger(reopened, 'acme')).toMatchObject({ ok: true, checked: 4 });
  });

  it('given batch N+1 failing its write while N was written, when settled, then N is acknowledged, N+1 rejected, and the segment ends after N', async () => {
    const { ledger } = await pipelinedLedger((n) =>
      n === 2 ? Promise.reject(ioError('write')) : Promise.resolve(),
    );
    const [first, second] = await Promise.allSettled([
      ledger.append('acme', [note(4)]),
      ledger.append('acme', [note(5)]),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: [{ seq: 4 }] });
    expect(second).toMatchObject({ status: 'rejected' });
    expect((await ledger.head('acme')).size).toBe(4);
    const report = await verifyLedger(ledger, 'acme');
    expect(report).toMatchObject({ ok: true, checked: 4 });
    expect(await ledger.append('acme', [note(5)])).toMatchObject([{ seq: 5 }]);
  });

  it('given batch N failing its write halfway with N+1 beside it, when settled, then both are rejected and the segment is cut back before N', async () => {
    const { ledger, faults, size } = await faultyLedger();
    faults.write = true;
    faults.writes = 0;
    const errors = await rejections([
      ledger.append('acme', [note(4)]),
      ledger.append('acme', [note(5)]),
    ]);
    expect(faults.writes).toBe(2);
    for (const error of errors) {
      expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
      expect((error as Error).cause).toMatchObject({ code: 'EIO', syscall: 'write' });
    }
    expect(await entriesEnd(ledger)).toBe(size);
    expect(await ledger.append('acme', [note(4)])).toMatchObject([{ seq: 4 }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
  });

  it('given batch N+1 on disk before N, when settled, then N+1 is acknowledged only after N', async () => {
    const resolved: number[] = [];
    let duringFirst: { written: number; resolved: number[] } | undefined;
    const { ledger, counts } = await pipelinedLedger(async (n) => {
      if (n !== 1) return;
      await until(() => counts.written >= 1);
      await settle(10);
      duringFirst = { written: counts.written, resolved: [...resolved] };
    });
    await Promise.all([
      ledger.append('acme', [note(4)]).then((e) => resolved.push(e[0]?.seq ?? 0)),
      ledger.append('acme', [note(5)]).then((e) => resolved.push(e[0]?.seq ?? 0)),
    ]);
    // N+1 was durable while N was still being written, and waited for it
    expect(duringFirst).toEqual({ written: 1, resolved: [] });
    expect(counts.written).toBe(2);
    expect(resolved).toEqual([4, 5]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 5 });
  });
});

describe('writes failing at random while batches are in flight', () => {
  it('given 16 appenders, small segments and 1 in 6 writes failing (halfway or after writing), when done, then exactly the acknowledged entries are in the chain and it reopens clean', async () => {
    let seed = 42;
    const chance = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ops: FileOps = {
      ...nodeFileOps,
      writeData: async (fd, data, position) => {
        const roll = chance();
        if (roll < 1 / 12) {
          await nodeFileOps.writeData(fd, data.subarray(0, data.length >> 1), position);
          throw ioError('write');
        }
        await nodeFileOps.writeData(fd, data, position);
        if (roll < 2 / 12) throw ioError('write');
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make(), segmentMaxBytes: 2048 }, ops);
    open.push(ledger);
    const acknowledged = new Map<number, string>();
    let rejected = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, appender) => {
        for (let i = 0; i < 20; i++) {
          try {
            const entries = await ledger.append('acme', notes(1 + (i % 3), appender * 100 + i));
            for (const entry of entries) acknowledged.set(entry.seq, entry.hash);
          } catch (error) {
            expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
            rejected += 1;
          }
        }
      }),
    );
    expect(rejected).toBeGreaterThan(0);
    const stored = await all(ledger.read('acme'));
    expect(stored.map((s) => [s.entry.seq, s.entry.hash])).toEqual(
      [...acknowledged].sort(([a], [b]) => a - b),
    );
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({
      ok: true,
      checked: acknowledged.size,
    });
    await ledger.close();
    const reopened = await FsLedger.open({ dir: ledger.dir });
    open.push(reopened);
    expect(reopened.openReport).toMatchObject({ entries: acknowledged.size, repairs: [] });
  });
});

describe('a reservation that fails (the sync after a segment’s length is set)', () => {
  /** A ledger whose syncs after a length is reserved fail while `arm`ed. */
  async function reservingLedger(segmentMaxBytes = 64 * 1024 * 1024): Promise<{
    ledger: FsLedger;
    arm: (failures: number) => void;
    failed: () => number;
  }> {
    const reserved = new Set<number>();
    let left = 0;
    let failed = 0;
    const ops: FileOps = {
      ...nodeFileOps,
      ftruncate: async (fd, length) => {
        await nodeFileOps.ftruncate(fd, length);
        if (length === segmentMaxBytes) reserved.add(fd);
      },
      fsync: async (fd) => {
        if (reserved.delete(fd) && left > 0) {
          left -= 1;
          failed += 1;
          throw ioError('fsync');
        }
        return nodeFileOps.fsync(fd);
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make(), segmentMaxBytes }, ops);
    open.push(ledger);
    return { ledger, arm: (failures) => (left = failures), failed: () => failed };
  }

  it('given a new tenant’s first segment, when its reservation fails, then that append is rejected and the next ones go through', async () => {
    const { ledger, arm, failed } = await reservingLedger();
    arm(1);
    const [error] = await rejections([ledger.append('acme', [note(1)])]);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect(failed()).toBe(1);
    expect(await ledger.append('acme', [note(1)])).toMatchObject([{ seq: 1 }]);
    expect(await ledger.append('acme', [note(2)])).toMatchObject([{ seq: 2 }]);
    await ledger.close();
    const reopened = await FsLedger.open({ dir: ledger.dir });
    open.push(reopened);
    expect(reopened.openReport).toMatchObject({ entries: 2, repairs: [] });
  });

  it('given a rotation whose reservation fails, when appending on, then the rotation is tried again (never reported corrupt) and the chain reopens clean', async () => {
    const { ledger, arm, failed } = await reservingLedger(1500);
    await ledger.append('acme', notes(3));
    arm(1);
    const errors: unknown[] = [];
    let acknowledged = 3;
    for (let n = 4; n <= 40; n++) {
      try {
        await ledger.append('acme', [note(n)]);
        acknowledged += 1;
      } catch (error) {
        errors.push(error);
      }
    }
    expect(failed()).toBe(1);
    expect(errors).toHaveLength(1);
    expect(GovgateError.is(errors[0], 'LEDGER_UNAVAILABLE')).toBe(true);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: acknowledged });
    await ledger.close();
    const reopened = await FsLedger.open({ dir: ledger.dir });
    open.push(reopened);
    expect(reopened.openReport).toMatchObject({ entries: acknowledged, repairs: [] });
  });
});
