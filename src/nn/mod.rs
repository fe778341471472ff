//! Building blocks both pipelines use.
//!
//! - [`embedding`]: sinusoidal features for time and for input coordinates.
//! - [`words`]: a vocabulary of trainable word vectors, with ∅ for "no condition".
//! - [`ema`]: the exponential moving average of weights used for sampling.
//! - [`DenoisingNet`]: what the trainer and the samplers need of a denoising network.

pub mod ema;
pub mod embedding;
mod net;
pub mod words;

pub use net::{DenoisingNet, NetConfig, two_pass_guidance};
