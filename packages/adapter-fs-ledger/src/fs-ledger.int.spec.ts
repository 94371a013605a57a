import { constants } from 'node:fs';
import { readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GovgateError, LEDGER, verifyLedger, type LedgerPort } from '@govgate/core';
import { Container } from 'inversify';
import { FsLedger, openFsLedger, type FsLedgerOptions } from './fs-ledger.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import { fsLedgerModule } from './module.js';
import { outputOf, spawnChild } from './testing/spawn-child.js';
import {
  TempDirs,
  all,
  countingOps,
  ioError,
  note,
  notes,
  seqsOf,
  settle,
} from './testing/helpers.js';

const temp = new TempDirs();
const open: FsLedger[] = [];

async function openLedger(
  options: Partial<Parameters<typeof FsLedger.open>[0]> = {},
): Promise<FsLedger> {
  const ledger = await FsLedger.open({ dir: options.dir ?? (await temp.make()), ...options });
  open.push(ledger);
  return ledger;
}

afterEach(async () => {
  for (const ledger of open.splice(0)) await ledger.close().catch(() => undefined);
  await temp.cleanup();
});

/**
 * A ledger of tenant acme holding one entry, whose next batch's data write (the one
 * right after that entry) waits until `release()` before it writes; `counts` tells the
 * data writes issued and done since, and `writes` their offsets and lengths (in the
 * order issued, which need not be seq order: each batch in flight has a descriptor of
 * its own, opened when first needed).
 */
async function gatedLedger(options: Omit<FsLedgerOptions, 'dir'>): Promise<{
  ledger: FsLedger;
  counts: { dataWrites: number; done: number };
  writes: { position: number; length: number }[];
  release: () => void;
}> {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let armed = false;
  let gatedAt = -1;
  let entriesEnd = 0;
  const counts = { dataWrites: 0, done: 0 };
  const writes: { position: number; length: number }[] = [];
  const ledger = await openFsLedger(
    { dir: await temp.make(), ...options },
    {
      ...nodeFileOps,
      writeData: async (fd, data, position) => {
        if (!armed) {
          entriesEnd = position + data.length;
          return nodeFileOps.writeData(fd, data, position);
        }
        writes.push({ position, length: data.length });
        counts.dataWrites += 1;
        if (position === gatedAt) await gate;
        await nodeFileOps.writeData(fd, data, position);
        counts.done += 1;
      },
    },
  );
  open.push(ledger);
  await ledger.append('acme', [note(0)]); // creates the tenant's files
  gatedAt = entriesEnd; // where the next batch is written
  armed = true;
  return { ledger, counts, writes, release };
}

/** The real `open`, adding the descriptors it opens on segment files to `fds`. */
const openNoting =
  (fds: Set<number>): FileOps['open'] =>
  async (path, how) => {
    const fd = await nodeFileOps.open(path, how);
    if (path.endsWith('.jsonl')) fds.add(fd);
    return fd;
  };

/** Waits (real I/O) until `n` data writes were made. */
async function written(counts: { dataWrites: number }, n: number): Promise<void> {
  for (let turn = 0; turn < 10_000 && counts.dataWrites < n; turn++)
    await new Promise((resolve) => setTimeout(resolve, 1));
}

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

