// Prints raw, gzip (level 9) and brotli (quality 11) sizes of the wasm files given as arguments:
//   node scripts/wasm-sizes.mjs label=path.wasm [label=path.wasm ...]
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const mb = (n) => (n / 1e6).toFixed(2) + " MB";
console.log("| build | raw | gzip -9 | brotli 11 |");
console.log("|---|---|---|---|");
for (const arg of process.argv.slice(2)) {
  const [label, path] = arg.includes("=") ? arg.split("=") : [arg, arg];
  const bytes = readFileSync(path);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }).length;
  console.log(`| ${label} | ${mb(bytes.length)} | ${mb(gz)} | ${mb(br)} |`);
}
