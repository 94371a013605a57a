import { GovgateError, type ErrorDetail } from '@govgate/core';
import { ConfigError } from '@govgate/http-express';
import { CliError } from './context.js';

/** Left-aligned columns, two spaces apart; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

/** `  /pointer: message` lines; the whole document's pointer `''` shows as `/`. */
export function detailLines(details: readonly ErrorDetail[], indent = '  '): string[] {
  return details.map((d) => `${indent}${d.pointer === '' ? '/' : d.pointer}: ${d.message}`);
}

/** How a failure is shown on stderr: `error: <CODE>: <message>` and its details. */
export function describeError(error: unknown): string {
  if (GovgateError.is(error))
    return [`error: ${error.code}: ${error.message}`, ...detailLines(error.details)].join('\n');
  if (error instanceof ConfigError || error instanceof CliError) return `error: ${error.message}`;
  const err = error as NodeJS.ErrnoException | undefined;
  return `error: ${err instanceof Error ? err.message : String(error)}`;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
