import { describe, expect, it } from '@jest/globals';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from './api-key.js';

describe('API keys', () => {
  it('generates ggk_<id>_<secret> keys that parse back to their id and verify', () => {
    const { key, id, secretHash } = generateApiKey();
    expect(key).toMatch(/^ggk_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key);
    expect(parsed?.id).toBe(id);
    expect(secretMatches(parsed?.secret ?? '', secretHash)).toBe(true);
  });

  it('refuses a wrong secret', () => {
    const { secretHash } = generateApiKey();
    expect(secretMatches(generateApiKey().key.slice(21), secretHash)).toBe(false);
  });

  it.each([
    '',
    'ggk_',
    'ggk_short_x',
    `ggk_${'a'.repeat(16)}-${'b'.repeat(43)}`,
    `xx_${'a'.repeat(16)}_${'b'.repeat(43)}`,
  ])('does not parse %p', (text) => {
    expect(parseApiKey(text)).toBeUndefined();
  });

  it('stores only a hash of the secret', () => {
    expect(hashSecret('s')).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches('s', 'not-hex')).toBe(false);
  });
});
