import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { NEVER_PROVIDED, SDK_BUILTINS, allowedBuiltins, checkBuiltins } from './builtins.js';

describe('builtins', () => {
  it('lists exactly the builtins the installed opa-wasm implements', () => {
    const require = createRequire(__filename);
    const sdkDir = dirname(require.resolve('@open-policy-agent/opa-wasm'));
    const implemented = require(join(sdkDir, 'builtins', 'index.js')) as Record<string, unknown>;
    expect([...SDK_BUILTINS].sort()).toEqual(Object.keys(implemented).sort());
  });

  it('accepts SDK builtins and provided ones', () => {
    expect(() =>
      checkBuiltins(['sprintf', 'govgate.x'], { 'govgate.x': () => null }),
    ).not.toThrow();
  });

  it('refuses http.send, even when a caller provides it', () => {
    try {
      checkBuiltins(['http.send'], { 'http.send': () => null });
      throw new Error('not refused');
    } catch (error) {
      expect(GovgateError.is(error, 'POLICY_INVALID')).toBe(true);
      expect((error as GovgateError).message).toContain(
        "the policy calls the builtin 'http.send', which govgate never provides",
      );
    }
  });

  it('refuses a builtin nobody provides, naming it', () => {
    expect(() => checkBuiltins(['crypto.x509.parse_certificates'])).toThrow(
      "the policy calls the builtin 'crypto.x509.parse_certificates', which neither the OPA wasm SDK nor govgate provides",
    );
  });

  it('never hands a forbidden builtin to the SDK', () => {
    const passed = allowedBuiltins({ 'http.send': () => null, 'ok.fn': () => 1 });
    expect(Object.keys(passed)).toEqual(['ok.fn']);
    expect(NEVER_PROVIDED).toContain('http.send');
  });
});
