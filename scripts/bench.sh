#!/usr/bin/env bash
# Every speed number of the project in one run, printed as one table (and written to
# target/bench/table.md): native 2D training with burn flex and with PyTorch on the CPU (and,
# with --gpu, burn wgpu and PyTorch CUDA), then the page in headless Chromium: time to ready
# and to the first grid, training steps per second and sampling times on the CPU backend and
# on WebGPU, images from words on the main thread and in the worker, the longest gap between
# frames, and the CPU path in each wasm build (scalar, SIMD, SIMD with threads) side by side. A benchmark: nothing here passes or fails, and the numbers are ratios within
# this one run (the machines are noisy).
#
#   scripts/bench.sh [--gpu] [--scalar] [--no-webgpu]
#
# --gpu       also the native GPU path (a build with the `gpu` feature) and PyTorch CUDA
# --scalar    also the page built without WebAssembly SIMD (a second wasm build, in
#             target/scalar; about 15 minutes cold on 2 cores), for its CPU numbers
# --no-webgpu leaves the page's WebGPU stage out (on SwiftShader it takes a quarter of an hour)
#
# PyTorch is installed on first use into a virtual environment under target/peers/ (the CPU
# build from download.pytorch.org when it answers, else PyPI's, about 5 GB with its CUDA
# libraries); nothing outside target/ changes.
set -euo pipefail
gpu=false scalar=false devices=cpu,webgpu
for arg in "$@"; do
  case $arg in
    --gpu) gpu=true ;;
    --scalar) scalar=true ;;
    --no-webgpu) devices=cpu ;;
    *) echo "unknown option $arg (see the top of $0)" >&2; exit 2 ;;
  esac
done
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH="$repo/.tools/node_modules/.bin:$PATH"
out=target/bench
rm -rf "$out"
mkdir -p "$out"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "native: burn flex"
cargo bench --locked --bench core | tee "$out/native-flex.txt"
if $gpu; then
  say "native: burn wgpu"
  DIFFUSION_LAB_DEVICE=gpu cargo bench --locked --features gpu --bench core | tee "$out/native-wgpu.txt"
fi

say "native: PyTorch"
venv=target/peers/venv
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet --index-url https://download.pytorch.org/whl/cpu torch numpy \
    || "$venv/bin/pip" install --quiet torch numpy
fi
"$venv/bin/python" benches/peers/points_torch.py --device cpu | tee "$out/torch-cpu.txt"
if $gpu; then
  "$venv/bin/python" benches/peers/points_torch.py --device cuda | tee "$out/torch-cuda.txt"
fi

say "the page (SIMD) and its threaded CPU module: trunk build --release"
trunk build --release
if $scalar; then
  say "the page (scalar): a wasm build without SIMD"
  # Neither wasm's SIMD instructions (+simd128, from .cargo/config.toml) nor burn's `simd`
  # kernels (the crate's default feature).
  DIFFUSION_LAB_THREADS=0 RUSTFLAGS="" CARGO_TARGET_DIR=target/scalar \
    trunk build --release --no-default-features --dist "$out/dist-scalar"
fi
for bench in bench bench:images bench:frames; do
  say "the page (SIMD): npm run $bench"
  BENCH_DEVICES=$devices npm run --silent "$bench" --prefix tests/e2e
done
mkdir -p "$out/simd"
cp target/e2e/perf.json target/e2e/images-perf.json target/e2e/frames.json "$out/simd/"

if $scalar; then
  for bench in bench bench:images; do
    say "the page (scalar): npm run $bench"
    DIST="$repo/$out/dist-scalar" BENCH_DEVICES=cpu npm run --silent "$bench" --prefix tests/e2e
  done
  mkdir -p "$out/scalar"
  cp target/e2e/perf.json target/e2e/images-perf.json "$out/scalar/"
fi

say "the CPU path in each build (scalar, SIMD, SIMD with threads): npm run bench:cpu"
if $scalar; then export DIST_SCALAR="$repo/$out/dist-scalar"; fi
npm run --silent bench:cpu --prefix tests/e2e
cp target/e2e/cpu-builds.json "$out/"

say "the table"
node scripts/bench-table.mjs "$out" | tee "$out/table.md"
