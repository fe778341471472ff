//! Classifier-free guidance ([`crate::diffusion::guidance`]) around two separate denoisers.
//!
//! It wraps any two denoisers (typically one network, once bound to a condition and once to
//! the "no condition" token) and is itself a denoiser, so every sampler can use it.

use super::{Denoiser, Level};
use crate::diffusion::guidance::combine;
use crate::diffusion::prediction::Prediction;
use burn::tensor::Tensor;

/// `uncond + scale · (cond - uncond)`, in ε.
pub struct Guidance<'a, const D: usize> {
    /// The model given the condition.
    pub cond: &'a dyn Denoiser<D>,
    /// The model given no condition.
    pub uncond: &'a dyn Denoiser<D>,
    /// The guidance scale w ≥ 0.
    pub scale: f64,
}

impl<const D: usize> Denoiser<D> for Guidance<'_, D> {
    fn prediction(&self) -> Prediction {
        Prediction::Epsilon
    }

    /// Guided ε. Each model's output is turned into ε first (ε is affine in the output at a
    /// fixed x, so guiding ε equals guiding v), which lets the two models differ in kind.
    fn predict(&self, x: Tensor<D>, level: Level) -> Tensor<D> {
        let (a, s) = (level.alpha(), level.sigma());
        let eps = |m: &dyn Denoiser<D>| {
            m.prediction()
                .to_eps(m.predict(x.clone(), level), x.clone(), &a, &s)
        };
        combine(eps(self.uncond), eps(self.cond), self.scale)
    }
}
