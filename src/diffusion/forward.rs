//! The forward process: the Markov chain that adds noise, its closed form, and its posterior.
//!
//! Ho et al. 2020, eqs. 2, 4, 6-7:
//! - one step: q(x_t | x_{t-1}) = N(√(1-β_t) x_{t-1}, β_t I);
//! - closed form: q(x_t | x₀) = N(√ᾱ_t x₀, (1-ᾱ_t) I), so x_t = √ᾱ_t x₀ + √(1-ᾱ_t) ε;
//! - posterior: q(x_s | x_t, x₀) = N(μ̃, β̃ I) for any earlier s < t (s = t - 1 in the paper),
//!   with α_{t|s} = ᾱ_t/ᾱ_s, β_{t|s} = 1 - α_{t|s}:
//!   μ̃ = √ᾱ_s β_{t|s}/(1-ᾱ_t) x₀ + √α_{t|s} (1-ᾱ_s)/(1-ᾱ_t) x_t, β̃ = β_{t|s} (1-ᾱ_s)/(1-ᾱ_t).

use crate::diffusion::prediction::Coefficient;
use burn::tensor::Tensor;

/// x_t = √ᾱ x₀ + √(1-ᾱ) ε: a sample of q(x_t | x₀) (ᾱ a number, or one per sample).
pub fn add_noise<const D: usize, C: Coefficient<D>>(
    x0: Tensor<D>,
    eps: Tensor<D>,
    sqrt_alpha_bar: &C,
    sqrt_one_minus_alpha_bar: &C,
) -> Tensor<D> {
    sqrt_alpha_bar.times(x0) + sqrt_one_minus_alpha_bar.times(eps)
}

/// One step of the chain: x_t = √(1-β_t) x_{t-1} + √β_t ε.
pub fn chain_step<const D: usize>(x_prev: Tensor<D>, eps: Tensor<D>, beta: f64) -> Tensor<D> {
    x_prev.mul_scalar((1.0 - beta).sqrt()) + eps.mul_scalar(beta.sqrt())
}

/// The Gaussian q(x_s | x_t, x₀) between two noise levels ᾱ_t < ᾱ_s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Posterior {
    /// The weight of x₀ in the mean.
    pub x0_coef: f64,
    /// The weight of x_t in the mean.
    pub xt_coef: f64,
    /// The variance β̃.
    pub variance: f64,
}

impl Posterior {
    /// The posterior from level ᾱ_t down to the less noisy ᾱ_s (ᾱ_s = 1 for clean data).
    pub fn new(alpha_bar_t: f64, alpha_bar_s: f64) -> Self {
        let alpha_ts = alpha_bar_t / alpha_bar_s;
        let beta_ts = 1.0 - alpha_ts;
        Self {
            x0_coef: alpha_bar_s.sqrt() * beta_ts / (1.0 - alpha_bar_t),
            xt_coef: alpha_ts.sqrt() * (1.0 - alpha_bar_s) / (1.0 - alpha_bar_t),
            variance: beta_ts * (1.0 - alpha_bar_s) / (1.0 - alpha_bar_t),
        }
    }

