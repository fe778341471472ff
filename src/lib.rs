//! Diffusion Lab: train and sample diffusion models in the browser, on WebGPU, with burn.
//!
//! The same code runs natively (tests and the command line, on burn's `flex` CPU backend) and in
//! the page (compiled to WebAssembly, on burn's wgpu backend over WebGPU, with `flex` as the
//! fallback when WebGPU is missing).
//!
//! Layout: the shared maths first, then one folder per pipeline, then the plumbing.
//! - [`diffusion`]: schedules, spacing, the forward process, prediction types, guidance.
//! - [`sampler`]: DDPM, DDIM, Euler, Heun, DPM-Solver++(2M), a trained network seen as a
//!   denoiser, and the exact denoiser of a Gaussian mixture.
//! - [`distill`]: progressive distillation: few-step students of a trained denoiser.
//! - [`nn`]: building blocks both pipelines use: sinusoidal embeddings, word vectors, EMA.
//! - [`train`]: the trainer, one optimiser step at a time, for any [`nn::DenoisingNet`].
//! - [`points`]: the 2D pipeline: datasets, the MLP denoiser, SWD/MMD, the playground state.
//! - [`images`]: the image pipeline: Fashion-MNIST, the latent autoencoder and denoiser, the
//!   judge.
//! - [`check`]: the one range check behind every `validate`, with its message.
//! - [`checkpoint`]: a trained model and its card as bytes.
//! - [`backend`]: which compute device the code runs on, and why.
//! - [`render`]: draws point clouds and trails with wgpu on the compute device (wasm).
//! - `web` (wasm only): the thin `wasm-bindgen` facade the page calls; no maths lives there.
#![warn(missing_docs)]

pub mod backend;
pub mod check;
pub mod checkpoint;
pub mod diffusion;
pub mod distill;
pub mod images;
pub mod nn;
pub mod points;
pub mod render;
pub mod sampler;
pub mod train;

#[cfg(target_family = "wasm")]
pub mod web;
