//! The 2D playground's state and operations: a point set, a noise schedule, a denoiser being
//! trained, and the samplers run on it. The page reaches it only through the exported
//! `Playground` class (`web/points.rs`), which checks what JavaScript passes and reads
//! results back asynchronously; everything here is plain Rust, tested natively.
//!
//! Operations that run on the compute device return tensors that have not been read back, so
//! the caller chooses how to read them (synchronously natively, asynchronously in the browser).
//!
//! Grouped points, each group named by a word, make the network conditional: it gets a
//! vocabulary of trainable word vectors, and sampling can follow a word with classifier-free
//! guidance.

use crate::check::check_range;
use crate::diffusion::schedule::{BetaScheduleName, NoiseSchedule};
use crate::distill::Distillation;
use crate::nn::words::WordEmbeddingConfig;
use crate::points::data::Dataset;
use crate::points::point_set::PointSet;
use crate::points::quality::{Quality, QualityJob};
use crate::points::{MlpDenoiser, MlpDenoiserConfig, PointTrainer, PointsCard};
use crate::sampler::NoiseSource;
use crate::train::TrainConfig;
use burn::tensor::{Device, Tensor, TensorData};

/// The most training points a person can ask for.
pub const MAX_POINTS: usize = 100_000;
/// The most points a single `sample` may return.
pub const MAX_SAMPLES: usize = 100_000;
/// The most points summed over all frames of a `trajectory`.
pub const MAX_TRAJECTORY_POINTS: usize = 4_000_000;
/// The most optimiser steps one `train` call may take (the page takes a few per frame).
pub const MAX_TRAIN_STEPS: usize = 10_000;
/// The size of a word's vector unless a person chooses another.
pub const DEFAULT_WORD_DIM: usize = 4;

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
    /// The size of each word's vector (used when the data are named by words).
    pub word_dim: usize,
    /// The probability that training drops a point's word.
    pub label_dropout: f64,
}

/// The playground's state.
pub struct Playground {
    device: Device,
    data: PointSet,
    model_config: MlpDenoiserConfig,
    config: TrainConfig,
    /// Created on first use, dropped whenever the data, schedule or network change.
    trainer: Option<PointTrainer>,
    /// The state the trainer goes back to when training diverges, and the one that may become
    /// it (dropped with the trainer).
    guard: Option<training::Guard>,
    /// The trained model's students, if it was distilled (dropped with the trainer).
    distillation: Option<Distillation<MlpDenoiser, 2>>,
    /// A student loaded from a file, with its card (dropped with the trainer, or when a
    /// distillation starts).
    loaded_student: Option<(MlpDenoiser, PointsCard)>,
    /// The settings of the distillation started last.
    distill_settings: DistillSettings,
    seed: u64,
    word_dim: usize,
    /// Counts the models: one more each time the model is forgotten or replaced.
    model_version: u64,
}

impl Playground {
    /// The default setup (2,000 points of `moons`, the default network,
    /// [`TrainConfig::interactive`] training) on `device`.
    pub fn new(device: Device) -> Self {
        Self {
            device,
            data: PointSet::from_dataset(Dataset::Moons, 2000, 0),
            model_config: MlpDenoiserConfig::new(),
            config: TrainConfig::interactive(),
            trainer: None,
            guard: None,
            distillation: None,
            loaded_student: None,
            distill_settings: DistillSettings::default(),
            seed: 0,
            word_dim: DEFAULT_WORD_DIM,
            model_version: 0,
        }
    }

    /// Replaces the data (and forgets the model); grouped data make the network conditional
    /// on the groups' words.
    fn use_data(&mut self, data: PointSet) {
        self.model_config.words = (!data.groups.is_empty())
            .then(|| WordEmbeddingConfig::new(data.words()).with_dim(self.word_dim));
        self.data = data;
        self.forget_model();
    }

    /// Trains from now on `n` fresh points of a built-in dataset drawn with `seed`; forgets
    /// the model.
    pub fn set_dataset(&mut self, name: &str, n: usize, seed: u64) -> Result<(), String> {
        let dataset = Dataset::parse(name)?;
        check_range("the number of points", n, &(2..=MAX_POINTS))?;
        self.use_data(PointSet::from_dataset(dataset, n, seed));
        self.seed = seed;
        Ok(())
    }

    /// Trains from now on a person's points (`[x0, y0, ...]`, standardised here); forgets
    /// the model.
    pub fn set_points(&mut self, points: &[f32]) -> Result<(), String> {
        let n = crate::points::data::check_points("your points", points)?;
        check_range("the number of points", n, &(4..=MAX_POINTS))?;
        self.use_data(PointSet::from_user(points, "your points".into())?);
        Ok(())
    }

