//! DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): a multistep second-order
//! solver of the probability-flow ODE written for the data prediction x̂₀.
//!
//! Notation: λ = ln(α/σ), h = λ_s - λ_t, r = h_prev/h.
//! x_s = (σ_s/σ_t) x_t - α_s (e^{-h} - 1) D, with D = x̂₀(t) on the first step and
//! D = (1 + 1/(2r)) x̂₀(t) - 1/(2r) x̂₀(prev) after. The last step, down to σ = 0 (h = ∞), is
//! x_s = x̂₀(t), the first-order limit (diffusers' `final_sigmas_type = "zero"`).

use super::{Denoiser, Level, NoiseSource, Sampler, first_order_step};
use burn::tensor::Tensor;

/// DPM-Solver++(2M); holds the previous step's x̂₀ and h, so use a fresh one per run.
pub struct DpmSolverPp2m<const D: usize> {
    previous: Option<(Tensor<D>, f64)>,
}

impl<const D: usize> Default for DpmSolverPp2m<D> {
    fn default() -> Self {
        Self { previous: None }
    }
}

impl<const D: usize> Sampler<D> for DpmSolverPp2m<D> {
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        _noise: &mut NoiseSource,
    ) -> Tensor<D> {
        // 1. The data prediction x̂₀ at t.
        let (x0, _) = model.estimate(x.clone(), from);
        // 2. Down to clean data: the first-order limit.
        if to.is_clean() {
            self.previous = None;
            return x0;
        }
        // 3. h, and D from this and the previous x̂₀ (first order on the first step).
        let h = to.lambda() - from.lambda();
        let d = match self.previous.take() {
            Some((x0_prev, h_prev)) => {
                let half_over_r = 0.5 * h / h_prev; // 1/(2r)
                x0.clone().mul_scalar(1.0 + half_over_r) - x0_prev.mul_scalar(half_over_r)
            }
            None => x0.clone(),
        };
        self.previous = Some((x0, h));
        // 4. The exponential-integrator update: the first-order step with D for x̂₀.
        first_order_step(x, d, from, to)
    }
}
