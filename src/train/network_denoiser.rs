//! A trained 2D network seen by the samplers: unconditional, or guided towards a word with
//! classifier-free guidance (Ho & Salimans 2022) in one batched forward pass.

use crate::model::MlpDenoiser;
use crate::model::words::NO_WORD;
use crate::prediction::Prediction;
use crate::sampler::{Denoiser, Level, guidance};
use burn::tensor::{Int, Tensor};

/// A word and how strongly to follow it: classifier-free guidance with scale `guidance`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Condition {
    /// The word's label (1 for the vocabulary's first word).
    pub label: u32,
    /// The guidance scale w: 0 ignores the word, 1 is the conditional model, more sharpens.
    pub guidance: f64,
}

/// A trained 2D network seen as a [`Denoiser`] for the samplers, unconditional or guided
/// towards a word.
pub struct NetworkDenoiser<'a> {
    /// The network (on a plain, non-autodiff device).
    pub network: &'a MlpDenoiser,
    /// What it predicts.
    pub prediction: Prediction,
    /// The word to follow, if any (a conditional network without one sees ∅).
    pub condition: Option<Condition>,
}

impl<'a> NetworkDenoiser<'a> {
    /// The unconditional view of `network`.
    pub fn new(network: &'a MlpDenoiser, prediction: Prediction) -> Self {
        Self {
            network,
            prediction,
            condition: None,
        }
    }

    /// The same network guided towards `condition`.
    pub fn guided(self, condition: Condition) -> Self {
        Self {
            condition: Some(condition),
            ..self
        }
    }
}

impl Denoiser<2> for NetworkDenoiser<'_> {
    fn prediction(&self) -> Prediction {
        self.prediction
    }

    /// Unconditional: one pass with ∅. Guided: one pass over the batch twice, with the word
    /// and with ∅, combined as `uncond + w (cond - uncond)` in the network's own output (ε or
    /// v: either is affine in ε at a fixed x, so guiding it equals guiding ε).
    fn predict(&self, x: Tensor<2>, level: Level) -> Tensor<2> {
        let [b, _] = x.dims();
        let device = x.device();
        let Some(Condition { label, guidance: w }) = self.condition else {
            let t = Tensor::<2>::full([b, 1], level.t, &device);
            return self.network.forward(x, t);
        };
        let t = Tensor::<2>::full([2 * b, 1], level.t, &device);
        let labels = Tensor::cat(
            vec![
                Tensor::<1, Int>::full([b], label as i64, &device),
                Tensor::<1, Int>::full([b], NO_WORD as i64, &device),
            ],
            0,
        );
        let out = self
            .network
            .forward_words(Tensor::cat(vec![x.clone(), x], 0), t, Some(labels));
        let cond = out.clone().slice(0..b);
        let uncond = out.slice(b..2 * b);
        guidance::combine(uncond, cond, w)
    }
}
