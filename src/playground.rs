//! The 2D playground's state and operations: a point set, a noise schedule, a denoiser being
//! trained, and the samplers run on it. The page reaches it only through the exported
//! `Playground` class (`web/playground.rs`), which checks what JavaScript passes and reads
//! results back asynchronously; everything here is plain Rust, tested natively.
//!
//! Operations that run on the compute device return tensors that have not been read back, so
//! the caller chooses how to read them (synchronously natively, asynchronously in the browser).

use crate::checkpoint::{self, ModelCard};
use crate::data::Dataset;
use crate::model::MlpDenoiserConfig;
use crate::point_set::PointSet;
use crate::quality::Quality;
use crate::sampler::{self, NoiseSource, SamplerKind};
use crate::schedule::NoiseSchedule;
use crate::spacing::Spacing;
use crate::train::{BetaScheduleName, TrainConfig, Trainer};
use burn::tensor::{Device, Tensor, TensorData};

/// The most training points a person can ask for.
pub const MAX_POINTS: usize = 100_000;
/// The most points a single `sample` may return.
pub const MAX_SAMPLES: usize = 100_000;
/// The most points summed over all frames of a `trajectory`.
pub const MAX_TRAJECTORY_POINTS: usize = 4_000_000;
/// The most optimiser steps one `train` call may take (the page takes a few per frame).
pub const MAX_TRAIN_STEPS: usize = 10_000;

/// The settings a person chose (or an imported model brought).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The noise schedule's name.
    pub schedule: &'static str,
    /// T.
    pub timesteps: usize,
    /// Adam's peak learning rate.
    pub learning_rate: f64,
    /// Points per step.
    pub batch_size: usize,
    /// The network's width.
    pub width: usize,
}

/// The playground's state.
pub struct Playground {
    device: Device,
    data: PointSet,
    model_config: MlpDenoiserConfig,
    config: TrainConfig,
    /// Created on first use, dropped whenever the data, schedule or network change.
    trainer: Option<Trainer>,
    seed: u64,
}

impl Playground {
    /// The default setup (2,000 points of `moons`, the default network, [`interactive`]
    /// training) on `device`.
    pub fn new(device: Device) -> Self {
        Self {
            device,
            data: PointSet::from_dataset(Dataset::Moons, 2000, 0),
            model_config: MlpDenoiserConfig::new(),
            config: interactive(),
            trainer: None,
            seed: 0,
        }
    }

    /// Trains from now on `n` fresh points of a built-in dataset drawn with `seed`; forgets
    /// the model.
    pub fn set_dataset(&mut self, name: &str, n: usize, seed: u64) -> Result<(), String> {
        let dataset = Dataset::parse(name)?;
        check_range("the number of points", n, 2, MAX_POINTS)?;
        self.data = PointSet::from_dataset(dataset, n, seed);
        self.seed = seed;
        self.trainer = None;
        Ok(())
    }

    /// Trains from now on a person's points (`[x0, y0, ...]`, standardised here); forgets
    /// the model.
    pub fn set_points(&mut self, points: &[f32]) -> Result<(), String> {
        let n = crate::data::check_points("your points", points)?;
        check_range("the number of points", n, 4, MAX_POINTS)?;
        self.data = PointSet::from_user(points, "your points".into())?;
        self.trainer = None;
        Ok(())
    }

    /// The training points, as the model sees them.
    pub fn points(&self) -> &[f32] {
        &self.data.train
    }

    /// What the data is, for people.
    pub fn data_label(&self) -> &str {
        &self.data.label
    }

    /// Uses the noise schedule `name` with `timesteps` steps; forgets the model when this
    /// changes anything (a network learns one schedule).
    pub fn set_schedule(&mut self, name: &str, timesteps: usize) -> Result<(), String> {
        let config = self
            .config
            .clone()
            .with_schedule(BetaScheduleName::parse(name)?)
            .with_timesteps(timesteps);
        config.validate()?;
        if config != self.config {
            self.config = config;
            self.trainer = None;
        }
        Ok(())
    }

    /// The schedule's name and T.
    pub fn schedule(&self) -> (BetaScheduleName, usize) {
        (self.config.schedule, self.config.timesteps)
    }

