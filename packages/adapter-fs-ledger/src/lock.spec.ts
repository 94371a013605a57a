import { describe, expect, it } from '@jest/globals';
import { formatLockFile, isStale, parseLockFile, processIsAlive } from './lock.js';

const holder = { pid: 4242, hostname: 'web-1', startedAt: '2026-01-01T00:00:00.000Z' };

describe('lock file', () => {
  it('given a written lock file, when parsed, then the holder comes back', () => {
    expect(parseLockFile(formatLockFile(holder))).toEqual(holder);
  });

  it.each([
    ['empty text', ''],
    ['half-written JSON', '{"pid":12'],
    ['no pid', '{"hostname":"h","startedAt":"t"}'],
    ['a pid of 0', '{"pid":0,"hostname":"h","startedAt":"t"}'],
    ['a pid that is text', '{"pid":"12","hostname":"h","startedAt":"t"}'],
    ['no hostname', '{"pid":12,"startedAt":"t"}'],
    ['null', 'null'],
  ])('given %s, when parsed, then it names no holder', (_name, text) => {
    expect(parseLockFile(text)).toBeUndefined();
  });
});

describe('isStale', () => {
  it('given a holder of this host whose process is gone, when judged, then the lock is stale', () => {
    expect(isStale(holder, { hostname: 'web-1', isAlive: () => false })).toBe(true);
  });

  it('given a holder of this host whose process runs, when judged, then the lock is held', () => {
    expect(isStale(holder, { hostname: 'web-1', isAlive: () => true })).toBe(false);
  });

  it('given a holder of another host, when judged, then the lock is held whatever runs here', () => {
    expect(isStale(holder, { hostname: 'web-2', isAlive: () => false })).toBe(false);
  });
});

describe('processIsAlive', () => {
  it('given this process, when checked, then it is alive', () => {
    expect(processIsAlive(process.pid)).toBe(true);
  });
});
