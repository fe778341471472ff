//! Euler's method on the probability-flow ODE (Song et al. 2021; Karras et al. 2022, "Elucidating
//! the Design Space", eq. 4 and Algorithm 1 without its correction).
//!
//! In the variance-exploding variables y = x/α and σ̃ = σ/α the ODE is dy/dσ̃ = ε̂(x, t), so
//! y_s = y_t + (σ̃_s - σ̃_t) ε̂ and x_s = α_s y_s. (Algebraically this is DDIM with η = 0.)

use super::{Denoiser, Level, NoiseSource, Sampler};
use burn::tensor::Tensor;

/// Euler on the probability-flow ODE.
#[derive(Clone, Copy, Debug, Default)]
pub struct Euler;

/// One Euler step in y = x/α: returns y_s given y_t, the slope and the two levels.
pub(super) fn euler_y<const D: usize>(
    y: Tensor<D>,
    slope: Tensor<D>,
    from: Level,
    to: Level,
) -> Tensor<D> {
    y + slope.mul_scalar(to.sigma_ve() - from.sigma_ve())
}

impl<const D: usize> Sampler<D> for Euler {
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        _noise: &mut NoiseSource,
    ) -> Tensor<D> {
        // 1. The slope dy/dσ̃ = ε̂.
        let (_, eps) = model.estimate(x.clone(), from);
        // 2. Step in y, then back to x.
        euler_y(x.div_scalar(from.alpha()), eps, from, to).mul_scalar(to.alpha())
    }
}
