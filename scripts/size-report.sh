#!/usr/bin/env bash
# What each setting of the `web` profile buys: builds the library for wasm32 under cargo's
# default release settings, with opt-level z alone (in target/size/), and with the whole `web`
# profile (cold, each is several minutes on 2 cores), then runs wasm-bindgen and wasm-opt on the
# last as trunk does, and prints raw, gzip and brotli sizes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo"

build() { # name, then env settings for the `web` profile
  local name=$1; shift
  env CARGO_TARGET_DIR="target/size/$name" "$@" \
    cargo build --locked --profile web --lib --target wasm32-unknown-unknown >&2
  echo "$name=target/size/$name/wasm32-unknown-unknown/web/diffusion_lab.wasm"
}
W=CARGO_PROFILE_WEB
# 1: cargo's default release settings (opt-level 3, thin local LTO, 16 codegen units).
cargo build --locked --release --lib --target wasm32-unknown-unknown >&2
files=("1-cargo-release=target/wasm32-unknown-unknown/release/diffusion_lab.wasm")
# 2: opt-level z alone.
files+=("$(build 2-opt-z ${W}_LTO=false ${W}_CODEGEN_UNITS=16)")
# 3: the shipped `web` profile (opt-level z, fat LTO, one codegen unit).
cargo build --locked --profile web --lib --target wasm32-unknown-unknown >&2
files+=("3-web-profile=target/wasm32-unknown-unknown/web/diffusion_lab.wasm")
# Each build as it ships: through wasm-bindgen, then wasm-opt -Oz (trunk's two steps), which
# also drop the name and debug sections that make the raw files above look alike.
for entry in "${files[@]}"; do
  name=${entry%%=*}
  out="target/size/bindgen/$name"
  wasm-bindgen --target web --out-dir "$out" "${entry#*=}"
  wasm-opt -Oz -o "$out/opt.wasm" "$out/diffusion_lab_bg.wasm"
  files+=("$name+bindgen+wasm-opt=$out/opt.wasm")
done
node scripts/wasm-sizes.mjs "${files[@]}"
