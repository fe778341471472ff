#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, clippy (native and wasm32),
# the native tests, the browser tests (wasm-bindgen-test in headless Chromium on WebGPU) and the
# end-to-end test of the page built by trunk. Stops at the first failure.
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

step "clippy, native"
cargo clippy --all-targets --locked -- -D warnings

step "clippy, wasm32"
cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "native tests (release: the image tests run the shipped models, and the command line is built once)"
cargo test --release --locked

step "browser tests (wasm-bindgen-test, headless Chromium, WebGPU on SwiftShader)"
# The `web` profile, as trunk builds the page (the dev profile makes a wasm of over 600 MB).
# The timeout is generous: on SwiftShader (WebGPU on the CPU) a small training step takes about
# half a second; the two training runs use the page's CPU backend, about 20 times faster.
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=2400 \
  cargo test --locked --profile web --target wasm32-unknown-unknown --test web -- --nocapture

step "build the page (trunk, release, wasm-opt)"
trunk build --release

step "end-to-end test (Playwright, headless Chromium)"
npm test --prefix tests/e2e

step "all checks passed"
