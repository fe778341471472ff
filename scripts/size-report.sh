#!/usr/bin/env bash
# What each release-profile setting buys: builds the library for wasm32 under cargo's default
# release settings and then under each of this project's settings in turn (the first three in
# target folders of their own under target/size/, cold the first time: ~7 minutes each on 2 cores), then runs
# wasm-bindgen and wasm-opt on the shipped profile, and prints raw, gzip and brotli sizes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo"

build() { # name, then env settings for the release profile
  local name=$1; shift
  env CARGO_TARGET_DIR="target/size/$name" "$@" \
    cargo build --locked --release --lib --target wasm32-unknown-unknown >&2
  echo "$name=target/size/$name/wasm32-unknown-unknown/release/diffusion_lab.wasm"
}
P=CARGO_PROFILE_RELEASE
files=(
  "$(build 1-cargo-default ${P}_OPT_LEVEL=3 ${P}_LTO=false ${P}_CODEGEN_UNITS=16 ${P}_STRIP=false)"
  "$(build 2-opt-z ${P}_LTO=false ${P}_CODEGEN_UNITS=16 ${P}_STRIP=false)"
  "$(build 3-opt-z-lto-cgu1 ${P}_STRIP=false)"
)
# The shipped profile, in the usual target folder.
cargo build --locked --release --lib --target wasm32-unknown-unknown >&2
files+=("4-plus-strip=target/wasm32-unknown-unknown/release/diffusion_lab.wasm")
out=target/size/bindgen
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/diffusion_lab.wasm
files+=("5-plus-wasm-bindgen=$out/diffusion_lab_bg.wasm")
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types -o "$out/opt.wasm" "$out/diffusion_lab_bg.wasm"
files+=("6-plus-wasm-opt-Oz=$out/opt.wasm")
node scripts/wasm-sizes.mjs "${files[@]}"