    /// Trains from now on named groups of points: point `i` belongs to `words[labels[i] - 1]`
    /// (each group standardised on its own); the network becomes conditional on the words.
    /// Forgets the model.
    pub fn set_labeled_points(
        &mut self,
        points: &[f32],
        labels: &[u32],
        words: &[String],
    ) -> Result<(), String> {
        let n = crate::points::data::check_points("your points", points)?;
        check_range("the number of points", n, &(4..=MAX_POINTS))?;
        self.use_data(PointSet::from_labeled(points, labels, words)?);
        Ok(())
    }

    /// Trains from now on `n` points of each of several built-in datasets, each named by its
    /// own name (the command line's `--datasets`). Forgets the model.
    pub fn set_datasets(&mut self, names: &[&str], n: usize, seed: u64) -> Result<(), String> {
        let datasets = names
            .iter()
            .map(|name| Dataset::parse(name))
            .collect::<Result<Vec<_>, _>>()?;
        check_range(
            "the number of points",
            n * datasets.len(),
            &(2..=MAX_POINTS),
        )?;
        self.use_data(PointSet::from_datasets(&datasets, n, seed)?);
        self.seed = seed;
        Ok(())
    }

    /// The words naming the data's groups (empty for plain data).
    pub fn words(&self) -> Vec<String> {
        self.data.words()
    }

    /// Each training point's word label (1 for the first word; empty for plain data).
    pub fn labels(&self) -> &[u32] {
        &self.data.labels
    }

    /// Sets the size of the word vectors and the label dropout of training; a change forgets
    /// the model.
    pub fn set_conditioning(&mut self, word_dim: usize, label_dropout: f64) -> Result<(), String> {
        let config = self.config.clone().with_label_dropout(label_dropout);
        config.validate()?;
        let words = self
            .model_config
            .words
            .clone()
            .map(|w| w.with_dim(word_dim));
        // The dimension is checked even while the data have no words.
        WordEmbeddingConfig::new(vec!["word".into()])
            .with_dim(word_dim)
            .validate()?;
        if config != self.config || word_dim != self.word_dim {
            self.config = config;
            self.word_dim = word_dim;
            self.model_config.words = words;
            self.forget_model();
        }
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
            self.forget_model();
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
        let config = self.config.with_rate_and_batch(learning_rate, batch_size)?;
        let model_config = self.model_config.clone().with_width(width);
        model_config.validate()?;
        if model_config != self.model_config {
            self.model_config = model_config;
            self.forget_model();
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
            word_dim: self.word_dim,
            label_dropout: self.config.label_dropout,
        }
    }

    /// Forgets the model: the next step starts from fresh weights.
    pub fn reset(&mut self) {
        self.forget_model();
    }

    /// Forgets the model and its students.
    fn forget_model(&mut self) {
        self.trainer = None;
        self.guard = None;
        self.distillation = None;
        self.loaded_student = None;
        self.model_version += 1;
    }

    /// Which model this is: a number that changes whenever the model is forgotten or replaced
    /// (a copy of the playground that never trains tells from it what a change of setup did).
    pub fn model_version(&self) -> u64 {
        self.model_version
    }

    /// Optimiser steps taken by the current model.
    pub fn steps_done(&self) -> usize {
        self.trainer.as_ref().map_or(0, PointTrainer::steps_done)
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
        let x_t = crate::diffusion::forward::add_noise(
            x0,
            eps,
            &alpha_bar.sqrt(),
            &(1.0 - alpha_bar).sqrt(),
        );
        x_t.into_data()
            .try_into_vec::<f32>()
            .map_err(|e| format!("{e:?}"))
    }

    /// The moving-average model's word vectors, `[words + 1, dim]`, row 0 being ∅.
    pub fn embeddings(&mut self) -> Result<Tensor<2>, String> {
        let trainer = self.trainer()?;
        let words = trainer.ema_model().words().ok_or(
            "this model knows no words: train it on points named by words to get word vectors",
        )?;
        Ok(words.vectors())
    }

    /// How well `samples` drawn for `word` match that word's data: SWD and MMD against the
    /// word's held-out points (next to their floor), and the fraction of samples whose nearest
    /// held-out point belongs to `word` rather than to another word.
    pub fn word_quality(&self, word: &str, samples: &[f32]) -> Result<(Quality, f64), String> {
        crate::points::word_scores::score_word(&self.data, word, samples)
    }

    /// SWD and MMD of `samples` against the held-out data, next to their floors (see
    /// [`Quality::measure`]).
    pub fn quality(&self, samples: &[f32]) -> Result<Quality, String> {
        Ok(self.quality_job(samples)?.finish())
    }

    /// [`Playground::quality`] as a job to be computed a piece at a time.
    pub fn quality_job(&self, samples: &[f32]) -> Result<QualityJob, String> {
        QualityJob::new(samples, &self.data.heldout, &self.data.heldout2, 0)
    }
}

mod distilling;
mod files;
mod sampling;
mod training;
pub use distilling::{DistillProgress, DistillSettings};
pub use files::Imported;
pub use sampling::{Draw, STUDENT, SamplingJob};
pub use training::LOSS_JUMP;

#[cfg(test)]
mod tests;
