//! `diffusion-lab`: train, sample and evaluate 2D and image diffusion models from the command
//! line, on the CPU (burn's `flex` backend) or, built with `--features gpu`, on a GPU with
//! `--device gpu` (burn's wgpu runtime). Names and flags are fixed so outside scripts can use
//! them.
//!
//! ```text
//! diffusion-lab train-2d (--dataset NAME | --datasets A,B,... | --points FILE.csv)
//!                        [--steps N] [--seed S] [--schedule linear|cosine|sigmoid]
//!                        [--word-dim D] [--label-dropout P] --out MODEL
//! diffusion-lab distill-2d --model MODEL (--dataset NAME | --points FILE.csv) [--from 64]
//!                          [--to K] [--steps-per-round N] [--learning-rate R] [--seed S]
//!                          --out STUDENT
//! diffusion-lab sample-2d --model MODEL --n N [--sampler ddpm|ddim|euler|heun|dpmpp2m|student]
//!                         [--steps K] [--eta E] [--seed S] [--word W [--guidance G]]
//!                         --out FILE.csv
//! diffusion-lab eval-2d (--dataset NAME | --datasets A,B,... [--word W] | --points FILE.csv)
//!                       --samples FILE.csv
//! diffusion-lab train-images --stage autoencoder|denoiser [--data DIR] [--steps N] [--batch B]
//!                            [--seed S] [--autoencoder FILE] [--resume] --out FILE
//! diffusion-lab train-judge [--data DIR] [--steps N] [--seed S] --out FILE
//! diffusion-lab sample-images --word WORD [--model FILE] [--autoencoder FILE] [--n N]
//!                             [--sampler S] [--steps K] [--guidance G] [--seed S]
//!                             --out grid.png [--npy samples.npy]
//! diffusion-lab eval-images [--model FILE] [--autoencoder FILE] [--judge FILE] [--data DIR]
//!                           [--n N] [--samplers A,B] [--steps K,L] [--guidance W,V]
//! ```

#[cfg(not(target_family = "wasm"))]
mod cli;
#[cfg(not(target_family = "wasm"))]
mod data_args;
#[cfg(not(target_family = "wasm"))]
mod distill;
#[cfg(not(target_family = "wasm"))]
mod images;
#[cfg(not(target_family = "wasm"))]
mod points_csv;
#[cfg(not(target_family = "wasm"))]
mod progress;

/// mimalloc keeps the freed tensors' memory for the next step (see Cargo.toml).
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_family = "wasm"))]
fn main() -> std::process::ExitCode {
    // On a thread of the CPU's thread pool: see `on_cpu_threads`.
    diffusion_lab::backend::on_cpu_threads(cli::run)
}

/// The command line is native only; the browser uses the library through `web`.
#[cfg(target_family = "wasm")]
fn main() {}
