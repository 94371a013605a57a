import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerTamper } from '@govgate/core/testing';
import { segmentFileName, segmentNumbers } from '../layout.js';

interface StoredLine {
  /** Index of the segment file holding the line. */
  readonly file: number;
  text: string;
}

/**
 * Edits a file ledger's segment files directly, as someone with access to the disk
 * would; the HEAD record is left alone. Positions count lines across all segments.
 */
export function fsTamper(dir: string): LedgerTamper {
  const load = async (tenant: string): Promise<{ paths: string[]; lines: StoredLine[] }> => {
    const tenantDir = join(dir, tenant);
    const paths = segmentNumbers(await readdir(tenantDir)).map((no) =>
      join(tenantDir, segmentFileName(no)),
    );
    const lines: StoredLine[] = [];
    for (const [file, path] of paths.entries()) {
      const text = await readFile(path, 'utf8');
      const parts = text.split('\n');
      parts.pop(); // after the final '\n'
      for (const part of parts) lines.push({ file, text: part });
    }
    return { paths, lines };
  };

  const edit = async (tenant: string, change: (lines: StoredLine[]) => void): Promise<void> => {
    const { paths, lines } = await load(tenant);
    change(lines);
    for (const [file, path] of paths.entries()) {
      const mine = lines.filter((line) => line.file === file).map((line) => `${line.text}\n`);
      // In place, as an editor saving the file would: the writer's descriptor stays valid.
      await writeFile(path, mine.join(''));
    }
  };

  const at = (lines: StoredLine[], seq: number): StoredLine => {
    const line = lines[seq - 1];
    if (line === undefined) throw new RangeError(`no line at position ${seq}`);
    return line;
  };

  return {
    rewrite: (tenant, seq, bytes) =>
      edit(tenant, (lines) => {
        at(lines, seq).text = bytes;
      }),
    remove: (tenant, seq) => edit(tenant, (lines) => void lines.splice(seq - 1, 1)),
    swap: (tenant, a, b) =>
      edit(tenant, (lines) => {
        const x = at(lines, a);
        const y = at(lines, b);
        [x.text, y.text] = [y.text, x.text];
      }),
    insertAfter: (tenant, seq, bytes) =>
      edit(tenant, (lines) => {
        lines.splice(seq, 0, { file: at(lines, seq).file, text: bytes });
      }),
    truncate: (tenant, keep) => edit(tenant, (lines) => void lines.splice(keep)),
    rawBytes: async (tenant, seq) => at((await load(tenant)).lines, seq).text,
  };
}
