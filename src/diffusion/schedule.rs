//! Noise schedules: the variances β_t of the forward process and the tables built from them.
//!
//! Notation (Ho, Jain & Abbeel 2020, "Denoising Diffusion Probabilistic Models"), with the
//! timestep index `i` in `0..T` as in diffusers (index `i` has had `i + 1` noising steps):
//!
//! | code | paper |
//! |---|---|
//! | `betas[i]` | β_t, the variance added at step t: q(x_t \| x_{t-1}) = N(√(1-β_t) x_{t-1}, β_t I) |
//! | `alphas[i]` | α_t = 1 - β_t |
//! | `alphas_cumprod[i]` | ᾱ_t = Π_{s≤t} α_s: q(x_t \| x_0) = N(√ᾱ_t x_0, (1-ᾱ_t) I) |
//! | `snr(i)` | SNR(t) = ᾱ_t / (1 - ᾱ_t) (Kingma et al. 2021, "Variational Diffusion Models") |
//! | `sigma(i)` | σ_t = √((1-ᾱ_t)/ᾱ_t), the noise level of the variance-exploding view x/√ᾱ_t (Karras et al. 2022) |
//!
//! Continuous time `t ∈ [0, 1]` maps index `i` to `t = (i + 1) / T` and `t = 0` to clean data
//! (ᾱ = 1); between grid points log ᾱ is interpolated linearly.

use crate::check::check_range;
use burn::config::Config;

/// How β_t grows over the T steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BetaSchedule {
    /// β linear from `beta_start` to `beta_end` (Ho et al. 2020: 1e-4 to 0.02 over T = 1000).
    Linear {
        /// β at the first step.
        beta_start: f64,
        /// β at the last step.
        beta_end: f64,
    },
    /// ᾱ(t) = cos²((t/T + s)/(1 + s) · π/2) with s = 0.008, β capped at 0.999 (Nichol &
    /// Dhariwal 2021, "Improved DDPM"; diffusers' `squaredcos_cap_v2`).
    Cosine,
    /// β = sigmoid(linspace(-6, 6, T)) · (`beta_end` - `beta_start`) + `beta_start`
    /// (Xu et al. 2022, GeoDiff; diffusers' `sigmoid`).
    Sigmoid {
        /// β at the first step (approached).
        beta_start: f64,
        /// β at the last step (approached).
        beta_end: f64,
    },
}

/// [`BetaSchedule`] by name, as a config value (DDPM's β range for linear and sigmoid).
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum BetaScheduleName {
    /// [`BetaSchedule::LINEAR`].
    Linear,
    /// [`BetaSchedule::Cosine`].
    Cosine,
    /// [`BetaSchedule::SIGMOID`].
    Sigmoid,
}

impl BetaScheduleName {
    /// The schedule it names.
    pub fn schedule(self) -> BetaSchedule {
        match self {
            Self::Linear => BetaSchedule::LINEAR,
            Self::Cosine => BetaSchedule::Cosine,
            Self::Sigmoid => BetaSchedule::SIGMOID,
        }
    }

    /// Parses `linear`, `cosine` or `sigmoid`.
    pub fn parse(name: &str) -> Result<Self, String> {
        Ok(match BetaSchedule::parse(name)? {
            BetaSchedule::Linear { .. } => Self::Linear,
            BetaSchedule::Cosine => Self::Cosine,
            BetaSchedule::Sigmoid { .. } => Self::Sigmoid,
        })
    }
}

/// The range of T a person may choose.
pub const TIMESTEPS: std::ops::RangeInclusive<usize> = 2..=10_000;
/// The most points [`alpha_bar_curve`] draws.
pub const MAX_CURVE_POINTS: usize = 100_000;

/// ᾱ of the schedule `name` with `timesteps` steps at `points` evenly spaced times from 0 to 1
/// (the page's schedule chart), every number checked.
pub fn alpha_bar_curve(name: &str, timesteps: usize, points: usize) -> Result<Vec<f32>, String> {
    check_range("T", timesteps, &TIMESTEPS)?;
    check_range("the number of points", points, &(2..=MAX_CURVE_POINTS))?;
    let schedule = NoiseSchedule::new(BetaSchedule::parse(name)?, timesteps)?;
    Ok(linspace(0.0, 1.0, points)
        .into_iter()
        .map(|t| schedule.alpha_bar(t) as f32)
        .collect())
}

