import { describe, expect, it } from '@jest/globals';
import { progressReporter } from './progress.js';

function capture(): { write: (text: string) => void; text: () => string } {
  let out = '';
  return {
    write: (text) => {
      out += text;
    },
    text: () => out,
  };
}

describe('progressReporter', () => {
  it('writes a plain line per update when not on a terminal', () => {
    const out = capture();
    const progress = progressReporter(out.write, false, 250_000, 'entries');
    progress.update(100_000);
    progress.update(200_000);
    progress.finish();
    expect(out.text()).toBe('100,000 / 250,000 entries\n200,000 / 250,000 entries\n');
  });

  it('redraws a bar in place on a terminal and clears it at the end', () => {
    const out = capture();
    let now = 0;
    const progress = progressReporter(out.write, true, 10, 'entries', () => now);
    progress.update(5);
    now += 1_000;
    progress.update(10);
    progress.finish();
    expect(out.text()).toBe(
      `\r[${'#'.repeat(15)}${'.'.repeat(15)}] 5 / 10 entries (50%)` +
        `\r[${'#'.repeat(30)}] 10 / 10 entries (100%)` +
        '\r\x1b[K',
    );
  });

  it('skips redraws that come sooner than 100 ms apart', () => {
    const out = capture();
    const progress = progressReporter(out.write, true, 100, 'entries', () => 0);
    progress.update(10);
    progress.update(20);
    expect(out.text().split('\r').filter(Boolean)).toHaveLength(1);
  });

  it('caps the bar when entries appended meanwhile pass the total', () => {
    const out = capture();
    const progress = progressReporter(out.write, true, 10, 'entries', () => 0);
    progress.update(12);
    expect(out.text()).toContain('12 / 10 entries (100%)');
  });
});