    /// Sets the learning rate and batch size (kept by a model in training) and the network's
    /// width (a new width forgets the model).
    pub fn set_training(
        &mut self,
        learning_rate: f64,
        batch_size: usize,
        width: usize,
    ) -> Result<(), String> {
        let config = self
            .config
            .clone()
            .with_learning_rate(learning_rate)
            .with_batch_size(batch_size);
        config.validate()?;
        let model_config = self.model_config.clone().with_width(width);
        model_config.validate()?;
        if model_config != self.model_config {
            self.model_config = model_config;
            self.trainer = None;
        }
        if let Some(trainer) = &mut self.trainer {
            trainer.set_rate_and_batch(learning_rate, batch_size)?;
        }
        self.config = config;
        Ok(())
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        Settings {
            schedule: self.config.schedule.schedule().name(),
            timesteps: self.config.timesteps,
            learning_rate: self.config.learning_rate,
            batch_size: self.config.batch_size,
            width: self.model_config.width,
        }
    }

    /// Forgets the model: the next step starts from fresh weights.
    pub fn reset(&mut self) {
        self.trainer = None;
    }

    /// Optimiser steps taken by the current model.
    pub fn steps_done(&self) -> usize {
        self.trainer.as_ref().map_or(0, Trainer::steps_done)
    }

    /// The noise schedule's table.
    pub fn noise_schedule(&self) -> Result<NoiseSchedule, String> {
        NoiseSchedule::new(self.config.schedule.schedule(), self.config.timesteps)
    }

    /// The training points at time `t` ∈ [0, 1] of the forward process, x_t = √ᾱ(t) x₀ +
    /// √(1-ᾱ(t)) ε, with ε drawn from `seed` (the same ε for every `t`, so an animation over
    /// `t` shows each point drifting into the Gaussian). Computed on the CPU.
    pub fn noised(&self, t: f64, seed: u64) -> Result<Vec<f32>, String> {
        if !(0.0..=1.0).contains(&t) {
            return Err(format!("t must be between 0 and 1, not {t}"));
        }
        let alpha_bar = self.noise_schedule()?.alpha_bar(t);
        let cpu = Device::flex();
        let n = self.data.len();
        let x0 = Tensor::<2>::from_data(TensorData::new(self.data.train.clone(), [n, 2]), &cpu);
        let eps = NoiseSource::new(seed, &cpu).normal([n, 2]);
        let x_t = crate::forward::add_noise(x0, eps, &alpha_bar.sqrt(), &(1.0 - alpha_bar).sqrt());
        x_t.into_data()
            .try_into_vec::<f32>()
            .map_err(|e| format!("{e:?}"))
    }

    /// The trainer, made on first use.
    fn trainer(&mut self) -> Result<&mut Trainer, String> {
        if self.trainer.is_none() {
            self.trainer = Some(Trainer::new(
                &self.device,
                &self.data.train,
                self.model_config.clone(),
                self.config.clone(),
                self.seed,
            )?);
        }
        Ok(self.trainer.as_mut().expect("made above"))
    }

    /// Takes `steps` optimiser steps; returns their mean loss, not read back.
    pub fn train(&mut self, steps: usize) -> Result<Tensor<1>, String> {
        check_range("the number of steps", steps, 1, MAX_TRAIN_STEPS)?;
        let trainer = self.trainer()?;
        let mut sum = trainer.step();
        for _ in 1..steps {
            sum = sum + trainer.step();
        }
        Ok(sum.div_scalar(steps as f64))
    }

    /// The sampler and plan for a request, checked.
    fn prepare(
        &mut self,
        sampler: &str,
        steps: usize,
        eta: f64,
    ) -> Result<(SamplerKind, Vec<sampler::Level>), String> {
        let kind = SamplerKind::parse(sampler, eta)?;
        let plan = sampler::plan(self.trainer()?.schedule(), Spacing::Trailing, steps)?;
        Ok((kind, plan))
    }

