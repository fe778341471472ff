//! DDIM (Song, Meng & Ermon 2021, "Denoising Diffusion Implicit Models", eq. 12):
//!
//! x_s = √ᾱ_s x̂₀ + √(1 - ᾱ_s - σ_η²) ε̂ + σ_η z,
//! σ_η = η √((1 - ᾱ_s)/(1 - ᾱ_t)) √(1 - ᾱ_t/ᾱ_s)  (eq. 16).
//!
//! η = 0 is deterministic (and equals an Euler step of the probability-flow ODE in the
//! variables x/α and σ/α); η = 1 has DDPM's posterior variance.

use super::{Denoiser, Level, NoiseSource, Sampler, first_order_step};
use burn::tensor::Tensor;

/// DDIM with stochasticity η.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ddim {
    /// η ∈ [0, 1].
    pub eta: f64,
}

impl<const D: usize> Sampler<D> for Ddim {
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        noise: &mut NoiseSource,
    ) -> Tensor<D> {
        // 1. The model's estimates x̂₀ and ε̂ ("predicted x₀" and the direction to x_t).
        let (x0, eps) = model.estimate(x.clone(), from);
        // 2. σ_η, eq. 16; η = 0 is the deterministic first-order step every sampler shares.
        let (at, a_s) = (from.alpha_bar, to.alpha_bar);
        let sigma_eta = self.eta * ((1.0 - a_s) / (1.0 - at)).sqrt() * (1.0 - at / a_s).sqrt();
        if sigma_eta <= 0.0 {
            return first_order_step(x, x0, from, to);
        }
        // 3. x_s, eq. 12.
        let direction = (1.0 - a_s - sigma_eta * sigma_eta).max(0.0).sqrt();
        let x_s = x0.mul_scalar(a_s.sqrt()) + eps.mul_scalar(direction);
        let z = noise.normal_like(&x_s);
        x_s + z.mul_scalar(sigma_eta)
    }
}
