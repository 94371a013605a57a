/**
 * A second process for the integration tests, run as
 * `node --import tsx child.ts <mode> <dir>`:
 *
 * - `append`: appends to two tenants as fast as it can, with small segments, and prints
 *   `<tenant> <seq> <hash>` for every entry once its append has resolved (stdout to a
 *   pipe is synchronous on Linux, so a printed line was acknowledged);
 * - `hold`: opens the ledger, prints `open`, and exits without closing (leaving its lock);
 * - `open`: tries to open the ledger and prints `open` or the error's code and message.
 */
import { GovgateError } from '@govgate/core';
import { FsLedger } from '../fs-ledger.js';

const [mode, dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: child.ts append|hold|open <dir>');

async function appendForever(ledger: FsLedger): Promise<void> {
  const tenants = ['crash-a', 'crash-b'];
  const appender = async (n: number): Promise<void> => {
    const tenant = tenants[n % tenants.length] as string;
    for (let i = 0; ; i++) {
      const requests = Array.from({ length: 1 + (i % 3) }, (_, k) => ({
        type: 'decision',
        actor: `appender-${n}`,
        data: { i, k, note: 'x'.repeat(40 + ((i * 7 + k) % 60)) },
      }));
      const entries = await ledger.append(tenant, requests);
      process.stdout.write(entries.map((e) => `${tenant} ${e.seq} ${e.hash}\n`).join(''));
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, n) => appender(n)));
}

try {
  if (mode === 'append') {
    await appendForever(await FsLedger.open({ dir, segmentMaxBytes: 16 * 1024 }));
  } else if (mode === 'hold') {
    await FsLedger.open({ dir });
    process.stdout.write('open\n');
    process.exit(0);
  } else {
    const ledger = await FsLedger.open({ dir });
    process.stdout.write('open\n');
    await ledger.close();
  }
} catch (error) {
  process.stdout.write(
    GovgateError.is(error) ? `${error.code} ${error.message}\n` : `ERROR ${String(error)}\n`,
  );
  process.exitCode = 1;
}
