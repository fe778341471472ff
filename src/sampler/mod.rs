//! Samplers: the reverse process run from noise to data with a trained (or exact) denoiser.
//!
//! Every sampler implements [`Sampler`]: one `step` from a noise [`Level`] to a less noisy one.
//! [`sample`] drives any of them over a [`plan`] (the visited timesteps, then clean data) and
//! can record the whole trajectory. Randomness comes from a seeded [`NoiseSource`] on the CPU,
//! so the same seed gives the same samples on WebGPU and on the CPU.
//!
//! | file | sampler | paper |
//! |---|---|---|
//! | `ddpm.rs` | ancestral sampling from the posterior | Ho et al. 2020, Alg. 2 |
//! | `ddim.rs` | DDIM with η | Song, Meng & Ermon 2021, eq. 12 |
//! | `euler.rs` | Euler on the probability-flow ODE | Karras et al. 2022, Alg. 1 without the 2nd-order correction |
//! | `heun.rs` | Heun on the probability-flow ODE | Karras et al. 2022, Alg. 1 |
//! | `dpm_solver.rs` | DPM-Solver++(2M) | Lu et al. 2022, "DPM-Solver++", Alg. 2 |
//! | `guidance.rs` | classifier-free guidance around any two denoisers | Ho & Salimans 2022 |
//!
//! [`network`] turns a trained network into a [`Denoiser`] (guided or not); [`exact`] is the
//! closed-form denoiser of a Gaussian mixture, which tests every sampler without training.

mod ddim;
mod ddpm;
mod dpm_solver;
mod euler;
pub mod exact;
pub mod guidance;
mod heun;
pub mod network;
mod noise;

pub use ddim::Ddim;
pub use ddpm::Ddpm;
pub use dpm_solver::DpmSolverPp2m;
pub use euler::Euler;
pub use guidance::Guidance;
pub use heun::Heun;
pub use network::{Condition, NetworkDenoiser};
pub use noise::NoiseSource;

use crate::check::check_range;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::schedule::NoiseSchedule;
use crate::diffusion::spacing::Spacing;
use burn::tensor::Tensor;

/// A noise level: continuous time `t` ∈ [0, 1] (what the network sees) and ᾱ at that time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// Continuous time; 0 is clean data.
    pub t: f64,
    /// ᾱ at `t`; 1 is clean data.
    pub alpha_bar: f64,
}

impl Level {
    /// Clean data: t = 0, ᾱ = 1.
    pub const CLEAN: Level = Level {
        t: 0.0,
        alpha_bar: 1.0,
    };

    /// α = √ᾱ, the weight of the data.
    pub fn alpha(&self) -> f64 {
        self.alpha_bar.sqrt()
    }

    /// σ = √(1 - ᾱ), the weight of the noise.
    pub fn sigma(&self) -> f64 {
        (1.0 - self.alpha_bar).max(0.0).sqrt()
    }

    /// σ/α, the noise level of x/α in the variance-exploding view (Karras et al. 2022).
    pub fn sigma_ve(&self) -> f64 {
        self.sigma() / self.alpha()
    }

    /// λ = ln(α/σ), half the log signal-to-noise ratio (+∞ for clean data).
    pub fn lambda(&self) -> f64 {
        (self.alpha() / self.sigma()).ln()
    }

    /// Whether this is clean data.
    pub fn is_clean(&self) -> bool {
        self.alpha_bar >= 1.0
    }
}

/// A network (or a closed form) that denoises a batch `x` at time `t`.
pub trait Denoiser<const D: usize> {
    /// What [`Denoiser::predict`] returns.
    fn prediction(&self) -> Prediction;

    /// The raw output at `x` (shape `[batch, ...]`) and noise level `level` (a network looks at
    /// `level.t`; a closed form may use `level.alpha_bar`).
    fn predict(&self, x: Tensor<D>, level: Level) -> Tensor<D>;

    /// The denoiser's estimates (x̂₀, ε̂) at `x` and `level`.
    fn estimate(&self, x: Tensor<D>, level: Level) -> (Tensor<D>, Tensor<D>) {
        let out = self.predict(x.clone(), level);
        let (a, s) = (level.alpha(), level.sigma());
        let p = self.prediction();
        (
            p.to_x0(out.clone(), x.clone(), &a, &s),
            p.to_eps(out, x, &a, &s),
        )
    }
}