    /// `n` samples from the moving-average model: `sampler` (with `eta` for DDIM) in `steps`
    /// steps from noise drawn with `seed`. Shape `[n, 2]`, not read back.
    pub fn sample(
        &mut self,
        n: usize,
        sampler: &str,
        steps: usize,
        eta: f64,
        seed: u64,
    ) -> Result<Tensor<2>, String> {
        check_range("the number of samples", n, 1, MAX_SAMPLES)?;
        let (kind, plan) = self.prepare(sampler, steps, eta)?;
        let trainer = self.trainer.as_ref().expect("prepared");
        Ok(sampler::generate(
            kind,
            &trainer.denoiser(),
            &plan,
            [n, 2],
            seed,
            &self.device,
        ))
    }

    /// Like [`Playground::sample`], keeping every state: `[steps + 1, n, 2]`, from the noise
    /// (frame 0) to the samples (frame `steps`), which equal `sample`'s for the same seed.
    pub fn trajectory(
        &mut self,
        n: usize,
        sampler: &str,
        steps: usize,
        eta: f64,
        seed: u64,
    ) -> Result<Tensor<3>, String> {
        check_range("the number of samples", n, 1, MAX_SAMPLES)?;
        if n.saturating_mul(steps.saturating_add(1)) > MAX_TRAJECTORY_POINTS {
            return Err(format!(
                "a trajectory of {n} points over {steps} steps is too large: keep points × \
                 (steps + 1) under {MAX_TRAJECTORY_POINTS}"
            ));
        }
        let (kind, plan) = self.prepare(sampler, steps, eta)?;
        let trainer = self.trainer.as_ref().expect("prepared");
        let mut noise = NoiseSource::new(seed, &self.device);
        let x = noise.normal([n, 2]);
        let mut frames = Vec::with_capacity(plan.len());
        sampler::sample(
            kind.build::<2>().as_mut(),
            &trainer.denoiser(),
            &plan,
            x,
            &mut noise,
            |state| frames.push(state.clone()),
        );
        Ok(Tensor::stack(frames, 0))
    }

    /// SWD and MMD of `samples` against the held-out data, next to their floors. Only the
    /// first samples, as many as there are held-out points, are used, so that the number is
    /// comparable with its floor (both distances shrink as sets grow).
    pub fn quality(&self, samples: &[f32]) -> Result<Quality, String> {
        crate::data::check_points("samples", samples)?;
        let used = samples.len().min(self.data.heldout.len());
        Quality::measure(&samples[..used], &self.data.heldout, &self.data.heldout2, 0)
    }

    /// The moving-average model and its card, for export.
    pub fn model_and_card(&mut self) -> Result<(&crate::model::MlpDenoiser, ModelCard), String> {
        let label = self.data.label.clone();
        let trainer = self.trainer()?;
        let card = ModelCard::new(
            trainer.model_config().clone(),
            trainer.config().clone(),
            label,
            trainer.steps_done(),
        );
        Ok((trainer.ema_model(), card))
    }

    /// Replaces the model with one from a checkpoint (the schedule, prediction type and
    /// network come from its card); training goes on from it on the current data.
    pub fn import(&mut self, bytes: &[u8]) -> Result<(), String> {
        let ad = self.device.clone().autodiff();
        let (model, card) = checkpoint::from_bytes(bytes, &ad)?;
        let trainer = Trainer::resume(
            model,
            &self.data.train,
            card.model.clone(),
            card.train.clone(),
            card.steps,
        )?;
        self.model_config = card.model;
        self.config = card.train;
        self.trainer = Some(trainer);
        Ok(())
    }
}

/// Training settings for a person watching: a short warm-up (50 steps) and a shorter moving
/// average (decay 0.995, about 200 steps), so samples follow the model within seconds; the
/// command line keeps the slower, smoother defaults for long runs.
pub fn interactive() -> TrainConfig {
    TrainConfig::new()
        .with_warmup_steps(50)
        .with_ema_decay(0.995)
}

/// Errors unless `min ≤ value ≤ max`.
fn check_range(what: &str, value: usize, min: usize, max: usize) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{what} must be between {min} and {max}, not {value}"
        ))
    }
}

#[cfg(test)]
mod tests;
