import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { FAKE_WASM, aBundle, bundleOf, tarOf } from './__fixtures__/bundles.js';
import { fromWasm, readBundle } from './bundle.js';

/** The POLICY_INVALID error `fn` throws. */
function failure(fn: () => unknown): GovgateError {
  try {
    fn();
  } catch (error) {
    if (GovgateError.is(error, 'POLICY_INVALID')) return error;
    throw error;
  }
  throw new Error('expected POLICY_INVALID, nothing was thrown');
}

describe('readBundle', () => {
  it('reads policy.wasm, data.json, the manifest and lists every file', () => {
    const bundle = readBundle(aBundle(FAKE_WASM, { data: { models: ['gpt-4o'] } }));
    expect(Array.from(bundle.wasm)).toEqual(Array.from(FAKE_WASM));
    expect(bundle.data).toEqual({ models: ['gpt-4o'] });
    expect(bundle.manifest?.wasm).toEqual([
      { entrypoint: 'govgate/allow', module: '/policy.wasm' },
    ]);
    expect([...bundle.files].sort()).toEqual([
      '.manifest',
      'data.json',
      'policy.wasm',
      'seed.rego',
    ]);
  });

  it('accepts a bundle with only policy.wasm (no data, no manifest)', () => {
    const bundle = readBundle(bundleOf([{ path: 'policy.wasm', body: FAKE_WASM }]));
    expect(bundle.data).toEqual({});
    expect(bundle.manifest).toBeUndefined();
  });

  it('accepts directory entries and ./ paths', () => {
    const bundle = readBundle(
      bundleOf([
        { path: './', type: 'Directory' },
        { path: './policy.wasm', body: FAKE_WASM },
      ]),
    );
    expect(bundle.files).toEqual(['policy.wasm']);
  });

  it('refuses data that is not gzip', () => {
    const e = failure(() => readBundle(tarOf([{ path: '/policy.wasm', body: FAKE_WASM }])));
    expect(e.details).toEqual([
      { pointer: '/bundle', message: expect.stringContaining('not gzip') },
    ]);
  });

  it('refuses corrupt gzip data', () => {
    const bytes = aBundle();
    bytes.writeUInt8(bytes.readUInt8(20) ^ 0xff, 20);
    expect(failure(() => readBundle(bytes)).message).toMatch(/gzip data is corrupt|truncated/);
  });

  it('refuses a truncated bundle', () => {
    const bytes = aBundle();
    const e = failure(() => readBundle(bytes.subarray(0, bytes.length - 10)));
    expect(e.message).toContain('truncated');
  });

  it('refuses a tar archive cut inside an entry', () => {
    const tar = tarOf([{ path: '/policy.wasm', body: Buffer.alloc(2000, 1) }], {
      endMarker: false,
    });
    const cut = Buffer.concat([tar.subarray(0, 1024), Buffer.alloc(1024)]);
    expect(failure(() => readBundle(gzipSync(cut))).message).toMatch(/truncated|not a valid tar/);
  });

  it('refuses a tar archive without its end marker', () => {
    const bytes = bundleOf([{ path: '/policy.wasm', body: FAKE_WASM }], { endMarker: false });
    expect(failure(() => readBundle(bytes)).message).toContain('no end marker');
  });

  it('refuses gzip data that is not a tar archive', () => {
    const e = failure(() => readBundle(gzipSync(Buffer.from('{"not":"a tar"}'.repeat(100)))));
    expect(e.message).toContain('not a tar archive');
  });

  it('refuses a bundle that unpacks to more than the limit (gzip bomb)', () => {
    const bomb = bundleOf([{ path: '/policy.wasm', body: Buffer.alloc(4 * 1024 * 1024) }]);
    const e = failure(() => readBundle(bomb, { maxUnpackedBytes: 1024 * 1024 }));
    expect(e.message).toContain('unpacks to more than 1048576 bytes');
  });

  it.each([['../../etc/passwd'], ['a/../../b'], ['//abs/policy.wasm'], ['C:/x'], ['a\\b']])(
    'refuses the path %s',
    (path) => {
      const bytes = bundleOf([
        { path: '/policy.wasm', body: FAKE_WASM },
        { path, body: 'x' },
      ]);
      expect(failure(() => readBundle(bytes)).message).toContain('unsafe path');
    },
  );

  it('refuses a symbolic link', () => {
    const bytes = bundleOf([
      { path: '/policy.wasm', body: FAKE_WASM },
      { path: '/data.json', type: 'SymbolicLink', linkpath: '/etc/passwd' },
    ]);
    const e = failure(() => readBundle(bytes));
    expect(e.details[0]).toEqual({
      pointer: '/bundle/data.json',
      message: "'data.json' is a SymbolicLink entry; a bundle may hold only regular files",
    });
  });

  it('refuses a file that is in the bundle twice', () => {
    const bytes = bundleOf([
      { path: '/policy.wasm', body: FAKE_WASM },
      { path: 'policy.wasm', body: FAKE_WASM },
    ]);
    expect(failure(() => readBundle(bytes)).details[0]?.message).toBe(
      "'policy.wasm' is in the bundle twice",
    );
  });

  it('refuses a bundle without policy.wasm', () => {
    const e = failure(() => readBundle(bundleOf([{ path: '/data.json', body: '{}' }])));
    expect(e.details[0]?.pointer).toBe('/bundle/policy.wasm');
    expect(e.message).toContain('no /policy.wasm');
  });

  it('refuses a policy.wasm without the \\0asm magic', () => {
    const e = failure(() => readBundle(aBundle(Buffer.from('not wasm at all'))));
    expect(e.details).toEqual([
      {
        pointer: '/bundle/policy.wasm',
        message: 'policy.wasm is not a WebAssembly module (it does not start with \\0asm)',
      },
    ]);
  });

  it('refuses a data.json that is an array', () => {
    const e = failure(() => readBundle(aBundle(FAKE_WASM, { data: [1, 2] })));
    expect(e.details).toEqual([
      { pointer: '/bundle/data.json', message: 'data.json must be a JSON object' },
    ]);
  });

  it('refuses a data.json that is not JSON', () => {
    const bytes = bundleOf([
      { path: '/policy.wasm', body: FAKE_WASM },
      { path: '/data.json', body: '{nope' },
    ]);
    expect(failure(() => readBundle(bytes)).message).toContain('data.json is not JSON');
  });

  it('refuses prototype keys in data.json', () => {
    const bytes = bundleOf([
      { path: '/policy.wasm', body: FAKE_WASM },
      { path: '/data.json', body: '{"a":{"__proto__":{"x":1}}}' },
    ]);
    expect(failure(() => readBundle(bytes)).details[0]?.pointer).toBe(
      '/bundle/data.json/a/__proto__',
    );
  });

  it('refuses data files below the root', () => {
    const bytes = bundleOf([
      { path: '/policy.wasm', body: FAKE_WASM },
      { path: '/roles/data.json', body: '{}' },
    ]);
    expect(failure(() => readBundle(bytes)).details[0]?.pointer).toBe('/bundle/roles~1data.json');
  });

  it('refuses a manifest of the wrong shape, pointing at the field', () => {
    const e = failure(() =>
      readBundle(aBundle(FAKE_WASM, { manifest: { revision: 7, wasm: [{ entrypoint: 'a' }] } })),
    );
    expect(e.details).toEqual([
      { pointer: '/bundle/.manifest/revision', message: '.manifest/revision: must be a string' },
      {
        pointer: '/bundle/.manifest/wasm/0/module',
        message: ".manifest/wasm/0/module: 'module' is required",
      },
    ]);
  });

  it('refuses a manifest naming another wasm module', () => {
    const manifest = { wasm: [{ entrypoint: 'govgate/allow', module: '/other.wasm' }] };
    const e = failure(() => readBundle(aBundle(FAKE_WASM, { manifest })));
    expect(e.details[0]?.pointer).toBe('/bundle/.manifest/wasm/0/module');
  });

  it('refuses a manifest that is not JSON', () => {
    const bytes = bundleOf([
      { path: '/policy.wasm', body: FAKE_WASM },
      { path: '/.manifest', body: 'revision: 1' },
    ]);
    expect(failure(() => readBundle(bytes)).details[0]?.pointer).toBe('/bundle/.manifest');
  });
});

describe('fromWasm', () => {
  it('takes a bare policy.wasm with data', () => {
    expect(fromWasm(FAKE_WASM, { a: 1 })).toEqual({
      wasm: FAKE_WASM,
      data: { a: 1 },
      files: ['policy.wasm'],
    });
  });

  it('refuses bytes without the wasm magic', () => {
    expect(failure(() => fromWasm(Buffer.from('PK\x03\x04'))).details[0]?.pointer).toBe('/wasm');
  });

  it('refuses data that is not an object', () => {
    expect(failure(() => fromWasm(FAKE_WASM, 'x')).details).toEqual([
      { pointer: '/data', message: 'data must be a JSON object' },
    ]);
  });
});
