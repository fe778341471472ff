//! Euler's method on the probability-flow ODE (Song et al. 2021; Karras et al. 2022, "Elucidating
//! the Design Space", eq. 4 and Algorithm 1 without its correction).
//!
//! In the variance-exploding variables y = x/α and σ̃ = σ/α the ODE is dy/dσ̃ = ε̂(x, t), so
//! y_s = y_t + (σ̃_s - σ̃_t) ε̂ and x_s = α_s y_s. Algebraically this is DDIM with η = 0, and
//! it is computed by the one first-order step all the samplers share
//! ([`super::first_order_step`]).

use super::{Denoiser, Level, NoiseSource, Sampler, first_order_step};
use burn::tensor::Tensor;

/// Euler on the probability-flow ODE.
#[derive(Clone, Copy, Debug, Default)]
pub struct Euler;

impl<const D: usize> Sampler<D> for Euler {
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        _noise: &mut NoiseSource,
    ) -> Tensor<D> {
        let (x0, _) = model.estimate(x.clone(), from);
        first_order_step(x, x0, from, to)
    }
}
