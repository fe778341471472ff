//! Diffusion Lab: train and sample diffusion models in the browser, on WebGPU, with burn.
//!
//! The same code runs natively (tests and the command line, on burn's `flex` CPU backend) and in
//! the page (compiled to WebAssembly, on burn's wgpu backend over WebGPU, with `flex` as the
//! fallback when WebGPU is missing).
//!
//! Layout, one concept per module:
//! - [`backend`]: which compute device the code runs on, and why.
//! - [`checkpoint`]: a trained model and its card as bytes.
//! - [`data`]: the toy 2D datasets and user point sets.
//! - [`ema`]: the exponential moving average of weights used for sampling.
//! - [`forward`]: the forward process: the noising chain, its closed form, its posterior.
//! - [`metrics`]: sliced Wasserstein and MMD between point sets.
//! - [`mixture`]: Gaussian mixtures and their exact denoiser, for testing samplers.
//! - [`model`]: the denoising networks and the word vectors they condition on.
//! - [`pca`]: principal axes, to draw word vectors of any dimension in a plane.
//! - [`point_set`]: training points and held-out sets, from a dataset or a person.
//! - [`playground`]: the 2D playground's state and operations, behind the page's `Playground`.
//! - [`prediction`]: ε- and v-prediction and the conversions between ε, v and x₀.
//! - [`sampler`]: DDPM, DDIM, Euler, Heun, DPM-Solver++(2M) and classifier-free guidance.
//! - [`quality`]: SWD and MMD of samples next to their floor; which group a sample looks like.
//! - [`render`]: draws point clouds and trails with wgpu on the compute device (wasm).
//! - [`schedule`]: noise schedules β_t and the tables built from them.
//! - [`spacing`]: which timesteps a sampler visits.
//! - [`train`]: the trainer: one optimiser step at a time, Adam, EMA, clipping.
//! - [`word_scores`]: judging a model conditioned on words, word by word and scale by scale.
//! - `web` (wasm only): the thin `wasm-bindgen` facade the page calls; no maths lives there.
#![warn(missing_docs)]

pub mod backend;
pub mod checkpoint;
pub mod data;
pub mod ema;
pub mod forward;
pub mod metrics;
pub mod mixture;
pub mod model;
pub mod pca;
pub mod playground;
pub mod point_set;
pub mod prediction;
pub mod quality;
pub mod render;
pub mod sampler;
pub mod schedule;
pub mod spacing;
pub mod train;
pub mod word_scores;

#[cfg(target_family = "wasm")]
pub mod web;
