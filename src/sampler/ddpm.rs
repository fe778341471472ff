//! DDPM ancestral sampling (Ho et al. 2020, Algorithm 2), generalised to skipped steps:
//! x_s ~ q(x_s | x_t, x̂₀), the forward posterior with the denoiser's x̂₀ in place of x₀.
//!
//! Notation: `from` = t, `to` = s < t; `posterior` = q(x_s | x_t, x₀) of [`crate::diffusion::forward`].

use super::{Denoiser, Level, NoiseSource, Sampler};
use crate::diffusion::forward::Posterior;
use burn::tensor::Tensor;

/// DDPM ancestral sampling.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ddpm;

impl<const D: usize> Sampler<D> for Ddpm {
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        noise: &mut NoiseSource,
    ) -> Tensor<D> {
        // 1. x̂₀ from the model.
        let (x0, _) = model.estimate(x.clone(), from);
        // 2. The posterior mean and variance β̃ (Ho et al. eq. 7).
        let posterior = Posterior::new(from.alpha_bar, to.alpha_bar);
        let mean = posterior.mean(x0, x);
        // 3. Add noise, except on the last step (β̃ = 0 down to clean data).
        if posterior.variance > 0.0 {
            let z = noise.normal_like(&mean);
            mean + z.mul_scalar(posterior.variance.sqrt())
        } else {
            mean
        }
    }
}
