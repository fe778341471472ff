#!/usr/bin/env bash
# Installs whatever this project needs and is missing; skips each piece that is already there.
# Sourced by serve.sh and test.sh (it also puts the project's tool folder on PATH).
#
# Pieces: Debian's chromium and chromium-driver (and Mesa's Vulkan driver) and Fashion-MNIST
# (dataset-fashion-mnist); the rustup wasm target; a nightly toolchain's rust-src and wasm
# target (the threaded CPU module); trunk; wasm-bindgen-cli at exactly
# Cargo.lock's wasm-bindgen version; a working wasm-opt (npm's binaryen: Debian's binaryen 108
# emits a wasm that crashes at load); the e2e test's npm packages.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/.tools"
TRUNK_VERSION=0.21.14 # trunk 0.22 needs a newer rustc than rust-toolchain.toml's
BINARYEN_VERSION=132.0.0

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
compgen -G '/usr/share/vulkan/icd.d/lvp_icd.*' >/dev/null || missing+=(mesa-vulkan-drivers)
# The image pipeline's data (the tests do not need it; training and eval-images do).
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# The wasm target of the toolchain rust-toolchain.toml names.
cd "$repo"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The threaded CPU module (scripts/build-threads.sh) rebuilds the standard library with atomics:
# a nightly toolchain with its sources and the wasm target.
if ! rustup toolchain list | grep -q '^nightly-'; then
  say "installing a nightly toolchain (for the threaded CPU module)"
  rustup toolchain install nightly --profile minimal
fi
if ! rustup component list --toolchain nightly --installed | grep -qx rust-src; then
  say "adding the nightly toolchain's rust-src"
  rustup component add --toolchain nightly rust-src
fi
if ! rustup target list --toolchain nightly --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the nightly toolchain's target wasm32-unknown-unknown"
  rustup target add --toolchain nightly wasm32-unknown-unknown
fi

# trunk.
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (several minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli, which must equal the wasm-bindgen crate in Cargo.lock.
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version"
  # Not --locked: its lockfile pins a crate version the registry no longer has.
  cargo install --force wasm-bindgen-cli --version "$bindgen_version"
fi

# wasm-opt from npm's binaryen, in the project's own tool folder.
if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) under .tools/"
  npm install --silent --no-audit --no-fund --prefix "$tools" "binaryen@$BINARYEN_VERSION"
fi
export PATH="$tools/node_modules/.bin:$PATH"

# The end-to-end test's packages, as package-lock.json pins them.
if [ ! -d "$repo/tests/e2e/node_modules/playwright-core" ]; then
  say "installing the e2e test's npm packages"
  npm ci --silent --no-audit --no-fund --prefix "$repo/tests/e2e"
fi
