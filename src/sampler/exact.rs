//! Isotropic Gaussian mixtures in 2D, whose optimal denoiser is known in closed form.
//!
//! If x₀ ~ Σ_k w_k N(μ_k, s_k² I), then x_t = α x₀ + σ ε ~ Σ_k w_k N(α μ_k, v_k I) with
//! v_k = α² s_k² + σ², and the exact (minimum-error) noise prediction is
//! ε*(x_t) = -σ ∇log q(x_t) = σ Σ_k r_k(x_t) (x_t - α μ_k)/v_k, with r_k the posterior
//! responsibility of component k (Tweedie's formula; Efron 2011). A sampler driven by ε* must
//! reproduce the mixture, which tests samplers with no training in the way.

use super::{Denoiser, Level};
use crate::diffusion::prediction::Prediction;
use burn::tensor::{Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

/// One component: weight, mean, standard deviation per axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Component {
    /// Mixture weight (the weights are normalised when used).
    pub weight: f64,
    /// Mean μ.
    pub mean: [f64; 2],
    /// Standard deviation s (isotropic).
    pub std: f64,
}

/// A 2D isotropic Gaussian mixture.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMixture {
    /// The components.
    pub components: Vec<Component>,
}

impl GaussianMixture {
    /// `n` points, `[x0, y0, ...]`, from `seed`.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        let total: f64 = self.components.iter().map(|c| c.weight).sum();
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let mut u = rng.random::<f64>() * total;
            let c = self
                .components
                .iter()
                .find(|c| {
                    u -= c.weight;
                    u < 0.0
                })
                .unwrap_or(&self.components[self.components.len() - 1]);
            for k in 0..2 {
                let z: f64 = StandardNormal.sample(&mut rng);
                out.push((c.mean[k] + c.std * z) as f32);
            }
        }
        out
    }

    /// The exact ε*(x) at noise level ᾱ (< 1), for one point.
    pub fn exact_eps(&self, x: [f64; 2], alpha_bar: f64) -> [f64; 2] {
        let (a, s2) = (alpha_bar.sqrt(), 1.0 - alpha_bar);
        // log(w_k N(x; α μ_k, v_k I)) up to a shared constant, then softmax.
        let terms: Vec<(f64, f64, [f64; 2])> = self
            .components
            .iter()
            .map(|c| {
                let v = a * a * c.std * c.std + s2;
                let d = [x[0] - a * c.mean[0], x[1] - a * c.mean[1]];
                let log = c.weight.ln() - v.ln() - (d[0] * d[0] + d[1] * d[1]) / (2.0 * v);
                (log, v, d)
            })
            .collect();
        let max = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
        let norm: f64 = terms.iter().map(|t| (t.0 - max).exp()).sum();
        let sigma = s2.sqrt();
        let mut eps = [0.0; 2];
        for (log, v, d) in terms {
            let r = (log - max).exp() / norm;
            eps[0] += sigma * r * d[0] / v;
            eps[1] += sigma * r * d[1] / v;
        }
        eps
    }
}

/// ε* (or v*) of a mixture as a [`Denoiser`]: the exact teacher the samplers and the
/// distillation are tested with. Computed on the CPU in f64, reading `x` back synchronously
/// (for native tests, not for the browser).
pub struct ExactDenoiser {
    /// The data distribution.
    pub mixture: GaussianMixture,
    /// What it outputs.
    pub prediction: Prediction,
}

impl Denoiser<2> for ExactDenoiser {
    fn prediction(&self) -> Prediction {
        self.prediction
    }

    fn predict(&self, x: Tensor<2>, level: Level) -> Tensor<2> {
        let device = x.device();
        let [n, _] = x.dims();
        let xs = x.into_data().try_into_vec::<f32>().unwrap();
        let (a, s) = (level.alpha(), level.sigma());
        let out: Vec<f32> = xs
            .chunks_exact(2)
            .flat_map(|p| {
                let p = [p[0] as f64, p[1] as f64];
                let e = self.mixture.exact_eps(p, level.alpha_bar);
                match self.prediction {
                    Prediction::Epsilon => e,
                    // v = α ε - σ x₀ with x₀ = (x - σ ε)/α, i.e. v = (ε - σ x)/α.
                    Prediction::V => [(e[0] - s * p[0]) / a, (e[1] - s * p[1]) / a],
                }
                .map(|v| v as f32)
            })
            .collect();
        Tensor::from_data(TensorData::new(out, [n, 2]), &device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For a single Gaussian N(μ, s²), ε* = σ (x - αμ)/(α² s² + σ²), by hand.
    #[test]
    fn one_component_is_the_gaussian_closed_form() {
        let m = GaussianMixture {
            components: vec![Component {
                weight: 1.0,
                mean: [1.0, -2.0],
                std: 0.5,
            }],
        };
        let (abar, x) = (0.64, [0.3, 0.1]);
        let (a, s) = (0.8, 0.6);
        let v = a * a * 0.25 + s * s;
        let e = m.exact_eps(x, abar);
        assert!((e[0] - s * (x[0] - a * 1.0) / v).abs() < 1e-12);
        assert!((e[1] - s * (x[1] + a * 2.0) / v).abs() < 1e-12);
    }

    /// Sampling honours the weights and the moments.
    #[test]
    fn samples_have_the_mixture_moments() {
        let m = GaussianMixture {
            components: vec![
                Component {
                    weight: 3.0,
                    mean: [-1.0, 0.0],
                    std: 0.1,
                },
                Component {
                    weight: 1.0,
                    mean: [1.0, 0.0],
                    std: 0.1,
                },
            ],
        };
        let p = m.sample(40_000, 1);
        let mean_x: f64 = p.chunks_exact(2).map(|q| q[0] as f64).sum::<f64>() / 40_000.0;
        assert!((mean_x - (-0.5)).abs() < 0.02, "{mean_x}");
    }
}
