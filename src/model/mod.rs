//! Denoising networks.
//!
//! - [`embedding`]: sinusoidal features for time and for input coordinates.
//! - [`mlp`]: the 2D denoiser, a residual MLP.
//! - [`words`]: a vocabulary of trainable word vectors, with ∅ for "no condition".

pub mod embedding;
pub mod mlp;
pub mod words;

pub use mlp::{MlpDenoiser, MlpDenoiserConfig};
pub use words::{WordEmbedding, WordEmbeddingConfig};