    /// μ̃(x_t, x₀).
    pub fn mean<const D: usize>(&self, x0: Tensor<D>, x_t: Tensor<D>) -> Tensor<D> {
        x0.mul_scalar(self.x0_coef) + x_t.mul_scalar(self.xt_coef)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::schedule::{BetaSchedule, NoiseSchedule};
    use crate::points::data::Dataset;
    use crate::sampler::NoiseSource;
    use burn::tensor::{Device, TensorData};

    fn moments(x: Tensor<2>) -> ([f64; 2], [f64; 2]) {
        let v = x.into_data().try_into_vec::<f32>().unwrap();
        let n = (v.len() / 2) as f64;
        let mut m = [0.0; 2];
        let mut s = [0.0; 2];
        for p in v.chunks_exact(2) {
            for k in 0..2 {
                m[k] += p[k] as f64 / n;
                s[k] += (p[k] as f64).powi(2) / n;
            }
        }
        (m, [s[0] - m[0] * m[0], s[1] - m[1] * m[1]])
    }

    /// Running the chain t steps and jumping there with the closed form give the same
    /// Gaussian: mean √ᾱ E[x₀], variance ᾱ Var[x₀] + 1 - ᾱ.
    #[test]
    fn chain_and_closed_form_agree_in_distribution() {
        let device = Device::flex();
        let n = 20_000;
        let data = Dataset::Moons.sample(n, 1);
        let x0 = Tensor::<2>::from_data(TensorData::new(data, [n, 2]), &device);
        let (m0, v0) = moments(x0.clone());
        let schedule = NoiseSchedule::new(BetaSchedule::LINEAR, 1000).unwrap();
        let mut noise = NoiseSource::new(5, &device);
        for steps in [50usize, 300, 1000] {
            let mut x = x0.clone();
            for beta in &schedule.betas[..steps] {
                x = chain_step(x, noise.normal([n, 2]), *beta);
            }
            let abar = schedule.alphas_cumprod[steps - 1];
            let (a, s) = (abar.sqrt(), (1.0 - abar).sqrt());
            let jumped = add_noise(x0.clone(), noise.normal([n, 2]), &a, &s);
            for (name, xs) in [("chain", x), ("closed form", jumped)] {
                let (m, v) = moments(xs);
                for k in 0..2 {
                    let (want_m, want_v) = (a * m0[k], abar * v0[k] + 1.0 - abar);
                    // Five standard errors of the mean and of the variance.
                    assert!(
                        (m[k] - want_m).abs() < 5.0 * (want_v / n as f64).sqrt(),
                        "{name} t={steps} mean {m:?}"
                    );
                    assert!(
                        (v[k] - want_v).abs() < 5.0 * want_v * (2.0 / n as f64).sqrt(),
                        "{name} t={steps} var {v:?}"
                    );
                }
            }
        }
    }

    /// For one step (s = t - 1) the posterior is Ho et al.'s eq. 7, and its mean is the
    /// precision-weighted combination of the prior and the step's likelihood.
    #[test]
    fn posterior_matches_the_paper_and_bayes() {
        let schedule = NoiseSchedule::new(BetaSchedule::Cosine, 1000).unwrap();
        let t = 400;
        let (abar_t, abar_s) = (schedule.alphas_cumprod[t], schedule.alphas_cumprod[t - 1]);
        let (beta, alpha) = (schedule.betas[t], schedule.alphas[t]);
        let p = Posterior::new(abar_t, abar_s);
        assert!((p.x0_coef - abar_s.sqrt() * beta / (1.0 - abar_t)).abs() < 1e-12);
        assert!((p.xt_coef - alpha.sqrt() * (1.0 - abar_s) / (1.0 - abar_t)).abs() < 1e-12);
        assert!((p.variance - (1.0 - abar_s) / (1.0 - abar_t) * beta).abs() < 1e-12);
        // Bayes: prior x_s ~ N(√ᾱ_s x₀, 1-ᾱ_s), likelihood x_t | x_s ~ N(√α x_s, β):
        // precision 1/(1-ᾱ_s) + α/β.
        let precision = 1.0 / (1.0 - abar_s) + alpha / beta;
        assert!((p.variance - 1.0 / precision).abs() < 1e-9);
        assert!((p.x0_coef - abar_s.sqrt() / (1.0 - abar_s) / precision).abs() < 1e-9);
        assert!((p.xt_coef - alpha.sqrt() / beta / precision).abs() < 1e-9);
        // Down to clean data the posterior is x₀ itself.
        let clean = Posterior::new(abar_t, 1.0);
        assert!(
            (clean.x0_coef - 1.0).abs() < 1e-12
                && clean.xt_coef.abs() < 1e-12
                && clean.variance.abs() < 1e-12
        );
    }
}
