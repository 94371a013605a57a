import wabtInit from 'wabt';

/**
 * What an entrypoint of the fake policy gives: a literal result set (JSON text, e.g.
 * '[{"result":true}]'), the input or the data it was given (as `[{"result": …}]`), or a
 * trap (a failing evaluation).
 */
export type FakeResult = { readonly json: string } | 'input' | 'data' | 'trap';

export interface FakePolicy {
  /** name → what it gives; ids are assigned in order. */
  readonly entrypoints: Readonly<Record<string, FakeResult>>;
  /** The builtins the module asks of its host, name → id. */
  readonly builtins?: Readonly<Record<string, number>>;
}

/** A WAT string literal of `text` (UTF-8 bytes, non-printable ones escaped). */
function watString(text: string): string {
  let out = '';
  for (const byte of Buffer.from(`${text}\0`, 'utf8')) {
    const c = String.fromCharCode(byte);
    out +=
      byte >= 0x20 && byte < 0x7f && c !== '"' && c !== '\\'
        ? c
        : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}

/**
 * A hand-written module with the OPA wasm ABI 1.2 exports opa-wasm uses, whose values are
 * JSON text (opa_json_parse and opa_json_dump are identities). It lets the loading,
 * checks and mapping run without an `opa` binary; it is no Rego evaluator.
 */
export async function fakeOpaWasm(policy: FakePolicy): Promise<Uint8Array> {
  const names = Object.keys(policy.entrypoints);
  const strings: string[] = [];
  let next = 1024;
  const place = (text: string): number => {
    const at = next;
    strings.push(`(data (i32.const ${at}) ${watString(text)})`);
    next += Buffer.byteLength(text, 'utf8') + 1;
    return at;
  };
  const builtinsAt = place(JSON.stringify(policy.builtins ?? {}));
  const entrypointsAt = place(JSON.stringify(Object.fromEntries(names.map((n, i) => [n, i]))));
  const prefixAt = place('[{"result":');
  const suffixAt = place('}]');
  const branches = names.map((name, id) => {
    const result = policy.entrypoints[name]!;
    const body =
      result === 'input'
        ? '(call $wrap (local.get $in) (local.get $inLen))'
        : result === 'data'
          ? '(call $wrap (local.get $data) (global.get $dataLen))'
          : result === 'trap'
            ? '(unreachable)'
            : `(i32.const ${place(result.json)})`;
    return `(if (i32.eq (local.get $ep) (i32.const ${id})) (then (return ${body})))`;
  });
  const wat = `(module
  (import "env" "memory" (memory 1))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (global $heap (mut i32) (i32.const 131072))
  (global $dataLen (mut i32) (i32.const 0))
  ${strings.join('\n  ')}
  (func (export "builtins") (result i32) (i32.const ${builtinsAt}))
  (func (export "entrypoints") (result i32) (i32.const ${entrypointsAt}))
  (func (export "opa_json_dump") (param i32) (result i32) (local.get 0))
  (func (export "opa_json_parse") (param i32 i32) (result i32)
    (global.set $dataLen (local.get 1)) (local.get 0))
  (func (export "opa_malloc") (param $n i32) (result i32) (local $at i32)
    (local.set $at (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $at))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
  (func $wrap (param $src i32) (param $len i32) (result i32) (local $out i32)
    (local.set $out (global.get $heap))
    (memory.copy (local.get $out) (i32.const ${prefixAt}) (i32.const 11))
    (memory.copy (i32.add (local.get $out) (i32.const 11)) (local.get $src) (local.get $len))
    (memory.copy (i32.add (local.get $out) (i32.add (i32.const 11) (local.get $len))) (i32.const ${suffixAt}) (i32.const 3))
    (local.get $out))
  (func (export "opa_eval") (param $ctx i32) (param $ep i32) (param $data i32) (param $in i32)
    (param $inLen i32) (param $heapPtr i32) (param $format i32) (result i32)
    (global.set $heap (local.get $heapPtr))
    ${branches.join('\n    ')}
    unreachable)
)`;
  const wabt = await wabtInit();
  const module = wabt.parseWat('fake-policy.wat', wat, { bulk_memory: true });
  try {
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
