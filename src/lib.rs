//! Diffusion Lab: train and sample diffusion models in the browser, on WebGPU, with burn.
//!
//! The same code runs natively (tests and the command line, on burn's `flex` CPU backend) and in
//! the page (compiled to WebAssembly, on burn's wgpu backend over WebGPU, with `flex` as the
//! fallback when WebGPU is missing).
//!
//! Layout, one concept per module:
//! - [`backend`]: which compute device the code runs on, and why.
//! - [`data`]: the toy 2D datasets and user point sets.
//! - [`forward`]: the forward process: the noising chain, its closed form, its posterior.
//! - [`metrics`]: sliced Wasserstein and MMD between point sets.
//! - [`mixture`]: Gaussian mixtures and their exact denoiser, for testing samplers.
//! - [`prediction`]: ε- and v-prediction and the conversions between ε, v and x₀.
//! - [`sampler`]: DDPM, DDIM, Euler, Heun, DPM-Solver++(2M) and classifier-free guidance.
//! - [`schedule`]: noise schedules β_t and the tables built from them.
//! - [`spacing`]: which timesteps a sampler visits.
//! - `web` (wasm only): the thin `wasm-bindgen` facade the page calls; no maths lives there.
#![warn(missing_docs)]

pub mod backend;
pub mod data;
pub mod forward;
pub mod metrics;
pub mod mixture;
pub mod prediction;
pub mod sampler;
pub mod schedule;
pub mod spacing;

#[cfg(target_family = "wasm")]
pub mod web;
