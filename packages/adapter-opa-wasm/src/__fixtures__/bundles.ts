import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

/** One tar entry of a test bundle; `type` defaults to a regular file. */
export interface TarEntry {
  readonly path: string;
  readonly body?: string | Uint8Array;
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  readonly linkpath?: string;
}

const BLOCK = 512;

/** The smallest valid WebAssembly module header: magic `\0asm`, version 1. */
export const FAKE_WASM = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** A tar archive of `entries`, written block by block (so that bad archives can be made too). */
export function tarOf(entries: readonly TarEntry[], options: { endMarker?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'File';
    const data =
      type === 'File'
        ? Buffer.from(typeof e.body === 'string' ? e.body : (e.body ?? ''))
        : Buffer.alloc(0);
    const header = Buffer.alloc(BLOCK);
    new Header({
      path: e.path,
      mode: type === 'Directory' ? 0o755 : 0o644,
      size: data.length,
      type,
      mtime: new Date(0),
      ...(e.linkpath === undefined ? {} : { linkpath: e.linkpath }),
    }).encode(header);
    blocks.push(header, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  if (options.endMarker !== false) blocks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(blocks);
}

/** `tarOf(entries)` gzipped, as `opa build` writes bundle.tar.gz. */
export function bundleOf(
  entries: readonly TarEntry[],
  options: { endMarker?: boolean } = {},
): Buffer {
  return gzipSync(tarOf(entries, options));
}

/** The files `opa build -t wasm -e govgate/allow` writes, with a given policy.wasm. */
export function aBundle(
  wasm: Uint8Array = FAKE_WASM,
  extra: { data?: unknown; manifest?: unknown } = {},
): Buffer {
  const entries: TarEntry[] = [
    { path: '/data.json', body: JSON.stringify(extra.data ?? {}) },
    { path: '/policy.wasm', body: wasm },
    { path: '/seed.rego', body: 'package govgate\n' },
    {
      path: '/.manifest',
      body: JSON.stringify(
        extra.manifest ?? {
          revision: '',
          roots: [''],
          wasm: [{ entrypoint: 'govgate/allow', module: '/policy.wasm' }],
        },
      ),
    },
  ];
  return bundleOf(entries);
}
