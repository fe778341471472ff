//! Building blocks both pipelines use.
//!
//! - [`embedding`]: sinusoidal features for time and for input coordinates.
//! - [`words`]: a vocabulary of trainable word vectors, with ∅ for "no condition".
//! - [`ema`]: the exponential moving average of weights used for sampling.
//! - [`layer_norm`]: layer normalisation as one operation with its own gradient on the CPU.
//! - [`linear`]: a linear layer whose products use every core on the CPU.
//! - [`silu`]: SiLU as one operation with its own gradient on the CPU.
//! - [`DenoisingNet`]: what the trainer and the samplers need of a denoising network.

mod cpu;
pub mod ema;
pub mod embedding;
pub mod layer_norm;
pub mod linear;
mod net;
pub mod silu;
pub mod words;

pub use net::{DenoisingNet, NetConfig, two_pass_guidance};
