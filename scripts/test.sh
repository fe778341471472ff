#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, clippy (native and wasm32, as
# the code is built for the tests), the native tests, the browser tests (wasm-bindgen-test in
# headless Chromium on WebGPU) and the end-to-end test of the page built by trunk. Stops at the
# first failure.
set -euo pipefail
# Each step's heading comes after the time the previous step took (the first: the set-up).
started=$(date +%s)
last=$started
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo"

step() {
  local now
  now=$(date +%s)
  printf '\n(%d s; %d s in all)\n\033[1m== %s\033[0m\n' $((now - last)) $((now - started)) "$*"
  last=$now
}

step "format"
cargo fmt --check

# Clippy lints the crate while the builds below compile it, with `-D warnings`: this is what
# `cargo clippy` does (clippy-driver as the wrapper of the workspace's own crates), with a full
# build instead of a check, so burn is compiled once per target instead of twice (a check
# build of its dependencies took about 6 minutes per target on a cold clone here).
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

step "native build, linted by clippy (release: library, command line, tests, benchmarks)"
cargo build --release --locked --all-targets

step "native tests (release: the image tests run the shipped models)"
cargo test --release --locked

step "browser tests, linted by clippy (wasm-bindgen-test, headless Chromium, WebGPU on SwiftShader)"
# The `web` profile, as trunk builds the page (the dev profile makes a wasm of over 600 MB).
# The timeout is generous: on SwiftShader (WebGPU on the CPU) a small training step takes about
# half a second; the two training runs use the page's CPU backend, about 20 times faster.
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=2400 \
  cargo test --locked --profile web --target wasm32-unknown-unknown --test web -- --nocapture

step "build the page (trunk, release, wasm-opt), and the threaded CPU module into dist/threads"
# Trunk's post-build hook (Trunk.toml) runs scripts/build-threads.sh: a third wasm build, in
# target/threads (nightly build-std, atomics), the SIMD module with flex on a pool of web
# workers, which the page's worker loads where WebGPU is missing and the page is cross-origin
# isolated.
trunk build --release

step "build the page without WebAssembly SIMD (for the end-to-end test that compares the two)"
# A second wasm build in its own target folder (about 15 minutes cold on 2 cores, 3 warm):
# no `+simd128` and burn without its `simd` feature.
export DIST_SCALAR="$repo/target/dist-scalar"
DIFFUSION_LAB_THREADS=0 RUSTFLAGS="" CARGO_TARGET_DIR=target/scalar \
  trunk build --release --no-default-features --dist "$DIST_SCALAR"

step "end-to-end test (Playwright, headless Chromium)"
npm test --prefix tests/e2e

step "all checks passed"
