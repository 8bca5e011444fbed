// Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside every text-like or
// wasm file of the built site (target/site), for the release binary to embed and serve as they
// are (server/src/assets.rs). A copy is kept only when it saves at least 5% and 256 bytes.
// Copies from an earlier build are removed first. Node's own zlib: no extra package.
//
// Usage: node scripts/precompress.mjs target/site
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/precompress.mjs <site folder>');
  process.exit(2);
}
const COMPRESSIBLE = /\.(wasm|js|mjs|css|html|svg|json|txt|xml|map|ico)$/i;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

for (const path of files(root)) {
  if (/\.(br|gz)$/.test(path)) unlinkSync(path);
}
let raw = 0;
let br = 0;
for (const path of [...files(root)]) {
  if (!COMPRESSIBLE.test(path)) continue;
  const data = readFileSync(path);
  const copies = {
    br: brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_MODE]: /\.wasm$/i.test(path)
          ? constants.BROTLI_MODE_GENERIC
          : constants.BROTLI_MODE_TEXT,
      },
    }),
    gz: gzipSync(data, { level: 9 }),
  };
  for (const [suffix, copy] of Object.entries(copies)) {
    if (copy.length <= data.length * 0.95 && data.length - copy.length >= 256) {
      writeFileSync(`${path}.${suffix}`, copy);
    }
  }
  if (/\.(wasm|js)$/i.test(path)) {
    raw += data.length;
    br += Math.min(copies.br.length, data.length);
    console.log(`precompress: ${relative(root, path)}: ${data.length} B, br ${copies.br.length} B, gzip ${copies.gz.length} B`);
  }
}
console.log(`precompress: wasm + JS ${raw} B, ${br} B as brotli`);