/// The first-order step of the probability-flow ODE from `from` to `to`, given the clean
/// estimate `x0` (or a multistep solver's combination of estimates) at `x`:
/// x_s = (σ_s/σ_t) x_t + α_s (1 - e^{-h}) x̂₀, h = λ_s - λ_t (Lu et al. 2022, "DPM-Solver++",
/// eq. 9 at first order). It is DDIM with η = 0 (Song et al. 2021, eq. 12, with
/// ε̂ = (x_t - α_t x̂₀)/σ_t) and Euler in σ/α (Karras et al. 2022), written once; to clean
/// data it is x̂₀.
pub(crate) fn first_order_step<const D: usize>(
    x: Tensor<D>,
    x0: Tensor<D>,
    from: Level,
    to: Level,
) -> Tensor<D> {
    if to.is_clean() {
        return x0;
    }
    let h = to.lambda() - from.lambda();
    x.mul_scalar(to.sigma() / from.sigma()) - x0.mul_scalar(to.alpha() * (-h).exp_m1())
}

/// The clean estimate whose [`first_order_step`] from `x` at `from` lands on `x_to` at `to`:
/// x̃ = (x_s - (σ_s/σ_t) x_t) / (α_s (1 - e^{-h})), the step solved for x̂₀ (α_s (1 - e^{-h}) =
/// α_s - (σ_s/σ_t) α_t > 0 whenever `to` is less noisy than `from`); to clean data it is `x_to`.
/// Progressive distillation trains a student towards it, with `x_to` where two teacher steps
/// land (Salimans & Ho 2022, "Progressive distillation for fast sampling of diffusion models",
/// Algorithm 2).
pub fn first_order_target<const D: usize>(
    x: Tensor<D>,
    x_to: Tensor<D>,
    from: Level,
    to: Level,
) -> Tensor<D> {
    if to.is_clean() {
        return x_to;
    }
    let h = to.lambda() - from.lambda();
    (x_to - x.mul_scalar(to.sigma() / from.sigma())).div_scalar(-to.alpha() * (-h).exp_m1())
}

/// One step of a reverse-process solver.
pub trait Sampler<const D: usize> {
    /// Moves `x` from level `from` to the less noisy level `to` (which may be clean data).
    fn step(
        &mut self,
        model: &dyn Denoiser<D>,
        x: Tensor<D>,
        from: Level,
        to: Level,
        noise: &mut NoiseSource,
    ) -> Tensor<D>;
}

/// The built-in samplers, as a choice a person makes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SamplerKind {
    /// DDPM ancestral sampling (stochastic).
    Ddpm,
    /// DDIM; η = 0 is deterministic, η = 1 matches DDPM's variance.
    Ddim {
        /// The stochasticity η ∈ [0, 1].
        eta: f64,
    },
    /// Euler on the probability-flow ODE.
    Euler,
    /// Heun on the probability-flow ODE (two model calls per step, one on the last).
    Heun,
    /// DPM-Solver++(2M), multistep second order.
    DpmPp2m,
}

