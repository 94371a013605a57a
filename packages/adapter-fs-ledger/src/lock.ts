import { randomBytes } from 'node:crypto';
import { link, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GovgateError } from '@govgate/core';
import { LOCK_FILE, parseJsonObject } from './layout.js';

/** Who holds a ledger directory's lock, as its LOCK file says. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** RFC 3339 time the lock was taken. */
  readonly startedAt: string;
}

/** Reads a LOCK file's text defensively: undefined unless it names a holder. */
export function parseLockFile(text: string): LockHolder | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  const { pid, hostname: host, startedAt } = value;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof host !== 'string' || host.length === 0) return undefined;
  if (typeof startedAt !== 'string') return undefined;
  return { pid, hostname: host, startedAt };
}

export function formatLockFile(holder: LockHolder): string {
  return `${JSON.stringify({ pid: holder.pid, hostname: holder.hostname, startedAt: holder.startedAt })}\n`;
}

/**
 * A lock is stale when its holder ran on this host and that process is gone. A lock
 * taken on another host cannot be checked from here, so it is never stale.
 */
export function isStale(
  holder: LockHolder,
  here: { readonly hostname: string; isAlive(pid: number): boolean },
): boolean {
  return holder.hostname === here.hostname && !here.isAlive(holder.pid);
}

/** Whether a process exists: signal 0 checks without sending anything. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const errnoOf = (error: unknown): string | undefined =>
  (error as NodeJS.ErrnoException | null)?.code;

/** Errors that mean the directory cannot be written, as opposed to a failing disk. */
export const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'EEXIST']);

export function notWritable(dir: string, cause: unknown): GovgateError {
  return new GovgateError(
    'LEDGER_UNAVAILABLE',
    `ledger directory '${dir}' is not writable (${errnoOf(cause) ?? String(cause)})`,
    { cause },
  );
}

/**
 * LOCK files this process holds. A LOCK naming this process's pid that is not among
 * them was left by an earlier process that had the same pid (a restarted container
 * often gets the same pid each time), so it is stale.
 */
const heldHere = new Set<string>();

/** The lock this process holds on a ledger directory. */
export interface DirLock {
  readonly holder: LockHolder;
  release(): Promise<void>;
}

/**
 * Takes `<dir>/LOCK` for this process. The file is written in full under a private
 * name first and then hard-linked to LOCK, which fails if LOCK exists: so LOCK is
 * never seen empty or half-written, even when a process dies while taking it. A LOCK
 * left by a process of this host that no longer runs (or by an earlier process with
 * this process's pid) is removed and taking it is retried once; otherwise
 * LEDGER_LOCKED names the holder.
 */
export async function acquireLock(dir: string): Promise<DirLock> {
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
  };
  const text = formatLockFile(holder);
  const cannot = (cause: unknown): GovgateError =>
    NOT_WRITABLE.has(errnoOf(cause) ?? '')
      ? notWritable(dir, cause)
      : new GovgateError('LEDGER_UNAVAILABLE', `cannot create the lock in '${dir}'`, { cause });
  // The real path: one directory reached through a symbolic link is still one lock.
  const real = await realpath(dir).catch((cause: unknown) => {
    throw cannot(cause);
  });
  const lockPath = join(real, LOCK_FILE);
  const draft = join(real, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(draft, text, { flag: 'wx' });
  } catch (cause) {
    throw cannot(cause);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(draft, lockPath);
        heldHere.add(lockPath);
        return { holder, release: () => releaseLock(lockPath, holder) };
      } catch (cause) {
        if (errnoOf(cause) !== 'EEXIST')
          throw new GovgateError('LEDGER_UNAVAILABLE', `cannot create '${lockPath}'`, { cause });
      }
      const current = await readFile(lockPath, 'utf8').catch((cause: unknown) => {
        if (errnoOf(cause) === 'ENOENT') return undefined; // released meanwhile
        throw new GovgateError('LEDGER_UNAVAILABLE', `cannot read '${lockPath}'`, { cause });
      });
      if (current === undefined && attempt < 2) continue;
      const other = current === undefined ? undefined : parseLockFile(current);
      if (
        attempt === 0 &&
        other !== undefined &&
        isStale(other, {
          hostname: holder.hostname,
          isAlive: (pid) => (pid === process.pid ? heldHere.has(lockPath) : processIsAlive(pid)),
        })
      ) {
        // Read again right before removing, so a lock another process took over in
        // the meantime is not the one removed.
        const again = await readFile(lockPath, 'utf8').catch(() => undefined);
        if (again === current) await unlink(lockPath).catch(() => undefined);
        continue;
      }
      throw new GovgateError(
        'LEDGER_LOCKED',
        other === undefined
          ? `ledger directory '${dir}' is locked and its LOCK file is unreadable; if no process uses the ledger, remove '${lockPath}'`
          : `ledger directory '${dir}' is locked by pid ${other.pid} on host '${other.hostname}' (since ${other.startedAt})`,
      );
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

async function releaseLock(lockPath: string, holder: LockHolder): Promise<void> {
  heldHere.delete(lockPath);
  const current = await readFile(lockPath, 'utf8').catch(() => undefined);
  const other = current === undefined ? undefined : parseLockFile(current);
  // Only ever remove our own lock.
  if (other?.pid === holder.pid && other.startedAt === holder.startedAt)
    await unlink(lockPath).catch(() => undefined);
}
