//! Heun's method (Euler predictor, trapezoid corrector) on the probability-flow ODE (Song et
//! al. 2021; Karras et al. 2022, Algorithm 1, deterministic), written in exponential-integrator
//! form (Lu et al. 2022, "DPM-Solver++").
//!
//! Karras et al. take the trapezoid of ε̂ over σ̃ = σ/α. That rule assumes the slope is nearly
//! linear over a step, which fails when a step spans decades of noise: the cosine schedule's
//! first step goes from σ̃ = 2·10⁴ down to single digits while ε̂ varies like 1/σ̃, and the
//! corrector then lands far off (RMS error 7.8 at 10 steps on a Gaussian mixture, against 0.15
//! for plain Euler). Here the ODE's linear part is integrated exactly and the trapezoid's
//! assumption is put on the data prediction x̂₀ as a function of λ = ln(α/σ), where it holds:
//!
//! 1. predictor (the Euler/DDIM step): x' = (σ_s/σ_t) x_t + α_s (1 - e^{-h}) x̂₀(x_t, t),
//!    h = λ_s - λ_t;
//! 2. corrector, with x̂₀ linear in λ between x̂₀(x_t, t) and x̂₀(x', s):
//!    x_s = x' + α_s (1 - (1 - e^{-h})/h) (x̂₀(x', s) - x̂₀(x_t, t));
//! 3. the last step, down to clean data (h = ∞), is the Euler limit x_s = x̂₀(x_t, t), as in
//!    Karras et al.
//!
//! Each step is exact when x̂₀ is linear in λ, so the method is second order.

use super::{Denoiser, Level, NoiseSource, Sampler, first_order_step};
use burn::tensor::Tensor;

/// Heun (second order) on the probability-flow ODE.
#[derive(Clone, Copy, Debug, Default)]
pub struct Heun;

impl<const D: usize> Sampler<D> for Heun {
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        _noise: &mut NoiseSource,
    ) -> Tensor<D> {
        let (x0, _) = model.estimate(x.clone(), from);
        if to.is_clean() {
            return x0;
        }
        let h = to.lambda() - from.lambda();
        let one_minus_exp = -(-h).exp_m1(); // 1 - e^{-h}
        // 1. Predictor.
        let predicted = first_order_step(x, x0.clone(), from, to);
        // 2. Corrector.
        let (x0_end, _) = model.estimate(predicted.clone(), to);
        predicted + (x0_end - x0).mul_scalar(to.alpha() * (1.0 - one_minus_exp / h))
    }
}
