#!/usr/bin/env bash
# Trains the image models the page and `sample-images` ship with, in www/models/: the
# autoencoder, then the latent denoiser on its latents, then the judge (on real images only),
# then the denoiser's students of 4, 2 and 1 steps (guidance distilled in).
# Each stage saves every few minutes; run the script again after an interruption and it goes on
# where it stopped (`--resume`). The README records what it took on this machine.
#
#   ./scripts/train-images.sh            # all three stages, output in the terminal
#   nohup ./scripts/train-images.sh > train-images.log 2>&1 &   # in the background
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked --bin diffusion-lab
bin=target/release/diffusion-lab
models=www/models
resume() { if [ -f "$1.resume" ]; then echo --resume; fi; }
stage() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

stage "autoencoder"
"$bin" train-images --stage autoencoder --steps 2500 --seed 0 \
  $(resume "$models/autoencoder.dlab") --out "$models/autoencoder.dlab"

stage "latent denoiser"
"$bin" train-images --stage denoiser --autoencoder "$models/autoencoder.dlab" --steps 3500 \
  --seed 0 $(resume "$models/denoiser.dlab") --out "$models/denoiser.dlab"

stage "judge"
"$bin" train-judge --steps 1200 --seed 0 --out "$models/judge.dlab"

stage "students"
"$bin" train-images --stage distill --teacher "$models/denoiser.dlab" --seed 0 \
  $(resume "$models/student.dlab") --out "$models/student.dlab"

stage "done"
