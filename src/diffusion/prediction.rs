//! What the network predicts, and the conversions between ε, v and x₀.
//!
//! With x_t = α_t x₀ + σ_t ε, α_t = √ᾱ_t and σ_t = √(1 - ᾱ_t):
//! - ε-prediction (Ho et al. 2020): the network predicts the noise ε;
//! - v-prediction (Salimans & Ho 2022, "Progressive Distillation", appendix D):
//!   v = α_t ε - σ_t x₀, which stays well scaled as ᾱ → 0, where recovering x₀ from ε divides by
//!   a vanishing α_t.
//!
//! Conversions: x₀ = (x_t - σ ε)/α = α x_t - σ v, ε = (x_t - α x₀)/σ = σ x_t + α v.
//! Each takes its coefficients as an [`f64`] (one noise level for the whole batch, as in a
//! sampler) or as a tensor that broadcasts over the batch (one per sample, as in training).

use burn::config::Config;
use burn::tensor::Tensor;

/// The quantity a denoiser outputs (a config value: a model's card names it).
#[derive(Config, Copy, Debug, PartialEq, Eq)]
pub enum Prediction {
    /// The noise ε that was added.
    Epsilon,
    /// The velocity v = α ε - σ x₀.
    V,
}

/// A coefficient that scales a batch: a number, or a tensor broadcast over the batch.
pub trait Coefficient<const D: usize> {
    /// `self · x`.
    fn times(&self, x: Tensor<D>) -> Tensor<D>;
    /// `x / self`.
    fn divides(&self, x: Tensor<D>) -> Tensor<D>;
}

impl<const D: usize> Coefficient<D> for f64 {
    fn times(&self, x: Tensor<D>) -> Tensor<D> {
        x.mul_scalar(*self)
    }
    fn divides(&self, x: Tensor<D>) -> Tensor<D> {
        x.div_scalar(*self)
    }
}

impl<const D: usize> Coefficient<D> for Tensor<D> {
    fn times(&self, x: Tensor<D>) -> Tensor<D> {
        x * self.clone()
    }
    fn divides(&self, x: Tensor<D>) -> Tensor<D> {
        x / self.clone()
    }
}

impl Prediction {
    /// Parses `epsilon` (or `eps`) or `v`.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "epsilon" | "eps" => Ok(Self::Epsilon),
            "v" => Ok(Self::V),
            other => Err(format!(
                "unknown prediction type {other:?}: use epsilon or v"
            )),
        }
    }

    /// The short name `parse` accepts.
    pub fn name(self) -> &'static str {
        match self {
            Self::Epsilon => "epsilon",
            Self::V => "v",
        }
    }

    /// The training target for clean data `x0` noised with `eps` at (α, σ).
    pub fn target<const D: usize, C: Coefficient<D>>(
        self,
        x0: Tensor<D>,
        eps: Tensor<D>,
        alpha: &C,
        sigma: &C,
    ) -> Tensor<D> {
        match self {
            Self::Epsilon => eps,
            Self::V => alpha.times(eps) - sigma.times(x0),
        }
    }

    /// x₀ implied by the network's `output` at `x_t` and (α, σ).
    pub fn to_x0<const D: usize, C: Coefficient<D>>(
        self,
        output: Tensor<D>,
        x_t: Tensor<D>,
        alpha: &C,
        sigma: &C,
    ) -> Tensor<D> {
        match self {
            // α ≥ √ᾱ_T > 0 for every schedule here.
            Self::Epsilon => alpha.divides(x_t - sigma.times(output)),
            Self::V => alpha.times(x_t) - sigma.times(output),
        }
    }

    /// ε implied by the network's `output` at `x_t` and (α, σ).
    pub fn to_eps<const D: usize, C: Coefficient<D>>(
        self,
        output: Tensor<D>,
        x_t: Tensor<D>,
        alpha: &C,
        sigma: &C,
    ) -> Tensor<D> {
        match self {
            Self::Epsilon => output,
            Self::V => sigma.times(x_t) + alpha.times(output),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn t(v: &[f32]) -> Tensor<2> {
        Tensor::from_data(
            TensorData::new(v.to_vec(), [v.len() / 2, 2]),
            &Device::flex(),
        )
    }

    fn close(a: Tensor<2>, b: Tensor<2>) {
        let (a, b) = (
            a.into_data().try_into_vec::<f32>().unwrap(),
            b.into_data().try_into_vec::<f32>().unwrap(),
        );
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }

    /// Noise known data, then recover x₀ and ε from each kind of output.
    #[test]
    fn conversions_recover_x0_and_eps() {
        let (x0, eps) = (t(&[1.0, -2.0, 0.5, 3.0]), t(&[0.3, 0.7, -1.2, 0.1]));
        let abar = 0.36f64;
        let (a, s) = (abar.sqrt(), (1.0 - abar).sqrt());
        let x_t = x0.clone().mul_scalar(a) + eps.clone().mul_scalar(s);
        for p in [Prediction::Epsilon, Prediction::V] {
            let out = p.target(x0.clone(), eps.clone(), &a, &s);
            close(p.to_x0(out.clone(), x_t.clone(), &a, &s), x0.clone());
            close(p.to_eps(out, x_t.clone(), &a, &s), eps.clone());
        }
        // v = α ε - σ x₀ by hand for the first coordinate: 0.6·0.3 - 0.8·1 = -0.62.
        let v = Prediction::V.target(x0.clone(), eps.clone(), &a, &s);
        assert!((v.into_data().try_into_vec::<f32>().unwrap()[0] + 0.62).abs() < 1e-6);
        // Per-sample coefficients broadcast over the batch.
        let at = Tensor::<2>::from_data(
            TensorData::new(vec![a as f32, a as f32], [2, 1]),
            &Device::flex(),
        );
        let st = Tensor::<2>::from_data(
            TensorData::new(vec![s as f32, s as f32], [2, 1]),
            &Device::flex(),
        );
        close(
            Prediction::V.to_x0(
                Prediction::V.target(x0.clone(), eps, &at, &st),
                x_t,
                &at,
                &st,
            ),
            x0,
        );
    }

    #[test]
    fn names_parse() {
        assert_eq!(Prediction::parse("v"), Ok(Prediction::V));
        assert_eq!(
            Prediction::parse(Prediction::Epsilon.name()),
            Ok(Prediction::Epsilon)
        );
        assert!(
            Prediction::parse("x0")
                .unwrap_err()
                .contains("epsilon or v")
        );
    }
}
