import { appendFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GovgateError, verifyLedger } from '@govgate/core';
import { FsLedger } from './fs-ledger.js';
import { encodeHead } from './layout.js';
import { fsTamper } from './testing/fs-tamper.js';
import { TempDirs, all, notes, seqsOf } from './testing/helpers.js';

const temp = new TempDirs();
const open: FsLedger[] = [];
afterEach(async () => {
  for (const ledger of open.splice(0)) await ledger.close().catch(() => undefined);
  await temp.cleanup();
});

const SEGMENT = 'acme/00000001.jsonl';

/** A closed ledger directory holding `count` entries of tenant acme. */
async function ledgerWith(count: number): Promise<string> {
  const dir = await temp.make();
  const ledger = await FsLedger.open({ dir });
  await ledger.append('acme', notes(count));
  await ledger.close();
  return dir;
}

async function reopen(dir: string, readOnly = false): Promise<FsLedger> {
  const ledger = await FsLedger.open({ dir, readOnly });
  open.push(ledger);
  return ledger;
}

async function refusal(dir: string): Promise<GovgateError> {
  const error: unknown = await FsLedger.open({ dir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!GovgateError.is(error)) throw new Error('expected the open to be refused');
  return error;
}

describe('recovery on open', () => {
  describe('a torn last line (a crash in the middle of a write)', () => {
    it('given a last line without its newline, when reopened, then it is cut away and the chain verifies', async () => {
      const dir = await ledgerWith(5);
      const size = (await stat(join(dir, SEGMENT))).size;
      await appendFile(join(dir, SEGMENT), '{"actor":"test","data":{"n":6');
      const ledger = await reopen(dir);
      expect((await stat(join(dir, SEGMENT))).size).toBe(size);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 5 });
    });

    it('given a torn last line, when reopened, then the repair is reported', async () => {
      const dir = await ledgerWith(2);
      await appendFile(join(dir, SEGMENT), '{"act');
      const ledger = await reopen(dir);
      expect(ledger.openReport.repairs).toEqual([
        `cut 5 bytes of a write torn by a crash from ${SEGMENT}`,
      ]);
    });

    it('given a hole before whole lines (the batch behind reached the disk, the one before did not), when reopened, then everything from the hole on is cut and the chain verifies', async () => {
      const dir = await ledgerWith(3);
      const size = (await stat(join(dir, SEGMENT))).size;
      const third = (await readFile(join(dir, SEGMENT), 'utf8')).split('\n')[2] as string;
      // A lost batch reads back as zeros; the one written beside it holds whole lines.
      await appendFile(join(dir, SEGMENT), `${'\0'.repeat(300)}${third}\n${third}\n`);
      const ledger = await reopen(dir);
      expect((await stat(join(dir, SEGMENT))).size).toBe(size);
      expect(ledger.openReport.repairs).toEqual([
        `cut ${300 + 2 * (third.length + 1)} bytes of a write torn by a crash from ${SEGMENT}`,
      ]);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 3 });
      expect(await ledger.append('acme', notes(1, 4))).toMatchObject([{ seq: 4 }]);
    });

    it('given a hole before whole lines, when opened read-only, then reads and verification end at the hole and nothing is changed', async () => {
      const dir = await ledgerWith(3);
      const third = (await readFile(join(dir, SEGMENT), 'utf8')).split('\n')[2] as string;
      await appendFile(join(dir, SEGMENT), `${'\0'.repeat(100)}${third}\n`);
      const before = await readFile(join(dir, SEGMENT));
      const ledger = await reopen(dir, true);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 3 });
      expect(await readFile(join(dir, SEGMENT))).toEqual(before);
    });

    it('given a hole from a block boundary inside a line (a block of a write lost), when reopened, then the line holding it and all after it are cut', async () => {
      const dir = await ledgerWith(3);
      const size = (await stat(join(dir, SEGMENT))).size;
      const partial = `{"actor":"${'t'.repeat(512 - (size % 512) + 20)}`.slice(
        0,
        512 - (size % 512),
      );
      await appendFile(join(dir, SEGMENT), `${partial}${'\0'.repeat(512)}st"}\n{"seq":5}\n`);
      const ledger = await reopen(dir);
      expect((await stat(join(dir, SEGMENT))).size).toBe(size);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
    });

    it('given zeros starting anywhere inside a line (a page written back while a batch was copied into it), when reopened, then the line holding them and all after it are cut', async () => {
      const dir = await ledgerWith(3);
      const size = (await stat(join(dir, SEGMENT))).size;
      await appendFile(join(dir, SEGMENT), '{"actor":"te\0\0\0\0st"}\n{"seq":5}\n');
      const ledger = await reopen(dir);
      expect((await stat(join(dir, SEGMENT))).size).toBe(size);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
    });

    it('given a torn write in a segment followed by an empty one (a rotation that failed), when reopened, then the torn write is cut and appends go on in the empty segment', async () => {
      const dir = await ledgerWith(3);
      const size = (await stat(join(dir, SEGMENT))).size;
      await appendFile(join(dir, SEGMENT), '{"act');
      await writeFile(join(dir, 'acme', '00000002.jsonl'), '');
      const ledger = await reopen(dir);
      expect(ledger.openReport.repairs).toEqual([
        `cut 5 bytes of a write torn by a crash from ${SEGMENT}`,
      ]);
      expect((await stat(join(dir, SEGMENT))).size).toBe(size);
      expect(await ledger.append('acme', notes(1, 4))).toMatchObject([{ seq: 4 }]);
      expect((await stat(join(dir, 'acme', '00000002.jsonl'))).size).toBeGreaterThan(0);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
    });

    it('given a torn write in a segment followed by an empty one, when opened read-only, then reads and verification end at the torn write', async () => {
      const dir = await ledgerWith(3);
      await appendFile(join(dir, SEGMENT), `${'\0'.repeat(50)}{"seq":9}\n`);
      await writeFile(join(dir, 'acme', '00000002.jsonl'), '');
      const ledger = await reopen(dir, true);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 3 });
    });

    it('given zeros where acknowledged entries were (not a crash: the HEAD record names a later entry), when reopened, then it refuses with LEDGER_CORRUPT and changes nothing', async () => {
      const dir = await ledgerWith(5);
      const path = join(dir, SEGMENT);
      const bytes = await readFile(path);
      const third = bytes.indexOf('\n', bytes.indexOf('\n') + 1) + 1;
      bytes.fill(0, third + 5, third + 15); // entry 3 of 5
      await writeFile(path, bytes);
      const error = await refusal(dir);
      expect(error.code).toBe('LEDGER_CORRUPT');
      expect(await readFile(path)).toEqual(bytes);
    });

    it('given a last line that is not JSON, when reopened, then it is cut away', async () => {
      const dir = await ledgerWith(3);
      await appendFile(join(dir, SEGMENT), '{"se\n');
      const ledger = await reopen(dir);
      expect(ledger.openReport.repairs).toEqual([
        `cut 5 bytes of a write torn by a crash from ${SEGMENT}`,
      ]);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
    });

    it('given zeros where a batch never landed, then whole lines of the batch beside it, when reopened, then they are all cut', async () => {
      const dir = await ledgerWith(3);
      await appendFile(join(dir, SEGMENT), '\0\0\0\0{"seq":4}\n');
      const ledger = await reopen(dir);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
    });

    it('given space reserved past the entries (a writer that stopped without closing), when reopened, then it is released and reported, and appends go on', async () => {
      const dir = await ledgerWith(3);
      const size = (await stat(join(dir, SEGMENT))).size;
      await truncate(join(dir, SEGMENT), 1 << 20); // zeros, as the writer reserves them
      const inspect = await reopen(dir, true);
      expect(seqsOf(await all(inspect.read('acme')))).toEqual([1, 2, 3]);
      await inspect.close();
      const ledger = await reopen(dir);
      expect(ledger.openReport.repairs).toEqual([
        `released ${(1 << 20) - size} bytes of space reserved for appends after the entries of ${SEGMENT}`,
      ]);
      expect(await ledger.append('acme', notes(1))).toMatchObject([{ seq: 4 }]);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
    });

    it('given a segment of zeros after a torn one (a rotation whose reservation could not be undone), when reopened, then the torn write is cut, the zeros released and appends go on', async () => {
      const dir = await ledgerWith(3);
      await appendFile(join(dir, SEGMENT), '{"actor":"te');
      await writeFile(join(dir, 'acme', '00000002.jsonl'), Buffer.alloc(2000));
      const inspect = await reopen(dir, true);
      expect(seqsOf(await all(inspect.read('acme')))).toEqual([1, 2, 3]);
      expect(await verifyLedger(inspect, 'acme')).toMatchObject({ ok: true, checked: 3 });
      await inspect.close();
      const ledger = await reopen(dir);
      expect(ledger.openReport.repairs).toEqual([
        `cut 12 bytes of a write torn by a crash from ${SEGMENT}`,
        'released 2000 bytes of space reserved for appends after the entries of acme/00000002.jsonl',
      ]);
      expect(await ledger.append('acme', notes(1))).toMatchObject([{ seq: 4 }]);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
      expect((await stat(join(dir, 'acme', '00000002.jsonl'))).size).toBeGreaterThan(0);
    });

    it('given reserved space with bytes of a torn write in it, when reopened, then the cut is reported as a torn write', async () => {
      const dir = await ledgerWith(3);
      const size = (await stat(join(dir, SEGMENT))).size;
      await truncate(join(dir, SEGMENT), size + 4096);
      await appendFile(join(dir, SEGMENT), '{"seq":5}\n'); // a batch beside one that never landed
      const ledger = await reopen(dir);
      expect(ledger.openReport.repairs).toEqual([
        `cut ${4096 + 10} bytes of a write torn by a crash from ${SEGMENT}`,
      ]);
      expect(seqsOf(await all(ledger.read('acme')))).toEqual([1, 2, 3]);
    });

    it('given a torn line cut on reopening, when appending, then the chain continues after the last whole entry', async () => {
      const dir = await ledgerWith(3);
      await appendFile(join(dir, SEGMENT), '{"actor":"te');
      const ledger = await reopen(dir);
      expect(await ledger.append('acme', notes(1))).toMatchObject([{ seq: 4 }]);
      expect(await verifyLedger(ledger, 'acme')).toMatchObject({ ok: true, checked: 4 });
    });
  });

  describe('anything else that does not verify', () => {
    it('given a corrupt line in the middle, when reopened, then LEDGER_CORRUPT names its file and line', async () => {
      const dir = await ledgerWith(5);
      const bytes = await fsTamper(dir).rawBytes('acme', 3);
      await fsTamper(dir).rewrite('acme', 3, bytes.replace('"n":3', '"n":33'));
      const error = await refusal(dir);
      expect(error.code).toBe('LEDGER_CORRUPT');
      expect(error.message).toContain(`${SEGMENT}:3`);
    });

    it('given a corrupt line in the middle, when the open is refused, then nothing on disk is changed', async () => {
      const dir = await ledgerWith(5);
      await fsTamper(dir).rewrite('acme', 3, 'garbage');
      await appendFile(join(dir, SEGMENT), '{"torn');
      const before = await readFile(join(dir, SEGMENT));
      await refusal(dir);
      expect(await readFile(join(dir, SEGMENT))).toEqual(before);
    });

    it('given a corrupt line in the middle, when the open is refused, then the lock is released', async () => {
      const dir = await ledgerWith(5);
      await fsTamper(dir).rewrite('acme', 3, 'garbage');
      await refusal(dir);
      await expect(stat(join(dir, 'LOCK'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('given a corrupt line in the middle, when opened read-only, then verify reports the entry and where it is', async () => {
      const dir = await ledgerWith(5);
      await fsTamper(dir).rewrite('acme', 3, 'garbage');
      const ledger = await reopen(dir, true);
      expect((await verifyLedger(ledger, 'acme')).failure).toMatchObject({
        seq: 3,
        kind: 'unparseable',
        location: `${SEGMENT}:3`,
      });
    });

    it('given entries cut off the end while HEAD still counts them, when reopened, then LEDGER_CORRUPT names the HEAD file', async () => {
      const dir = await ledgerWith(5);
      await fsTamper(dir).truncate('acme', 3);
      const error = await refusal(dir);
      expect(error.code).toBe('LEDGER_CORRUPT');
      expect(error.message).toContain('acme/HEAD');
    });

    it('given a HEAD record naming another hash than its entry, when reopened, then LEDGER_CORRUPT', async () => {
      const dir = await ledgerWith(5);
      await writeFile(join(dir, 'acme', 'HEAD'), encodeHead({ size: 3, hash: 'e'.repeat(64) }));
      expect((await refusal(dir)).code).toBe('LEDGER_CORRUPT');
    });

    it('given a missing HEAD record while entries exist, when reopened, then LEDGER_CORRUPT', async () => {
      const dir = await ledgerWith(2);
      await rm(join(dir, 'acme', 'HEAD'));
      const error = await refusal(dir);
      expect(error.code).toBe('LEDGER_CORRUPT');
      expect(error.message).toContain('head record is missing');
    });

    it('given a HEAD record that is not one, when reopened, then LEDGER_CORRUPT names it', async () => {
      const dir = await ledgerWith(2);
      await writeFile(join(dir, 'acme', 'HEAD'), 'nonsense');
      expect((await refusal(dir)).message).toContain('acme/HEAD');
    });
  });

  describe('a HEAD record that lags the entries (a crash before it was rewritten)', () => {
    it('given a HEAD naming an earlier entry of the chain, when reopened, then it is rewritten to the last entry', async () => {
      const dir = await ledgerWith(5);
      const first = await reopen(dir, true);
      const third = (await all(first.read('acme', { fromSeq: 3, limit: 1 })))[0]?.entry;
      await writeFile(
        join(dir, 'acme', 'HEAD'),
        encodeHead({ size: 3, hash: third?.hash as string }),
      );
      const ledger = await reopen(dir);
      expect((await ledger.head('acme')).size).toBe(5);
      expect(JSON.parse(await readFile(join(dir, 'acme', 'HEAD'), 'utf8'))).toMatchObject({
        size: 5,
      });
    });

    it('given a long chain whose HEAD names an entry past the first blocks read, when reopened with and without workers, then it is checked and rewritten', async () => {
      const dir = await temp.make();
      const writer = await FsLedger.open({ dir, segmentMaxBytes: 64 * 1024 });
      for (let n = 0; n < 6; n++) await writer.append('acme', notes(1000, n * 1000));
      await writer.close();
      const inspect = await reopen(dir, true);
      const named = (await all(inspect.read('acme', { fromSeq: 4321, limit: 1 })))[0]?.entry;
      await inspect.close();
      for (const verifyThreads of [0, 2]) {
        await writeFile(
          join(dir, 'acme', 'HEAD'),
          encodeHead({ size: 4321, hash: 'e'.repeat(64) }),
        );
        expect(await refusal(dir)).toMatchObject({
          code: 'LEDGER_CORRUPT',
          message: expect.stringContaining('entry 4321 is not the entry the head names'),
        });
        await writeFile(
          join(dir, 'acme', 'HEAD'),
          encodeHead({ size: 4321, hash: named?.hash as string }),
        );
        const ledger = await FsLedger.open({ dir, verifyThreads });
        expect(ledger.openReport).toEqual({
          tenants: 1,
          entries: 6000,
          repairs: ['rewrote acme/HEAD: it named entry 4321, the chain holds 6000'],
        });
        // the index rebuilt from the blocks finds every page
        expect(seqsOf(await all(ledger.read('acme', { fromSeq: 4319, limit: 5 })))).toEqual([
          4319, 4320, 4321, 4322, 4323,
        ]);
        expect(await ledger.append('acme', notes(1))).toMatchObject([{ seq: 6001 }]);
        await ledger.close();
        await fsTamper(dir).truncate('acme', 6000);
        await writeFile(
          join(dir, 'acme', 'HEAD'),
          encodeHead({ size: 6000, hash: 'f'.repeat(64) }),
        );
        const again = await reopen(dir, true);
        const last = (await all(again.read('acme', { fromSeq: 6000 })))[0]?.entry;
        await again.close();
        await writeFile(
          join(dir, 'acme', 'HEAD'),
          encodeHead({ size: 6000, hash: last?.hash as string }),
        );
      }
    });
  });

  describe('an earlier segment that does not end with a newline', () => {
    it('given its last line a sound entry without its newline, when reopened, then LEDGER_CORRUPT names it and nothing is changed', async () => {
      const dir = await temp.make();
      const writer = await FsLedger.open({ dir, segmentMaxBytes: 1000 });
      for (let n = 0; n < 12; n++) await writer.append('acme', notes(1, n));
      await writer.close();
      const first = join(dir, SEGMENT);
      const { size } = await stat(first);
      const lines = (await readFile(first, 'utf8')).split('\n').length - 1;
      await truncate(first, size - 1);
      const error = await refusal(dir);
      expect(error.code).toBe('LEDGER_CORRUPT');
      expect(error.message).toContain(`${SEGMENT}:${lines}`);
      expect(error.message).toContain('its last line has no newline');
      expect((await stat(first)).size).toBe(size - 1);
    });

    it('given one in a long chain opened read-only, when its tree is loaded, then LEDGER_CORRUPT names it (no leaf is made of it)', async () => {
      const dir = await temp.make();
      const writer = await FsLedger.open({ dir, segmentMaxBytes: 256 * 1024 });
      for (let n = 0; n < 5; n++) await writer.append('acme', notes(1000, n * 1000));
      await writer.close();
      const first = join(dir, SEGMENT);
      const lines = (await readFile(first, 'utf8')).split('\n').length - 1;
      await truncate(first, (await stat(first)).size - 1);
      for (const verifyThreads of [0, 2]) {
        const inspect = await FsLedger.open({ dir, readOnly: true, verifyThreads });
        await expect(inspect.treeHead('acme')).rejects.toMatchObject({
          code: 'LEDGER_CORRUPT',
          message: expect.stringContaining(`${SEGMENT}:${lines}`),
        });
        await inspect.close();
      }
    });
  });

  describe('a line that is not JSON', () => {
    it('given one at the end of an earlier segment and nothing whole in the last, when reopened, then LEDGER_CORRUPT names it (only the last segment can be torn)', async () => {
      const dir = await ledgerWith(3);
      await appendFile(join(dir, SEGMENT), '{"actor":"te\n');
      await writeFile(join(dir, 'acme', '00000002.jsonl'), '{"act');
      const error = await refusal(dir);
      expect(error.code).toBe('LEDGER_CORRUPT');
      expect(error.message).toContain(`${SEGMENT}:4`);
    });
  });
});
