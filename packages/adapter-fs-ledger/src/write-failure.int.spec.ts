import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GovgateError, verifyLedger } from '@govgate/core';
import { FsLedger, openFsLedger } from './fs-ledger.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import { TempDirs, ioError, note, notes } from './testing/helpers.js';

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
  /** The next data sync fails. */
  sync: boolean;
  /** Every truncate fails. */
  truncate: boolean;
}

/** A ledger of tenant acme with 3 entries whose next writes can be made to fail. */
async function faultyLedger(): Promise<{ ledger: FsLedger; faults: Faults; size: number }> {
  const faults: Faults = { write: false, sync: false, truncate: false };
  const ops: FileOps = {
    ...nodeFileOps,
    write: async (fd, data, position) => {
      // Data lines are appended (position null); HEAD records are written at 0.
      if (!faults.write || position !== null) return nodeFileOps.write(fd, data, position);
      faults.write = false;
      await nodeFileOps.write(fd, data.subarray(0, data.length >> 1), null);
      throw ioError('write');
    },
    fdatasync: (fd) => {
      if (!faults.sync) return nodeFileOps.fdatasync(fd);
      faults.sync = false;
      return Promise.reject(ioError('fdatasync'));
    },
    ftruncate: (fd, length) =>
      faults.truncate ? Promise.reject(ioError('ftruncate')) : nodeFileOps.ftruncate(fd, length),
  };
  const ledger = await openFsLedger({ dir: await temp.make() }, ops);
  open.push(ledger);
  await ledger.append('acme', notes(3));
  return { ledger, faults, size: (await stat(join(ledger.dir, SEGMENT))).size };
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
    expect((await stat(join(ledger.dir, SEGMENT))).size).toBe(size);
    expect((await ledger.head('acme')).size).toBe(3);
  });

  it('given a failed write that was undone, when appending again, then the chain continues from the last durable entry', async () => {
    const { ledger, faults } = await faultyLedger();
    faults.write = true;
    await rejections([ledger.append('acme', [note(4)])]);
    expect(await ledger.append('acme', [note(4)])).toMatchObject([{ seq: 4 }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
  });

  it('given a sync that fails, when appending, then the append is rejected and the segment cut back', async () => {
    const { ledger, faults, size } = await faultyLedger();
    faults.sync = true;
    const [error] = await rejections([ledger.append('acme', [note(4)])]);
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((await stat(join(ledger.dir, SEGMENT))).size).toBe(size);
  });

  it('given a failed write that cannot be undone, when appending afterwards, then every append is refused', async () => {
    const { ledger, faults } = await faultyLedger();
    faults.write = true;
    faults.truncate = true;
    await rejections([ledger.append('acme', [note(4)])]);
    const [later] = await rejections([ledger.append('other', [note(1)])]);
    expect(GovgateError.is(later, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((later as Error).message).toContain('could not be undone');
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
