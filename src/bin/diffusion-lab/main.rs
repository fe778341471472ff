//! `diffusion-lab`: train, sample and evaluate 2D diffusion models from the command line, on
//! the CPU (burn's `flex` backend). Names and flags are fixed so outside scripts can use them.
//!
//! ```text
//! diffusion-lab train-2d (--dataset NAME | --datasets A,B,... | --points FILE.csv)
//!                        [--steps N] [--seed S] [--schedule linear|cosine|sigmoid]
//!                        [--word-dim D] [--label-dropout P] --out MODEL
//! diffusion-lab sample-2d --model MODEL --n N [--sampler ddpm|ddim|euler|heun|dpmpp2m]
//!                         [--steps K] [--eta E] [--seed S] [--word W [--guidance G]]
//!                         --out FILE.csv
//! diffusion-lab eval-2d (--dataset NAME | --datasets A,B,... [--word W] | --points FILE.csv)
//!                       --samples FILE.csv
//! ```

#[cfg(not(target_family = "wasm"))]
mod cli;
#[cfg(not(target_family = "wasm"))]
mod points_csv;

#[cfg(not(target_family = "wasm"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

/// The command line is native only; the browser uses the library through `web`.
#[cfg(target_family = "wasm")]
fn main() {}
