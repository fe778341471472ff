//! What the trainer and the samplers need of a denoising network, whatever the shape of its
//! data: `[batch, 2]` points or `[batch, channels, height, width]` latents.

use super::words::WordEmbeddingConfig;
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor};

/// A network that predicts ε or v from a noisy batch, its noise level, and optionally a word.
pub trait DenoisingNet<const D: usize>: Module + Clone {
    /// The network's output at `x` and times `t` ∈ [0, 1], each row given its word's label
    /// (0 is ∅, no word) when the network has a vocabulary.
    ///
    /// # Shapes
    /// - `x`: `[batch, ...]`
    /// - `t`: `[batch]`
    /// - `labels`: `[batch]`
    /// - output: the shape of `x`
    fn denoise(&self, x: Tensor<D>, t: Tensor<1>, labels: Option<Tensor<1, Int>>) -> Tensor<D>;
}

/// The hyper-parameters that build a [`DenoisingNet`].
pub trait NetConfig<const D: usize>: Clone {
    /// The network this config builds.
    type Net: DenoisingNet<D>;

    /// Checks the sizes, for configs that come from people.
    fn validate(&self) -> Result<(), String>;

    /// A network with fresh weights on `device`.
    fn init(&self, device: &Device) -> Self::Net;

    /// The words the network is conditioned on, if any.
    fn words(&self) -> Option<&WordEmbeddingConfig>;
}
