//! A trained network seen by the samplers: unconditional, or guided towards a word with
//! classifier-free guidance (Ho & Salimans 2022) in one batched forward pass.

use super::{Denoiser, Level};
use crate::diffusion::guidance::check_scale;
use crate::diffusion::prediction::Prediction;
use crate::nn::DenoisingNet;
use crate::nn::words::{NO_WORD, WordEmbeddingConfig};
use burn::tensor::{Int, Tensor};

/// A word and how strongly to follow it: classifier-free guidance with scale `guidance`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Condition {
    /// The word's label (1 for the vocabulary's first word).
    pub label: u32,
    /// The guidance scale w: 0 ignores the word, 1 is the conditional model, more sharpens.
    pub guidance: f64,
}

impl Condition {
    /// Follows `word` of the vocabulary `words` (when the network has one) with guidance `w`,
    /// both checked: the one place a word and a scale from a person become a condition.
    pub fn for_word(
        words: Option<&WordEmbeddingConfig>,
        word: &str,
        w: f64,
    ) -> Result<Condition, String> {
        let words = words.ok_or_else(|| {
            format!(
                "this model knows no words (it was not trained on words), so it cannot draw \
                 {word:?}"
            )
        })?;
        Ok(Condition {
            label: words.label(word)?,
            guidance: check_scale(w)?,
        })
    }
}

/// A trained network seen as a [`Denoiser`] for the samplers, unconditional or guided
/// towards a word.
pub struct NetworkDenoiser<'a, N> {
    /// The network (on a plain, non-autodiff device).
    pub network: &'a N,
    /// What it predicts.
    pub prediction: Prediction,
    /// The word to follow, if any (a conditional network without one sees ∅).
    pub condition: Option<Condition>,
}

impl<'a, N> NetworkDenoiser<'a, N> {
    /// The unconditional view of `network`.
    pub fn new(network: &'a N, prediction: Prediction) -> Self {
        Self {
            network,
            prediction,
            condition: None,
        }
    }

    /// The same network guided towards `condition` (or unconditional for `None`).
    pub fn guided(self, condition: Option<Condition>) -> Self {
        Self { condition, ..self }
    }
}

impl<N: DenoisingNet<D>, const D: usize> Denoiser<D> for NetworkDenoiser<'_, N> {
    fn prediction(&self) -> Prediction {
        self.prediction
    }

    /// Unconditional: one pass with ∅. Guided: [`DenoisingNet::denoise_guided`], one pass over
    /// the batch twice, with the word and with ∅, combined as `uncond + w (cond - uncond)` in
    /// the network's own output; at w = 0 that is the unconditional pass alone, at w = 1 the
    /// conditional one, so those take one pass. A network with the guidance as an input (a
    /// guided student) takes one pass at every w.
    fn predict(&self, x: Tensor<D>, level: Level) -> Tensor<D> {
        let b = x.dims()[0];
        let device = x.device();
        let one_pass = |label: u32| {
            let t = Tensor::<1>::full([b], level.t, &device);
            let labels = Tensor::<1, Int>::full([b], label as i64, &device);
            self.network.denoise(x.clone(), t, Some(labels))
        };
        let Some(Condition { label, guidance: w }) = self.condition else {
            let t = Tensor::<1>::full([b], level.t, &device);
            return self.network.denoise(x, t, None);
        };
        let guided = self.network.takes_guidance();
        if w == 0.0 && !guided {
            return one_pass(NO_WORD);
        }
        if w == 1.0 && !guided {
            return one_pass(label);
        }
        self.network.denoise_guided(
            x,
            Tensor::<1>::full([b], level.t, &device),
            Tensor::<1, Int>::full([b], label as i64, &device),
            Tensor::<1>::full([b], w, &device),
        )
    }
}
