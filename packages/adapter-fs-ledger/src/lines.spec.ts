import { describe, expect, it } from '@jest/globals';
import { LineSplitter } from './lines.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('LineSplitter', () => {
  it('given one chunk of whole lines, when pushed, then it returns each line with its number, offset and length', () => {
    const lines = new LineSplitter().push(bytes('ab\ncde\n'));
    expect(lines).toEqual([
      { text: 'ab', number: 1, offset: 0, length: 3, terminated: true },
      { text: 'cde', number: 2, offset: 3, length: 4, terminated: true },
    ]);
  });

  it('given a line split over three chunks, when pushed, then it is returned once, whole', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('x\nhel'))).toHaveLength(1);
    expect(splitter.push(bytes('lo wor'))).toEqual([]);
    expect(splitter.push(bytes('ld\n'))).toEqual([
      { text: 'hello world', number: 2, offset: 2, length: 12, terminated: true },
    ]);
  });

  it('given a multi-byte character cut between two chunks, when pushed, then it is decoded whole', () => {
    const encoded = bytes('é中😀\n');
    const splitter = new LineSplitter();
    const first = splitter.push(encoded.subarray(0, 4));
    const second = splitter.push(encoded.subarray(4));
    expect([...first, ...second].map((l) => l.text)).toEqual(['é中😀']);
    expect(second[0]?.length).toBe(encoded.length);
  });

  it('given bytes after the last newline, when ended, then they come back as an unterminated line', () => {
    const splitter = new LineSplitter();
    splitter.push(bytes('one\ntw'));
    expect(splitter.end()).toEqual({
      text: 'tw',
      number: 2,
      offset: 4,
      length: 2,
      terminated: false,
    });
  });

  it('given input ending in a newline, when ended, then there is no unterminated line', () => {
    const splitter = new LineSplitter();
    splitter.push(bytes('one\n'));
    expect(splitter.end()).toBeUndefined();
  });

  it('given a start offset and line number, when pushed, then positions count from them', () => {
    const [line] = new LineSplitter({ offset: 1000, number: 41 }).push(bytes('z\n'));
    expect(line).toMatchObject({ number: 41, offset: 1000 });
  });

  it('given empty lines, when pushed, then each is a line of its own', () => {
    expect(new LineSplitter().push(bytes('\n\na\n')).map((l) => l.text)).toEqual(['', '', 'a']);
  });
});
