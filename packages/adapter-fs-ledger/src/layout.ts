import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerHead } from '@govgate/core';

/**
 * The on-disk layout of a ledger directory:
 *
 *   <dir>/LOCK                     the single writer's lock
 *   <dir>/<tenant>/HEAD            the tenant's head record, a fixed-size JSON line
 *   <dir>/<tenant>/00000001.jsonl  segments: one canonical entry per line, in seq order
 */
export const LOCK_FILE = 'LOCK';
export const HEAD_FILE = 'HEAD';

const SEGMENT_NAME = /^\d{8,15}\.jsonl$/;

/** `00000001.jsonl` for segment 1. */
export function segmentFileName(no: number): string {
  return `${String(no).padStart(8, '0')}.jsonl`;
}

/** The number of a segment file name, or undefined for any other name. */
export function parseSegmentFileName(name: string): number | undefined {
  if (!SEGMENT_NAME.test(name)) return undefined;
  const no = Number.parseInt(name, 10);
  // Only the name the ledger itself would write counts: `000000001.jsonl` is not segment 1.
  return no >= 1 && segmentFileName(no) === name ? no : undefined;
}

/** Segment numbers among directory entry names, ascending. */
export function segmentNumbers(names: readonly string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    const no = parseSegmentFileName(name);
    if (no !== undefined) numbers.push(no);
  }
  return numbers.sort((a, b) => a - b);
}

/**
 * Size of the head record. It is rewritten in place after every batch, always with
 * this many bytes, so the file's size never changes after it is created: a crash can
 * then leave the old record or the new one, never an empty or half-grown file.
 */
export const HEAD_RECORD_BYTES = 128;

const HASH_HEX = /^[0-9a-f]{64}$/;

/** The head record's bytes: JSON padded with spaces, ending in '\n'. */
export function encodeHead(head: LedgerHead): Buffer {
  const json = JSON.stringify({ size: head.size, hash: head.hash });
  return Buffer.from(json.padEnd(HEAD_RECORD_BYTES - 1, ' ') + '\n', 'utf8');
}

/** A JSON object read from disk, or undefined for anything else (files are read defensively). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/** A head record read from disk, or undefined when it is not one (read defensively). */
export function parseHead(text: string): LedgerHead | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  const { size, hash } = value;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (typeof hash !== 'string' || !HASH_HEX.test(hash)) return undefined;
  return { size, hash };
}

const ZEROS = Buffer.alloc(1 << 20);

/** Whether bytes `from` to `to` of a file are all zero (read a MiB at a time). */
export async function zerosOnly(path: string, from: number, to: number): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(ZEROS.length);
    for (let at = from; at < to;) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) return true;
      if (!buffer.subarray(0, bytesRead).equals(ZEROS.subarray(0, bytesRead))) return false;
      at += bytesRead;
    }
    return true;
  } finally {
    await file.close();
  }
}

/**
 * A tenant's segment numbers (ascending) without the files at the end that hold
 * nothing but zeros (or nothing), but the first: a rotation that failed can leave such
 * a segment after the last one that holds anything (empty, or with its length reserved),
 * and that one is where a torn write can end.
 */
export async function withoutEmptyTail(
  tenantDir: string,
  numbers: readonly number[],
): Promise<number[]> {
  const kept = [...numbers];
  while (kept.length > 1) {
    const path = join(tenantDir, segmentFileName(kept.at(-1) as number));
    const { size } = await stat(path);
    if (size > 0 && !(await zerosOnly(path, 0, size))) break;
    kept.pop();
  }
  return kept;
}
