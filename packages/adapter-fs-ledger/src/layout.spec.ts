import { describe, expect, it } from '@jest/globals';
import { GENESIS_PREV } from '@govgate/core';
import {
  HEAD_RECORD_BYTES,
  encodeHead,
  parseHead,
  parseSegmentFileName,
  segmentFileName,
  segmentNumbers,
} from './layout.js';

describe('segment file names', () => {
  it('given a segment number, when named, then it is zero-padded to 8 digits', () => {
    expect(segmentFileName(7)).toBe('00000007.jsonl');
  });

  it('given a name the ledger writes, when parsed, then its number comes back', () => {
    expect(parseSegmentFileName('00000123.jsonl')).toBe(123);
  });

  it.each([
    'HEAD',
    'LOCK',
    '00000000.jsonl',
    '000000001.jsonl',
    '1.jsonl',
    '00000001.json',
    'x.jsonl',
  ])('given %p, when parsed, then it is not a segment', (name) => {
    expect(parseSegmentFileName(name)).toBeUndefined();
  });

  it('given a directory listing, when filtered, then segment numbers come back in numeric order', () => {
    expect(
      segmentNumbers(['00000010.jsonl', 'HEAD', '00000002.jsonl', 'HEAD.tmp', '00000001.jsonl']),
    ).toEqual([1, 2, 10]);
  });
});

describe('head record', () => {
  const head = { size: 42, hash: 'ab'.repeat(32) };

  it('given any head, when encoded, then it takes exactly HEAD_RECORD_BYTES ending in a newline', () => {
    const big = encodeHead({ size: Number.MAX_SAFE_INTEGER, hash: 'f'.repeat(64) });
    expect(big.length).toBe(HEAD_RECORD_BYTES);
    expect(encodeHead(head).length).toBe(HEAD_RECORD_BYTES);
    expect(big.at(-1)).toBe(0x0a);
  });

  it('given an encoded head, when parsed, then the same head comes back', () => {
    expect(parseHead(encodeHead(head).toString('utf8'))).toEqual(head);
  });

  it('given the genesis head, when parsed after encoding, then it is unchanged', () => {
    const genesis = { size: 0, hash: GENESIS_PREV };
    expect(parseHead(encodeHead(genesis).toString('utf8'))).toEqual(genesis);
  });

  it.each([
    ['not JSON', '{"size":1,'],
    ['an array', '[1]'],
    ['a negative size', '{"size":-1,"hash":"' + 'a'.repeat(64) + '"}'],
    ['a fractional size', '{"size":1.5,"hash":"' + 'a'.repeat(64) + '"}'],
    ['a short hash', '{"size":1,"hash":"abc"}'],
    ['an uppercase hash', '{"size":1,"hash":"' + 'A'.repeat(64) + '"}'],
    ['empty text', ''],
  ])('given %s, when parsed, then it is not a head record', (_name, text) => {
    expect(parseHead(text)).toBeUndefined();
  });
});
