//! What the trainer and the samplers need of a denoising network, whatever the shape of its
//! data: `[batch, 2]` points or `[batch, channels, height, width]` latents.

use super::words::{NO_WORD, WordEmbeddingConfig};
use crate::diffusion::guidance::combine_rows;
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

    /// Whether the network takes the guidance scale as an input: a student with guidance
    /// distilled into it (Meng et al. 2023), whose guided output takes one pass.
    fn takes_guidance(&self) -> bool {
        false
    }

    /// The output guided towards each row's word with the row's scale w (classifier-free
    /// guidance, Ho & Salimans 2022): by default two passes, with the words and with ∅,
    /// combined as `uncond + w (cond - uncond)`; a network that takes the guidance as an
    /// input overrides this with one pass.
    ///
    /// # Shapes
    /// - `x`: `[batch, ...]`; `t`, `labels`, `scales`: `[batch]`
    fn denoise_guided(
        &self,
        x: Tensor<D>,
        t: Tensor<1>,
        labels: Tensor<1, Int>,
        scales: Tensor<1>,
    ) -> Tensor<D> {
        two_pass_guidance(self, x, t, labels, scales)
    }
}

/// Classifier-free guidance in two passes of `net` over the batch, one with each row's word
/// and one with ∅, as one pass over a batch twice as large: the default
/// [`DenoisingNet::denoise_guided`].
pub fn two_pass_guidance<N: DenoisingNet<D>, const D: usize>(
    net: &N,
    x: Tensor<D>,
    t: Tensor<1>,
    labels: Tensor<1, Int>,
    scales: Tensor<1>,
) -> Tensor<D> {
    let b = x.dims()[0];
    let nothing = Tensor::<1, Int>::full([b], NO_WORD as i64, &x.device());
    let out = net.denoise(
        Tensor::cat(vec![x.clone(), x], 0),
        Tensor::cat(vec![t.clone(), t], 0),
        Some(Tensor::cat(vec![labels, nothing], 0)),
    );
    let cond = out.clone().slice(0..b);
    let uncond = out.slice(b..2 * b);
    combine_rows(uncond, cond, scales)
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
