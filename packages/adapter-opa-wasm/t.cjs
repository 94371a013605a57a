const { Parser, Header } = require('tar');
function entry(path, body, type = 'File') {
  const data = Buffer.from(body);
  const h = new Header({
    path,
    mode: 0o644,
    size: type === 'File' ? data.length : 0,
    type,
    mtime: new Date(0),
    linkpath: type === 'SymbolicLink' ? '/etc/passwd' : undefined,
  });
  const hb = Buffer.alloc(512);
  h.encode(hb);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return type === 'File' ? Buffer.concat([hb, data, pad]) : hb;
}
function tarOf(entries) {
  return Buffer.concat([...entries, Buffer.alloc(1024)]);
}
function parse(buf, label) {
  const seen = [];
  const warns = [];
  let err;
  const p = new Parser({
    strict: true,
    onReadEntry: (e) => {
      const chunks = [];
      e.on('data', (c) => chunks.push(c));
      e.on('end', () => seen.push([e.path, e.type, e.size, Buffer.concat(chunks).toString()]));
    },
  });
  p.on('warn', (c, m) => warns.push([c, m]));
  p.on('error', (e) => (err = e));
  let ended = false;
  p.on('end', () => (ended = true));
  try {
    p.end(buf);
  } catch (e) {
    err = 'THROWN ' + e;
  }
  console.log(
    label,
    'sync seen',
    JSON.stringify(seen),
    'warns',
    JSON.stringify(warns),
    'err',
    err && err.code + ' ' + err.message,
    'ended',
    ended,
  );
}
const good = tarOf([
  entry('/policy.wasm', '\0asm\x01\0\0\0'),
  entry('/data.json', '{"a":1}'),
  entry('.manifest', '{}'),
]);
parse(good, 'good');
parse(good.subarray(0, 600), 'trunc600');
parse(good.subarray(0, 1030), 'trunc1030');
parse(Buffer.from('hello world this is not tar'.repeat(40)), 'nottar');
parse(tarOf([entry('../../x', 'a'), entry('a/./b', 'c'), entry('s', '', 'SymbolicLink')]), 'trav');
parse(Buffer.alloc(0), 'empty');
parse(good.subarray(0, 2048), 'noEOF');
