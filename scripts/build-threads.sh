#!/usr/bin/env bash
# Builds the threaded CPU module into DIST/threads/: the crate for wasm32 with atomics and SIMD,
# burn's flex on a rayon pool of web workers (src/web/threads.rs, www/worker/pool.js), and no
# WebGPU. The page's compute worker loads it instead of the page's own module where WebGPU is
# missing and the page is cross-origin isolated.
#
#   scripts/build-threads.sh [DIST]
#
# DIST is trunk's dist/ unless given; as trunk's post-build hook (Trunk.toml), trunk's staging
# folder, so that every `trunk build` and each of `trunk serve`'s rebuilds ship it (trunk
# empties its dist/ each time); DIFFUSION_LAB_THREADS=0 leaves it out there. Threads in wasm
# need the standard library rebuilt with atomics, which only a nightly toolchain does (`-Z
# build-std`): the `nightly` toolchain with `rust-src` (scripts/setup.sh adds it). Its own target
# folder, target/threads; the same `web` profile and `wasm-opt -Oz` as the page's module, run
# again only when the wasm changed (the result kept in target/threads/module), so a rebuild
# that changed nothing of it takes seconds.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
if [[ -n ${TRUNK_STAGING_DIR:-} && ${DIFFUSION_LAB_THREADS:-1} == 0 ]]; then
  echo "the threaded CPU module: left out (DIFFUSION_LAB_THREADS=0)"
  exit 0
fi
dist=$(realpath -m "${1:-${TRUNK_STAGING_DIR:-dist}}")/threads
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

wasm=target/threads/wasm32-unknown-unknown/web/diffusion_lab.wasm
module=target/threads/module
if [[ ! -f $module/diffusion_lab_bg.wasm || $wasm -nt $module/diffusion_lab_bg.wasm ]]; then
  rm -rf "$module"
  wasm-bindgen --target web --no-typescript --out-dir "$module" "$wasm"
  wasm-opt -Oz --enable-threads --enable-bulk-memory --enable-simd --enable-mutable-globals \
    --enable-sign-ext --enable-nontrapping-float-to-int \
    "$module/diffusion_lab_bg.wasm" -o "$module/diffusion_lab_bg.wasm"
fi
rm -rf "$dist"
mkdir -p "$dist"
cp -R "$module/." "$dist"
echo "the threaded CPU module: $dist ($(du -h "$dist/diffusion_lab_bg.wasm" | cut -f1))"
