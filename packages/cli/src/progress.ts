/** Reports how far a long job is, on stderr. */
export interface Progress {
  update(done: number): void;
  /** Clears a drawn bar; plain lines stay. */
  finish(): void;
}

const BAR_WIDTH = 30;
const REDRAW_MS = 100;

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * On a terminal, a bar redrawn in place (at most every 100 ms); elsewhere (logs, CI)
 * one plain line per call, since the caller calls rarely then.
 *
 * @example
 * const progress = progressReporter(process.stderr.write.bind(process.stderr), true, 5000, 'entries');
 * progress.update(2500); // [###############...............] 2,500 / 5,000 entries (50%)
 */
export function progressReporter(
  write: (text: string) => void,
  interactive: boolean,
  total: number,
  unit: string,
  now: () => number = Date.now,
): Progress {
  let drawnAt = -Infinity;
  let drawn = false;
  if (!interactive)
    return {
      update: (done) => write(`${count(done)} / ${count(total)} ${unit}\n`),
      finish: () => undefined,
    };
  return {
    update: (done) => {
      const at = now();
      if (at - drawnAt < REDRAW_MS && done < total) return;
      drawnAt = at;
      // Entries appended while verifying can take `done` past the head read at the start.
      const share = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(share * BAR_WIDTH);
      write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${count(done)} / ${count(total)} ${unit} (${Math.floor(share * 100)}%)`,
      );
      drawn = true;
    },
    finish: () => {
      if (drawn) write('\r\x1b[K');
    },
  };
}
