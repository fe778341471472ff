//! Denoising networks.
//!
//! - [`embedding`]: sinusoidal features for time and for input coordinates.
//! - [`mlp`]: the 2D denoiser, a residual MLP.

pub mod embedding;
pub mod mlp;

pub use mlp::{MlpDenoiser, MlpDenoiserConfig};