describe('FsLedger.open', () => {
  it('given a directory path under a regular file, when opened, then it fails at once with LEDGER_UNAVAILABLE naming the directory', async () => {
    // chmod does not stop root; no user can create a directory under a regular file.
    const file = join(await temp.make(), 'file');
    await writeFile(file, 'not a directory');
    const dir = join(file, 'ledger');
    const error = await failureOf(FsLedger.open({ dir }));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain(`ledger directory '${dir}' is not writable`);
  });

  it('given a missing directory, when opened, then it is created with a LOCK naming this process', async () => {
    const dir = join(await temp.make(), 'a', 'b');
    await openLedger({ dir });
    const lock = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
  });

  it('given invalid options, when opened, then it fails naming each of them', async () => {
    const error = await failureOf(
      FsLedger.open({ dir: await temp.make(), maxBatchEntries: 0, segmentMaxBytes: 1.5 }),
    );
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/maxBatchEntries.*segmentMaxBytes/);
  });

  it('given a missing directory, when opened read-only, then it fails with LEDGER_UNAVAILABLE and creates nothing', async () => {
    const dir = join(await temp.make(), 'absent');
    const error = await failureOf(FsLedger.open({ dir, readOnly: true }));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the single-writer lock', () => {
  it('given another live process holds the directory, when it opens it, then it is refused with LEDGER_LOCKED naming the holder pid', async () => {
    const ledger = await openLedger();
    const { stdout, code } = await outputOf(spawnChild('open', ledger.dir));
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^LEDGER_LOCKED .*locked by pid ${process.pid} `));
  });

  it('given this process holds the directory, when it opens it again, then LEDGER_LOCKED names this pid', async () => {
    const ledger = await openLedger();
    const error = await failureOf(FsLedger.open({ dir: ledger.dir }));
    expect(GovgateError.is(error, 'LEDGER_LOCKED')).toBe(true);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
  });

  it('given a lock left by a process that exited without closing, when opened, then the stale lock is taken over', async () => {
    const dir = await temp.make();
    const { stdout } = await outputOf(spawnChild('hold', dir));
    expect(stdout).toBe('open\n');
    const left = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { pid: number };
    expect(left.pid).not.toBe(process.pid);
    await openLedger({ dir });
    const now = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { pid: number };
    expect(now.pid).toBe(process.pid);
  });

  it('given this process holds the directory, when it opens it again through a symbolic link, then LEDGER_LOCKED', async () => {
    const ledger = await openLedger();
    const link = join(await temp.make(), 'link');
    await symlink(ledger.dir, link);
    const error = await failureOf(FsLedger.open({ dir: link }));
    expect(GovgateError.is(error, 'LEDGER_LOCKED')).toBe(true);
  });

  it('given a lock naming this pid that this process does not hold (an earlier process with the same pid), when opened, then it is taken over', async () => {
    const dir = await temp.make();
    await writeFile(
      join(dir, 'LOCK'),
      JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00Z' }),
    );
    await openLedger({ dir });
    const now = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { startedAt: string };
    expect(now.startedAt).not.toBe('2020-01-01T00:00:00Z');
  });

  it('given a lock taken on another host, when opened, then LEDGER_LOCKED names that host', async () => {
    const dir = await temp.make();
    await writeFile(
      join(dir, 'LOCK'),
      JSON.stringify({ pid: 999_999, hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00Z' }),
    );
    const error = await failureOf(FsLedger.open({ dir }));
    expect(GovgateError.is(error, 'LEDGER_LOCKED')).toBe(true);
    expect((error as Error).message).toContain("pid 999999 on host 'elsewhere'");
  });

  it('given an open ledger, when closed, then its LOCK is removed', async () => {
    const ledger = await openLedger();
    await ledger.close();
    expect(await readdir(ledger.dir)).not.toContain('LOCK');
  });
});

describe('appending', () => {
  it('given one batch in flight at a time, when appends made together are written, then they share one write', async () => {
    const { ops, calls } = countingOps();
    const ledger = await openFsLedger({ dir: await temp.make(), maxBatchesInFlight: 1 }, ops);
    open.push(ledger);
    await ledger.append('acme', [note(0)]); // creates the tenant's files
    calls.writeData = 0;
    await Promise.all(Array.from({ length: 100 }, (_, n) => ledger.append('acme', [note(n)])));
    expect(calls.writeData).toBe(1);
  });

  it('given two batches in flight (the default), when appends made together are written, then they share two writes', async () => {
    const { ops, calls } = countingOps();
    const ledger = await openFsLedger({ dir: await temp.make() }, ops);
    open.push(ledger);
    await ledger.append('acme', [note(0)]);
    calls.writeData = 0;
    await Promise.all(Array.from({ length: 100 }, (_, n) => ledger.append('acme', [note(n)])));
    expect(calls.writeData).toBe(2);
  });

  it('given a batch being written, when more appends are queued, then the next batch is written beside it and acknowledged after it', async () => {
    const { ledger, counts, release } = await gatedLedger({});
    const settled: number[] = [];
    const first = ledger.append('acme', [note(1)]).then((e) => settled.push(e[0]?.seq ?? 0));
    const second = ledger.append('acme', [note(2)]).then((e) => settled.push(e[0]?.seq ?? 0));
    try {
      await written(counts, 2);
      for (let turn = 0; turn < 10_000 && counts.done < 1; turn++) await settle(1);
      await settle(20);
      // the second batch is on disk, and waits for the first
      expect({ ...counts, settled }).toEqual({ dataWrites: 2, done: 1, settled: [] });
      expect((await ledger.head('acme')).size).toBe(1);
    } finally {
      release();
    }
    await Promise.all([first, second]);
    expect(settled).toEqual([2, 3]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 3 });
  });

  it('given batches written side by side, when issued, then each starts where the one before it ends', async () => {
    const { ledger, counts, writes, release } = await gatedLedger({
      maxBatchesInFlight: 3,
      maxBatchEntries: 1,
    });
    const appends = [1, 2, 3].map((n) => ledger.append('acme', [note(n)]));
    await written(counts, 3);
    release();
    const entries = await Promise.all(appends);
    expect(entries.map((e) => e[0]?.seq)).toEqual([2, 3, 4]);
    const [a, b, c] = [...writes].sort((x, y) => x.position - y.position) as [
      (typeof writes)[0],
      (typeof writes)[0],
      (typeof writes)[0],
    ];
    expect([b.position, c.position]).toEqual([a.position + a.length, b.position + b.length]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
    // closed, the segment ends with its entries (open, its length is reserved ahead)
    await ledger.close();
    expect((await stat(join(ledger.dir, 'acme', '00000001.jsonl'))).size).toBe(
      c.position + c.length,
    );
  });

  it('given small segments and batches in flight, when many appends are made together, then segments rotate and the chain verifies after reopening', async () => {
    const ledger = await openLedger({ segmentMaxBytes: 400, maxBatchEntries: 2 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) => ledger.append('acme', notes(1 + (n % 2), n * 10))),
    );
    const seqs = results.flat().map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
    expect(seqsOf(await all(ledger.read('acme')))).toEqual(seqs.map((_, i) => i + 1));
    await ledger.close();
    const segments = (await readdir(join(ledger.dir, 'acme'))).filter((f) => f.endsWith('.jsonl'));
    expect(segments.length).toBeGreaterThan(5);
    const reopened = await openLedger({ dir: ledger.dir });
    expect(reopened.openReport.repairs).toEqual([]);
    expect(await verifyLedger(reopened, 'acme')).toMatchObject({ ok: true, checked: seqs.length });
  });

  it('given appends in quick succession, when closed right after, then the HEAD record names the last entry', async () => {
    const ledger = await openLedger();
    await ledger.append('acme', [note(1)]);
    await ledger.append('acme', [note(2)]);
    const [last] = await ledger.append('acme', [note(3)]);
    await ledger.close();
    const head = JSON.parse(await readFile(join(ledger.dir, 'acme', 'HEAD'), 'utf8')) as unknown;
    expect(head).toEqual({ size: 3, hash: last?.hash });
  });

  it('given maxBatchEntries 10, when 100 appends are made together, then they are written in 10 batches', async () => {
    const { ops, calls } = countingOps();
    const ledger = await openFsLedger({ dir: await temp.make(), maxBatchEntries: 10 }, ops);
    open.push(ledger);
    await ledger.append('acme', [note(0)]);
    calls.writeData = 0;
    await Promise.all(Array.from({ length: 100 }, (_, n) => ledger.append('acme', [note(n)])));
    expect(calls.writeData).toBe(10);
  });

  it.each([
    ['fdatasync', constants.O_DSYNC],
    ['fsync', constants.O_SYNC],
  ] as const)(
    'given sync: %s, when appending, then the segment is opened for synchronous writes of that kind',
    async (sync, flag) => {
      const flags: (string | number)[] = [];
      const ops: FileOps = {
        ...nodeFileOps,
        open: (path, how) => {
          if (path.endsWith('.jsonl')) flags.push(how);
          return nodeFileOps.open(path, how);
        },
      };
      const ledger = await openFsLedger({ dir: await temp.make(), sync }, ops);
      open.push(ledger);
      await ledger.append('acme', [note(0)]);
      expect(flags).toHaveLength(2); // one descriptor for each of the 2 batches in flight
      const how = flags[0] as number;
      expect(flags[1]).toBe(how);
      // O_SYNC holds the O_DSYNC bit and one of its own
      expect(how & constants.O_SYNC).toBe(flag);
      expect(how & constants.O_APPEND).toBe(0);
    },
  );

  it('given two batches in flight, when written, then each goes through a descriptor of its own on the segment, and all are closed with the ledger', async () => {
    const segmentFds = new Set<number>();
    const closed = new Set<number>();
    const used: number[] = [];
    const ops: FileOps = {
      ...nodeFileOps,
      open: openNoting(segmentFds),
      writeData: (fd, data, position) => {
        used.push(fd);
        return nodeFileOps.writeData(fd, data, position);
      },
      close: (fd) => {
        closed.add(fd);
        return nodeFileOps.close(fd);
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make() }, ops);
    await ledger.append('acme', [note(0)]);
    used.length = 0;
    await Promise.all(Array.from({ length: 100 }, (_, n) => ledger.append('acme', [note(n)])));
    expect(used).toHaveLength(2);
    expect(new Set(used).size).toBe(2);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 101 });
    await ledger.close();
    expect(segmentFds.size).toBe(2);
    expect([...segmentFds].filter((fd) => !closed.has(fd))).toEqual([]);
  });

  it('given a platform whose O_DSYNC does not flush the drive (macOS), when appending, then each data write is followed by an fsync of its descriptor', async () => {
    const flags: (string | number)[] = [];
    const calls: string[] = [];
    const ops: FileOps = {
      ...nodeFileOps,
      open: (path, how) => {
        if (path.endsWith('.jsonl')) flags.push(how);
        return nodeFileOps.open(path, how);
      },
      writeData: (fd, data, position) => {
        calls.push(`write ${fd}`);
        return nodeFileOps.writeData(fd, data, position);
      },
      fsync: (fd) => {
        calls.push(`fsync ${fd}`);
        return nodeFileOps.fsync(fd);
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make() }, ops, 'darwin');
    open.push(ledger);
    await ledger.append('acme', [note(0)]);
    calls.length = 0;
    await ledger.append('acme', [note(1)]);
    expect((flags[0] as number) & constants.O_DSYNC).toBe(0);
    const fd = (calls[0] as string).split(' ')[1];
    expect(calls).toEqual([`write ${fd}`, `fsync ${fd}`]);
  });

  it('given a platform without O_DSYNC (Windows), when opened for writing, then it is refused with LEDGER_UNAVAILABLE naming why, and read-only opens work', async () => {
    const dir = await temp.make();
    const error = await failureOf(openFsLedger({ dir }, nodeFileOps, 'win32'));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('O_DSYNC');
    const inspect = await openFsLedger({ dir, readOnly: true }, nodeFileOps, 'win32');
    expect(await all(inspect.read('acme'))).toEqual([]);
  });

  it('given appends and then a quiet second, when the ledger stays open, then the HEAD record is synced', async () => {
    const synced: number[] = [];
    let headFd = -1;
    const ops: FileOps = {
      ...nodeFileOps,
      open: async (path, how) => {
        const fd = await nodeFileOps.open(path, how);
        if (path.endsWith('HEAD')) headFd = fd;
        return fd;
      },
      fsync: (fd) => {
        synced.push(fd);
        return nodeFileOps.fsync(fd);
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make() }, ops);
    open.push(ledger);
    await ledger.append('acme', notes(3));
    const before = synced.filter((fd) => fd === headFd).length;
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(synced.filter((fd) => fd === headFd).length).toBe(before + 1);
    const head = JSON.parse(await readFile(join(ledger.dir, 'acme', 'HEAD'), 'utf8')) as unknown;
    expect(head).toMatchObject({ size: 3 });
  });

  it('given a write-back failure reported to every descriptor of the segment, when the failed batch is cut back, then the ledger still takes appends', async () => {
    // What the kernel does: a failed write-back is reported once to each open file.
    const pending = new Set<number>();
    const segmentFds = new Set<number>();
    let failNext = false;
    const ops: FileOps = {
      ...nodeFileOps,
      open: openNoting(segmentFds),
      writeData: async (fd, data, position) => {
        await nodeFileOps.writeData(fd, data, position);
        if (!failNext) return;
        failNext = false;
        for (const other of segmentFds) if (other !== fd) pending.add(other);
        throw ioError('write');
      },
      fsync: async (fd) => {
        if (pending.delete(fd)) throw ioError('fsync');
        return nodeFileOps.fsync(fd);
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make() }, ops);
    open.push(ledger);
    await ledger.append('acme', notes(3));
    failNext = true;
    const error = await failureOf(ledger.append('acme', [note(4)]));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
    expect(ledger.failureReason).toBeUndefined();
    expect(await ledger.append('acme', [note(4)])).toMatchObject([{ seq: 4 }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
  });

  it('given a new tenant whose directory sync after its first segment is created fails, when appending again, then the directory is synced before the first entry is written', async () => {
    const events: string[] = [];
    const dirFds = new Set<number>();
    let segmentOpened = false;
    let failed = false;
    const dir = await temp.make();
    const ops: FileOps = {
      ...nodeFileOps,
      open: async (path, how) => {
        const fd = await nodeFileOps.open(path, how);
        if (path === join(dir, 'acme')) dirFds.add(fd);
        if (path.endsWith('.jsonl')) segmentOpened = true;
        return fd;
      },
      close: (fd) => {
        dirFds.delete(fd);
        return nodeFileOps.close(fd);
      },
      fsync: async (fd) => {
        if (!dirFds.has(fd)) return nodeFileOps.fsync(fd);
        if (segmentOpened && !failed) {
          failed = true;
          throw ioError('fsync');
        }
        events.push('sync acme/');
        return nodeFileOps.fsync(fd);
      },
      writeData: (fd, data, position) => {
        events.push('write');
        return nodeFileOps.writeData(fd, data, position);
      },
    };
    const ledger = await openFsLedger({ dir }, ops);
    open.push(ledger);
    expect(GovgateError.is(await failureOf(ledger.append('acme', [note(1)])))).toBe(true);
    expect(failed).toBe(true);
    events.length = 0;
    expect(await ledger.append('acme', [note(1)])).toMatchObject([{ seq: 1 }]);
    expect(events).toEqual(['sync acme/', 'write']);
  });

  it('given a data write still in flight, when the ledger waits for it, then the append has not resolved', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ops: FileOps = {
      ...nodeFileOps,
      writeData: async (fd, data, position) => {
        await gate;
        return nodeFileOps.writeData(fd, data, position);
      },
    };
    const ledger = await openFsLedger({ dir: await temp.make() }, ops);
    open.push(ledger);
    let resolved = false;
    const appended = ledger.append('acme', [note(1)]).then(() => (resolved = true));
    await settle(20);
    expect(resolved).toBe(false);
    release();
    await appended;
    expect(resolved).toBe(true);
  });

  it("given concurrent calls of several entries each, when written, then every call's entries have consecutive seqs", async () => {
    const ledger = await openLedger({ maxBatchEntries: 8 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) => ledger.append('acme', notes(1 + (n % 5), n * 10))),
    );
    for (const entries of results) {
      const seqs = entries.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    }
    expect((await ledger.head('acme')).size).toBe(results.flat().length);
  });

  it('given a call larger than maxBatchEntries, when appended, then it is written whole in one batch', async () => {
    const ledger = await openLedger({ maxBatchEntries: 4 });
    const entries = await ledger.append('acme', notes(10));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('given a long maxWaitMs, when a full batch is queued, then it is written without waiting', async () => {
    const ledger = await openLedger({ maxWaitMs: 600_000, maxBatchEntries: 3 });
    const entries = await ledger.append('acme', notes(3));
    expect(entries).toHaveLength(3);
  });

  it('given a long maxWaitMs and a queued append, when the ledger is closed, then the append is written first', async () => {
    const ledger = await openLedger({ maxWaitMs: 600_000 });
    const appended = ledger.append('acme', [note(1)]);
    await ledger.close();
    expect((await appended).map((e) => e.seq)).toEqual([1]);
    const reopened = await openLedger({ dir: ledger.dir });
    expect((await reopened.head('acme')).size).toBe(1);
  });

  it('given entry data holding __proto__, when appended, then LEDGER_ENTRY_INVALID is thrown and nothing is written', async () => {
    const { ops, calls } = countingOps();
    const ledger = await openFsLedger({ dir: await temp.make() }, ops);
    open.push(ledger);
    const data = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, never>;
    const error = await failureOf(ledger.append('acme', [note(1), { ...note(2), data }]));
    expect(GovgateError.is(error, 'LEDGER_ENTRY_INVALID')).toBe(true);
    await settle();
    expect(calls.write).toBe(0);
    expect(await readdir(ledger.dir)).toEqual(['LOCK']);
  });

  it('given a request its caller changes right after appending, when written, then the entry holds what was appended', async () => {
    const ledger = await openLedger();
    const request = { type: 'decision', actor: 'before', data: { n: 1 } };
    const appended = ledger.append('acme', [request]);
    request.actor = 'after';
    expect((await appended)[0]?.actor).toBe('before');
    expect((await verifyLedger(ledger, 'acme')).ok).toBe(true);
  });
});

describe('segments', () => {
  it('given a tiny segmentMaxBytes, when appending, then entries spread over consecutively numbered segment files', async () => {
    const ledger = await openLedger({ segmentMaxBytes: 500 });
    for (let n = 0; n < 12; n++) await ledger.append('acme', [note(n)]);
    const names = await readdir(join(ledger.dir, 'acme'));
    const segments = names.filter((name) => name.endsWith('.jsonl')).sort();
    expect(segments.length).toBeGreaterThan(3);
    expect(segments).toEqual(segments.map((_, i) => `${String(i + 1).padStart(8, '0')}.jsonl`));
  });

  it('given a segment being written, when open, then its length is reserved ahead; earlier segments and a closed ledger end with their entries', async () => {
    const ledger = await openLedger({ segmentMaxBytes: 4096 });
    for (let n = 0; n < 40; n++) await ledger.append('acme', [note(n)]);
    const dir = join(ledger.dir, 'acme');
    const segments = (await readdir(dir)).filter((name) => name.endsWith('.jsonl')).sort();
    expect(segments.length).toBeGreaterThan(2);
    const sizes = async (): Promise<number[]> =>
      Promise.all(segments.map(async (name) => (await stat(join(dir, name))).size));
    const ends = async (): Promise<number[]> =>
      Promise.all(
        segments.map(async (name) => {
          const text = await readFile(join(dir, name));
          const zero = text.indexOf(0);
          return zero === -1 ? text.length : zero;
        }),
      );
    const open = await sizes();
    const entries = await ends();
    expect(open.at(-1)).toBe(4096); // reserved: zeros after the entries
    expect(entries.at(-1)).toBeLessThan(4096);
    expect(open.slice(0, -1)).toEqual(entries.slice(0, -1)); // no zeros in earlier segments
    // readers see only the entries: in this process, and through a read-only open
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 40 });
    const inspect = await FsLedger.open({ dir: ledger.dir, readOnly: true });
    expect(await verifyLedger(inspect, 'acme')).toMatchObject({ ok: true, checked: 40 });
    await inspect.close();
    await ledger.close();
    expect(await sizes()).toEqual(entries);
    const reopened = await openLedger({ dir: ledger.dir, segmentMaxBytes: 4096 });
    expect(reopened.openReport).toMatchObject({ entries: 40, repairs: [] });
  });

  it('given several segments, when read from a seq in a later one, then that page comes back', async () => {
    const ledger = await openLedger({ segmentMaxBytes: 500 });
    for (let n = 0; n < 12; n++) await ledger.append('acme', [note(n)]);
    expect(seqsOf(await all(ledger.read('acme', { fromSeq: 9, limit: 3 })))).toEqual([9, 10, 11]);
  });

  it('given several segments, when read raw, then each line is located by its file and line', async () => {
    const ledger = await openLedger({ segmentMaxBytes: 500 });
    for (let n = 0; n < 6; n++) await ledger.append('acme', [note(n)]);
    const locations = (await all(ledger.readRaw('acme'))).map((r) => r.location);
    expect(locations[0]).toBe('acme/00000001.jsonl:1');
    expect(locations.at(-1)).toMatch(/^acme\/0000000[2-9]\.jsonl:\d+$/);
  });

  it('given several segments, when reopened, then the chain verifies and appends continue it', async () => {
    const first = await openLedger({ segmentMaxBytes: 500 });
    for (let n = 0; n < 12; n++) await first.append('acme', [note(n)]);
    await first.close();
    const ledger = await openLedger({ dir: first.dir, segmentMaxBytes: 500 });
    expect(await ledger.append('acme', [note(12)])).toMatchObject([{ seq: 13 }]);
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 13 });
  });

  it('given more entries than one index step, when reading from a late seq, then the page comes back', async () => {
    const ledger = await openLedger({ segmentMaxBytes: 64 * 1024 });
    for (let n = 0; n < 3; n++) await ledger.append('acme', notes(1000, n * 1000));
    expect(seqsOf(await all(ledger.read('acme', { fromSeq: 2500, limit: 3 })))).toEqual([
      2500, 2501, 2502,
    ]);
  });

  it('given more entries than one index step, when reopened and read from a late seq, then the page comes back', async () => {
    const first = await openLedger({ segmentMaxBytes: 64 * 1024 });
    for (let n = 0; n < 3; n++) await first.append('acme', notes(1000, n * 1000));
    await first.close();
    const ledger = await openLedger({ dir: first.dir });
    expect(seqsOf(await all(ledger.read('acme', { fromSeq: 2049, limit: 2 })))).toEqual([
      2049, 2050,
    ]);
  });
});

describe('reading', () => {
  it('given entries larger than a read chunk together, when read back, then every one is byte for byte as written', async () => {
    const ledger = await openLedger();
    const big = (n: number) => ({ ...note(n), data: { n, blob: 'é'.repeat(100_000 + n) } });
    const written = await ledger.append('acme', [big(1), big(2), big(3), big(4)]);
    const read = await all(ledger.read('acme'));
    expect(read.map((r) => r.entry.hash)).toEqual(written.map((e) => e.hash));
    expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
  });
});

describe('read-only', () => {
  it('given a read-only ledger, when appending, then LEDGER_UNAVAILABLE', async () => {
    const writer = await openLedger();
    const reader = await openLedger({ dir: writer.dir, readOnly: true });
    const error = await failureOf(reader.append('acme', [note(1)]));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
  });

  it('given a writer holding the lock, when opened read-only, then it reads and verifies what the writer wrote', async () => {
    const writer = await openLedger();
    await writer.append('acme', notes(5));
    const reader = await openLedger({ dir: writer.dir, readOnly: true });
    expect(seqsOf(await all(reader.read('acme')))).toEqual([1, 2, 3, 4, 5]);
    expect(await verifyLedger(reader, 'acme')).toMatchObject({ ok: true, checked: 5 });
  });

  it('given a ledger directory, when opened read-only and closed, then the LOCK is left alone', async () => {
    const dir = await temp.make();
    const reader = await openLedger({ dir, readOnly: true });
    await reader.close();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('closing', () => {
  it('given a closed ledger, when appending, then LEDGER_UNAVAILABLE', async () => {
    const ledger = await openLedger();
    await ledger.close();
    const error = await failureOf(ledger.append('acme', [note(1)]));
    expect(GovgateError.is(error, 'LEDGER_UNAVAILABLE')).toBe(true);
  });

  it('given a closed ledger, when closed again, then nothing fails', async () => {
    const ledger = await openLedger();
    await ledger.close();
    await expect(ledger.close()).resolves.toBeUndefined();
  });
});

describe('tenant names', () => {
  it('given a tenant id that could escape the directory, when read, then nothing is read', async () => {
    const ledger = await openLedger();
    expect(await all(ledger.read('../etc'))).toEqual([]);
    expect(await all(ledger.readRaw('../etc'))).toEqual([]);
  });

  it('given a tenant id that could escape the directory, when its head is asked, then it is empty', async () => {
    const ledger = await openLedger();
    expect((await ledger.head('../etc')).size).toBe(0);
  });
});

describe('fsLedgerModule', () => {
  it('given an open ledger, when its module is loaded, then the container answers LEDGER with it', async () => {
    const ledger = await openLedger();
    const container = new Container();
    container.loadSync(fsLedgerModule(ledger));
    expect(container.get<LedgerPort>(LEDGER)).toBe(ledger);
  });
});
