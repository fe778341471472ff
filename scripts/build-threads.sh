#!/usr/bin/env bash
# Builds the threaded CPU module into DIST/threads/ (DIST: trunk's dist/ unless given): the
# crate for wasm32 with atomics and SIMD, burn's flex on a rayon pool of web workers
# (wasm-bindgen-rayon), and no WebGPU. The page's compute worker loads it instead of the
# page's own module where WebGPU is missing and the page is cross-origin isolated.
#
#   scripts/build-threads.sh [DIST]
#
# Run it after `trunk build` (trunk empties its dist/ folder). Threads in wasm need the standard
# library rebuilt with atomics, which only a nightly toolchain does (`-Z build-std`): the
# `nightly` toolchain with `rust-src` (scripts/setup.sh adds it). Its own target folder,
# target/threads; the same `web` profile and `wasm-opt -Oz` as the page's module.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
dist=$(realpath -m "${1:-dist}")/threads
export PATH="$repo/.tools/node_modules/.bin:$PATH"

# Linted as it builds, as scripts/test.sh lints the other builds, by the nightly toolchain's
# clippy (the stable one cannot build against a nightly standard library).
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
RUSTC_WORKSPACE_WRAPPER=$(rustup which --toolchain nightly clippy-driver)
# Shared memory imported by every worker (2 GiB at most: a shared memory cannot grow past the
# maximum it declares), and the thread-local storage each worker sets up for itself.
link=(--shared-memory --import-memory --max-memory=2147483648
  --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base)
RUSTUP_TOOLCHAIN=nightly \
  RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+simd128 ${link[*]/#/-C link-arg=}" \
  cargo build --locked --lib --profile web --target wasm32-unknown-unknown \
  -Z build-std=panic_abort,std --target-dir target/threads

rm -rf "$dist"
wasm-bindgen --target web --no-typescript --out-dir "$dist" \
  target/threads/wasm32-unknown-unknown/web/diffusion_lab.wasm
wasm-opt -Oz --enable-threads --enable-bulk-memory --enable-simd --enable-mutable-globals \
  --enable-sign-ext --enable-nontrapping-float-to-int \
  "$dist/diffusion_lab_bg.wasm" -o "$dist/diffusion_lab_bg.wasm"
echo "the threaded CPU module: $dist ($(du -h "$dist/diffusion_lab_bg.wasm" | cut -f1))"