/// DDPM's β range, 1e-4 to 0.02 (Ho et al. 2020, section 4).
pub const DDPM_BETA_START: f64 = 1e-4;
/// DDPM's β range, 1e-4 to 0.02 (Ho et al. 2020, section 4).
pub const DDPM_BETA_END: f64 = 0.02;
/// The cosine schedule's offset s, which keeps β_1 from being vanishingly small (Nichol &
/// Dhariwal 2021, eq. 17).
pub const COSINE_OFFSET: f64 = 0.008;
/// The cosine schedule's cap on β, which avoids a singularity at t = T (Nichol & Dhariwal 2021).
pub const COSINE_MAX_BETA: f64 = 0.999;

impl BetaSchedule {
    /// The linear schedule with DDPM's range.
    pub const LINEAR: Self = Self::Linear {
        beta_start: DDPM_BETA_START,
        beta_end: DDPM_BETA_END,
    };
    /// The sigmoid schedule with DDPM's range.
    pub const SIGMOID: Self = Self::Sigmoid {
        beta_start: DDPM_BETA_START,
        beta_end: DDPM_BETA_END,
    };

    /// Parses `linear`, `cosine` or `sigmoid` (DDPM's β range for linear and sigmoid).
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "linear" => Ok(Self::LINEAR),
            "cosine" => Ok(Self::Cosine),
            "sigmoid" => Ok(Self::SIGMOID),
            other => Err(format!(
                "unknown noise schedule {other:?}: use linear, cosine or sigmoid"
            )),
        }
    }

    /// The short name `parse` accepts.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Linear { .. } => "linear",
            Self::Cosine => "cosine",
            Self::Sigmoid { .. } => "sigmoid",
        }
    }

    /// β_t for t = 1..=T, as index 0..T.
    pub fn betas(&self, steps: usize) -> Vec<f64> {
        let n = steps as f64;
        match *self {
            Self::Linear {
                beta_start,
                beta_end,
            } => linspace(beta_start, beta_end, steps),
            Self::Cosine => {
                let alpha_bar = |t: f64| {
                    ((t + COSINE_OFFSET) / (1.0 + COSINE_OFFSET) * std::f64::consts::FRAC_PI_2)
                        .cos()
                        .powi(2)
                };
                (0..steps)
                    .map(|i| {
                        let (t1, t2) = (i as f64 / n, (i + 1) as f64 / n);
                        (1.0 - alpha_bar(t2) / alpha_bar(t1)).min(COSINE_MAX_BETA)
                    })
                    .collect()
            }
            Self::Sigmoid {
                beta_start,
                beta_end,
            } => linspace(-6.0, 6.0, steps)
                .into_iter()
                .map(|x| 1.0 / (1.0 + (-x).exp()) * (beta_end - beta_start) + beta_start)
                .collect(),
        }
    }
}

/// `steps` evenly spaced values from `start` to `end`, both included (numpy's `linspace`).
pub fn linspace(start: f64, end: f64, steps: usize) -> Vec<f64> {
    match steps {
        0 => vec![],
        1 => vec![start],
        _ => (0..steps)
            .map(|i| start + (end - start) * i as f64 / (steps - 1) as f64)
            .collect(),
    }
}

/// A discrete noise schedule with T steps and its precomputed tables.
#[derive(Clone, Debug, PartialEq)]
pub struct NoiseSchedule {
    /// Which β schedule built the tables.
    pub kind: BetaSchedule,
    /// β_t, index `0..T`.
    pub betas: Vec<f64>,
    /// α_t = 1 - β_t.
    pub alphas: Vec<f64>,
    /// ᾱ_t = Π_{s≤t} α_s.
    pub alphas_cumprod: Vec<f64>,
}

impl NoiseSchedule {
    /// Builds the tables for `steps` (T) steps. Errors when T is 0.
    pub fn new(kind: BetaSchedule, steps: usize) -> Result<Self, String> {
        if steps == 0 {
            return Err("a noise schedule needs at least one step (T ≥ 1)".into());
        }
        let betas = kind.betas(steps);
        let alphas: Vec<f64> = betas.iter().map(|b| 1.0 - b).collect();
        let alphas_cumprod = alphas
            .iter()
            .scan(1.0, |acc, a| {
                *acc *= a;
                Some(*acc)
            })
            .collect();
        Ok(Self {
            kind,
            betas,
            alphas,
            alphas_cumprod,
        })
    }

    /// T, the number of steps.
    pub fn len(&self) -> usize {
        self.betas.len()
    }

    /// Always false: a schedule has at least one step.
    pub fn is_empty(&self) -> bool {
        self.betas.is_empty()
    }

    /// ᾱ at index `i`; index -1 (before any noise) is written `None` and gives 1.
    pub fn alpha_bar_at(&self, i: Option<usize>) -> f64 {
        i.map_or(1.0, |i| self.alphas_cumprod[i])
    }