impl SamplerKind {
    /// The names `parse` accepts.
    pub const NAMES: [&'static str; 5] = ["ddpm", "ddim", "euler", "heun", "dpmpp2m"];

    /// Parses a sampler name; `eta` is used by DDIM only and must lie in [0, 1].
    pub fn parse(name: &str, eta: f64) -> Result<Self, String> {
        check_range("eta", eta, &(0.0..=1.0))?;
        match name {
            "ddpm" => Ok(Self::Ddpm),
            "ddim" => Ok(Self::Ddim { eta }),
            "euler" => Ok(Self::Euler),
            "heun" => Ok(Self::Heun),
            "dpmpp2m" => Ok(Self::DpmPp2m),
            other => Err(format!(
                "unknown sampler {other:?}: use one of {}",
                Self::NAMES.join(", ")
            )),
        }
    }

    /// A fresh solver of this kind.
    pub fn build<const D: usize>(self) -> Box<dyn Sampler<D>> {
        match self {
            Self::Ddpm => Box::new(Ddpm),
            Self::Ddim { eta } => Box::new(Ddim { eta }),
            Self::Euler => Box::new(Euler),
            Self::Heun => Box::new(Heun),
            Self::DpmPp2m => Box::new(DpmSolverPp2m::<D>::default()),
        }
    }
}

/// The levels a sampler with `steps` steps visits: the spaced timesteps, then clean data.
pub fn plan(
    schedule: &NoiseSchedule,
    spacing: Spacing,
    steps: usize,
) -> Result<Vec<Level>, String> {
    let mut levels: Vec<Level> = spacing
        .timesteps(schedule.len(), steps)?
        .into_iter()
        .map(|i| Level {
            t: schedule.time_of(i),
            alpha_bar: schedule.alphas_cumprod[i],
        })
        .collect();
    levels.push(Level::CLEAN);
    Ok(levels)
}

/// Runs `sampler` from `x` (noise at `plan[0]`) down the plan; `each` sees every state, the
/// start included (`plan.len()` states in all).
pub fn sample<const D: usize>(
    sampler: &mut dyn Sampler<D>,
    model: &dyn Denoiser<D>,
    plan: &[Level],
    mut x: Tensor<D>,
    noise: &mut NoiseSource,
    mut each: impl FnMut(&Tensor<D>),
) -> Tensor<D> {
    each(&x);
    for pair in plan.windows(2) {
        x = sampler.step(model, x, pair[0], pair[1], noise);
        each(&x);
    }
    x
}

/// Draws fresh samples: noise of `shape` from `seed`, then `kind` down the plan.
pub fn generate<const D: usize>(
    kind: SamplerKind,
    model: &dyn Denoiser<D>,
    plan: &[Level],
    shape: [usize; D],
    seed: u64,
    device: &burn::tensor::Device,
) -> Tensor<D> {
    let mut run = Run::new(kind, plan.to_vec(), shape, seed, device);
    while run.step(model) {}
    run.into_state()
}

/// A sampling run that owns its sampler, plan, noise and state, advanced one step at a time
/// (the page yields to the browser between steps when it computes on the CPU). Its states are
/// those of [`generate`] for the same arguments.
pub struct Run<const D: usize> {
    sampler: Box<dyn Sampler<D>>,
    plan: Vec<Level>,
    noise: NoiseSource,
    x: Tensor<D>,
    /// Steps taken.
    taken: usize,
}

impl<const D: usize> Run<D> {
    /// Noise of `shape` from `seed` at `plan[0]`, to be taken down the plan by `kind`.
    pub fn new(
        kind: SamplerKind,
        plan: Vec<Level>,
        shape: [usize; D],
        seed: u64,
        device: &burn::tensor::Device,
    ) -> Self {
        Self::with_noise(kind, plan, shape, NoiseSource::new(seed, device))
    }

    /// Noise of `shape` from `noise` (its first draw) at `plan[0]`, to be taken down the plan
    /// by `kind` (with `noise`'s later draws, for samplers that add noise).
    pub fn with_noise(
        kind: SamplerKind,
        plan: Vec<Level>,
        shape: [usize; D],
        mut noise: NoiseSource,
    ) -> Self {
        let x = noise.normal(shape);
        Self::from_state(kind, plan, x, noise)
    }

    /// `x` at `plan[0]` (noise, or noised data as in SDEdit), to be taken down the plan by
    /// `kind` (with `noise`, for samplers that add noise).
    pub fn from_state(
        kind: SamplerKind,
        plan: Vec<Level>,
        x: Tensor<D>,
        noise: NoiseSource,
    ) -> Self {
        Self {
            sampler: kind.build::<D>(),
            plan,
            noise,
            x,
            taken: 0,
        }
    }

    /// The levels of the next step (from, to), if any is left.
    pub fn next_levels(&self) -> Option<(Level, Level)> {
        match self.plan.get(self.taken..self.taken + 2) {
            Some(&[from, to]) => Some((from, to)),
            _ => None,
        }
    }

    /// The current state (the noise before the first step, the samples after the last).
    pub fn state(&self) -> &Tensor<D> {
        &self.x
    }

    /// Takes the next step with `model`; false (and nothing done) once the plan is finished.
    pub fn step(&mut self, model: &dyn Denoiser<D>) -> bool {
        let Some((from, to)) = self.next_levels() else {
            return false;
        };
        self.x = self
            .sampler
            .step(model, self.x.clone(), from, to, &mut self.noise);
        self.taken += 1;
        true
    }

    /// The state, giving up the run.
    pub fn into_state(self) -> Tensor<D> {
        self.x
    }
}

#[cfg(test)]
mod tests;