    /// ᾱ(t) at continuous time `t ∈ [0, 1]` (clamped): 1 at t = 0, the table at
    /// t = (i + 1)/T, log ᾱ linear in between.
    pub fn alpha_bar(&self, t: f64) -> f64 {
        let pos = t.clamp(0.0, 1.0) * self.len() as f64; // grid position: i + 1
        let lower = pos.floor() as usize;
        let frac = pos - lower as f64;
        let log_at = |k: usize| self.alpha_bar_at(k.checked_sub(1)).ln();
        if frac == 0.0 {
            return log_at(lower).exp();
        }
        (log_at(lower) * (1.0 - frac) + log_at(lower + 1) * frac).exp()
    }

    /// SNR(t) = ᾱ/(1 - ᾱ) at continuous time t.
    pub fn snr(&self, t: f64) -> f64 {
        let a = self.alpha_bar(t);
        a / (1.0 - a)
    }

    /// σ(t) = √((1 - ᾱ)/ᾱ) at continuous time t: the noise level of x_t/√ᾱ_t.
    pub fn sigma(&self, t: f64) -> f64 {
        self.snr(t).recip().sqrt()
    }

    /// The continuous time of index `i`: (i + 1)/T.
    pub fn time_of(&self, i: usize) -> f64 {
        (i + 1) as f64 / self.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ᾱ at chosen indices, T = 1000, from diffusers' formulas (`DDPMScheduler` with
    /// `beta_schedule` = `linear`, `squaredcos_cap_v2`, `sigmoid`) evaluated with numpy in
    /// float64; diffusers' own float32 tables differ from these by under 6.4e-7.
    #[test]
    fn alphas_cumprod_match_diffusers() {
        let idx = [0, 1, 10, 100, 250, 500, 750, 999];
        let golden: [(BetaSchedule, [f64; 8]); 3] = [
            (
                BetaSchedule::LINEAR,
                [
                    0.9999,
                    0.9997800921,
                    0.9978065725,
                    0.8951415909,
                    0.5214230306,
                    0.07779665837,
                    0.003300158362,
                    4.035829765e-05,
                ],
            ),
            (
                BetaSchedule::Cosine,
                [
                    0.9999587158,
                    0.9999125759,
                    0.9992789038,
                    0.9715756818,
                    0.8458879865,
                    0.4922851724,
                    0.1431786464,
                    2.428766907e-09,
                ],
            ),
            (
                BetaSchedule::SIGMOID,
                [
                    0.9998507948,
                    0.9997010188,
                    0.9983261901,
                    0.9804917258,
                    0.9027989162,
                    0.2988876278,
                    0.005622918576,
                    3.968181991e-05,
                ],
            ),
        ];
        for (kind, values) in golden {
            let s = NoiseSchedule::new(kind, 1000).unwrap();
            for (i, want) in idx.iter().zip(values) {
                let got = s.alphas_cumprod[*i];
                assert!(
                    (got - want).abs() < 1e-6,
                    "{kind:?} at {i}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn linspace_matches_numpy() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(linspace(3.0, 9.0, 1), vec![3.0]);
        assert!(linspace(0.0, 1.0, 0).is_empty());
    }

    #[test]
    fn continuous_time_agrees_with_the_table_and_interpolates() {
        for kind in [
            BetaSchedule::LINEAR,
            BetaSchedule::Cosine,
            BetaSchedule::SIGMOID,
        ] {
            let s = NoiseSchedule::new(kind, 1000).unwrap();
            assert_eq!(s.alpha_bar(0.0), 1.0);
            for i in [0, 1, 499, 998, 999] {
                let t = s.time_of(i);
                assert!((s.alpha_bar(t) - s.alphas_cumprod[i]).abs() < 1e-12);
            }
            // Halfway between two grid points, log ᾱ is the mean of theirs.
            let mid = (s.time_of(10) + s.time_of(11)) / 2.0;
            let expect = (s.alphas_cumprod[10] * s.alphas_cumprod[11]).sqrt();
            assert!((s.alpha_bar(mid) - expect).abs() < 1e-12);
            // ᾱ falls monotonically; SNR and σ are consistent with it.
            assert!(s.alphas_cumprod.windows(2).all(|w| w[1] < w[0]));
            let a = s.alpha_bar(0.3);
            assert!((s.snr(0.3) - a / (1.0 - a)).abs() < 1e-9);
            assert!((s.sigma(0.3).powi(2) - (1.0 - a) / a).abs() < 1e-9);
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for name in ["linear", "cosine", "sigmoid"] {
            assert_eq!(BetaSchedule::parse(name).unwrap().name(), name);
        }
        let err = BetaSchedule::parse("quadratic").unwrap_err();
        assert!(err.contains("linear, cosine or sigmoid"), "{err}");
        assert!(NoiseSchedule::new(BetaSchedule::Cosine, 0).is_err());
    }
}
