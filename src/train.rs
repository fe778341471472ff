//! Training a denoiser: one [`Trainer::step`] is one optimiser update, used unchanged by the
//! command line (a plain loop) and by the page (a few steps per animation frame).
//!
//! The loss is the simple objective of Ho et al. 2020 (eq. 14), for ε- or v-prediction:
//! L = E_{x₀, i, ε} ‖f_θ(√ᾱ_i x₀ + √(1-ᾱ_i) ε, t_i) - target‖², with i uniform over the T
//! timesteps, t_i = (i + 1)/T, and target ε or v = √ᾱ ε - √(1-ᾱ) x₀. Adam (Kingma & Ba 2015)
//! with gradient-norm clipping, a linear warm-up, and an optional cosine decay of the learning
//! rate (Loshchilov & Hutter 2017); an exponential moving average of the weights for sampling.
//!
//! A conditional network trains on labelled points: each point's word is fed with it, and with
//! probability `label_dropout` replaced by ∅, so that the same network learns the unconditional
//! model that classifier-free guidance needs (Ho & Salimans 2022, Alg. 1).

use crate::ema::Ema;
use crate::model::words::NO_WORD;
use crate::model::{MlpDenoiser, MlpDenoiserConfig};
use crate::prediction::Prediction;
use crate::schedule::{BetaSchedule, NoiseSchedule};
use burn::config::Config;
use burn::module::Module;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};

/// Hyper-parameters of training.
#[derive(Config, Debug, PartialEq)]
pub struct TrainConfig {
    /// Peak learning rate of Adam.
    #[config(default = 2e-3)]
    pub learning_rate: f64,
    /// Points per step.
    #[config(default = 1024)]
    pub batch_size: usize,
    /// Steps of linear learning-rate warm-up.
    #[config(default = 200)]
    pub warmup_steps: usize,
    /// When set, the learning rate decays along a cosine to 5% of its peak at this step.
    #[config(default = "None")]
    pub total_steps: Option<usize>,
    /// Decay of the weights' moving average.
    #[config(default = 0.999)]
    pub ema_decay: f64,
    /// Gradients are rescaled to at most this global L2 norm.
    #[config(default = 1.0)]
    pub grad_clip_norm: f32,
    /// The noise schedule.
    #[config(default = "BetaScheduleName::Cosine")]
    pub schedule: BetaScheduleName,
    /// T, the number of diffusion steps.
    #[config(default = 1000)]
    pub timesteps: usize,
    /// What the network predicts.
    #[config(default = "PredictionName::V")]
    pub prediction: PredictionName,
    /// For a conditional network: the probability that a point's word is replaced by ∅.
    #[config(default = 0.15)]
    pub label_dropout: f64,
}

/// [`BetaSchedule`] as a config value (DDPM's β range for linear and sigmoid).
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

/// [`Prediction`] as a config value.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum PredictionName {
    /// ε-prediction.
    Epsilon,
    /// v-prediction.
    V,
}

impl PredictionName {
    /// The prediction type it names.
    pub fn prediction(self) -> Prediction {
        match self {
            Self::Epsilon => Prediction::Epsilon,
            Self::V => Prediction::V,
        }
    }
}

impl TrainConfig {
    /// This config with another learning rate and batch size, checked (the page's sliders).
    pub fn with_rate_and_batch(
        &self,
        learning_rate: f64,
        batch_size: usize,
    ) -> Result<TrainConfig, String> {
        let config = self
            .clone()
            .with_learning_rate(learning_rate)
            .with_batch_size(batch_size);
        config.validate()?;
        Ok(config)
    }

    /// Checks the values, for configs that come from people.
    pub fn validate(&self) -> Result<(), String> {
        if self.learning_rate.is_nan() || self.learning_rate <= 0.0 || self.learning_rate > 1.0 {
            return Err(format!(
                "learning rate must be in (0, 1], not {}",
                self.learning_rate
            ));
        }
        if !(1..=65_536).contains(&self.batch_size) {
            return Err(format!(
                "batch size must be between 1 and 65536, not {}",
                self.batch_size
            ));
        }
        if !(0.0..1.0).contains(&self.ema_decay) {
            return Err(format!(
                "EMA decay must be in [0, 1), not {}",
                self.ema_decay
            ));
        }
        if !(2..=10_000).contains(&self.timesteps) {
            return Err(format!(
                "T must be between 2 and 10000, not {}",
                self.timesteps
            ));
        }
        if self.grad_clip_norm.is_nan() || self.grad_clip_norm <= 0.0 {
            return Err("the gradient clipping norm must be positive".into());
        }
        if !(0.0..1.0).contains(&self.label_dropout) {
            return Err(format!(
                "label dropout must be in [0, 1), not {}",
                self.label_dropout
            ));
        }
        Ok(())
    }

    /// The learning rate at `step` (0-based).
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        let warm = ((step + 1) as f64 / self.warmup_steps.max(1) as f64).min(1.0);
        let decay = match self.total_steps {
            Some(total) if total > self.warmup_steps => {
                let p = ((step.saturating_sub(self.warmup_steps)) as f64
                    / (total - self.warmup_steps) as f64)
                    .min(1.0);
                0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * p).cos())
            }
            _ => 1.0,
        };
        self.learning_rate * warm * decay
    }
}

/// Trains an [`MlpDenoiser`] on a 2D point set.
pub struct Trainer {
    model: Option<MlpDenoiser>,
    optim: ModuleOptimizer,
    ema: Ema<MlpDenoiser>,
    /// Training points on the autodiff device: `[n, 2]`.
    data: Tensor<2>,
    /// Each point's word label (1-based) for a conditional network: `[n]`.
    labels: Option<Tensor<1, Int>>,
    /// ᾱ for every timestep, on the autodiff device: `[T]`.
    alphas_cumprod: Tensor<1>,
    schedule: NoiseSchedule,
    config: TrainConfig,
    model_config: MlpDenoiserConfig,
    steps_done: usize,
}

impl Trainer {
    /// A fresh model and optimiser for `points` (`[x0, y0, x1, y1, ...]`) on `device`; the
    /// model's initial weights and the training noise follow `seed`. A conditional network
    /// (one whose config has words) needs `labels`, each point's word (1 for the first word).
    pub fn new(
        device: &Device,
        points: &[f32],
        labels: Option<&[u32]>,
        model_config: MlpDenoiserConfig,
        config: TrainConfig,
        seed: u64,
    ) -> Result<Self, String> {
        model_config.validate()?;
        let ad = device.clone().autodiff();
        ad.seed(seed);
        let model = model_config.init(&ad);
        Self::resume(model, points, labels, model_config, config, 0)
    }

    /// Goes on training `model` (on an autodiff device; e.g. loaded from a checkpoint, whose
    /// card gives the configs and `steps_done`) with a fresh optimiser; the moving average
    /// starts at `model`.
    pub fn resume(
        model: MlpDenoiser,
        points: &[f32],
        labels: Option<&[u32]>,
        model_config: MlpDenoiserConfig,
        config: TrainConfig,
        steps_done: usize,
    ) -> Result<Self, String> {
        config.validate()?;
        let n = crate::data::check_points("training data", points)?;
        check_labels(labels, n, &model_config)?;
        let schedule = NoiseSchedule::new(config.schedule.schedule(), config.timesteps)?;
        let ad = model.devices()[0].clone();
        let optim = AdamConfig::new()
            .with_epsilon(1e-8)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(config.grad_clip_norm)))
            .init();
        let alphas: Vec<f32> = schedule.alphas_cumprod.iter().map(|&a| a as f32).collect();
        Ok(Self {
            ema: Ema::new(model.valid(), config.ema_decay),
            model: Some(model),
            optim,
            data: Tensor::from_data(TensorData::new(points.to_vec(), [n, 2]), &ad),
            labels: labels.map(|l| {
                let l: Vec<i64> = l.iter().map(|&w| w as i64).collect();
                Tensor::from_data(TensorData::new(l, [n]), &ad)
            }),
            alphas_cumprod: Tensor::from_data(TensorData::new(alphas, [config.timesteps]), &ad),
            schedule,
            config,
            model_config,
            steps_done,
        })
    }

    /// Changes the learning rate and batch size between steps (the page's sliders).
    pub fn set_rate_and_batch(
        &mut self,
        learning_rate: f64,
        batch_size: usize,
    ) -> Result<(), String> {
        self.config = self.config.with_rate_and_batch(learning_rate, batch_size)?;
        Ok(())
    }

    /// One optimiser update on a fresh batch. Returns the batch's loss as a tensor of one
    /// element, not read back (reading it is the caller's choice: synchronous natively,
    /// asynchronous in the browser).
    pub fn step(&mut self) -> Tensor<1> {
        let model = self.model.take().expect("the model is always put back");
        let device = self.data.device();
        let (n, b, t_count) = (
            self.data.dims()[0],
            self.config.batch_size,
            self.config.timesteps,
        );
        // 1. A batch of data, timesteps and noise, all made on the device.
        let idx = Tensor::<1, Int>::random([b], Distribution::Uniform(0.0, n as f64), &device)
            .clamp(0, n as i64 - 1);
        let x0 = self.data.clone().select(0, idx.clone());
        let labels = self.labels.as_ref().map(|labels| {
            let dropped = Tensor::<1>::random([b], Distribution::Uniform(0.0, 1.0), &device)
                .lower_elem(self.config.label_dropout);
            labels
                .clone()
                .select(0, idx)
                .mask_fill(dropped, NO_WORD as i64)
        });
        let steps =
            Tensor::<1, Int>::random([b], Distribution::Uniform(0.0, t_count as f64), &device)
                .clamp(0, t_count as i64 - 1);
        let t = steps
            .clone()
            .float()
            .add_scalar(1.0)
            .div_scalar(t_count as f64)
            .reshape([b, 1]);
        let abar = self.alphas_cumprod.clone().select(0, steps).reshape([b, 1]);
        let (alpha, sigma) = (abar.clone().sqrt(), abar.neg().add_scalar(1.0).sqrt());
        let eps = Tensor::<2>::random([b, 2], Distribution::Normal(0.0, 1.0), &device);
        // 2. Noise the data (q(x_t | x₀)) and regress the target.
        let x_t = crate::forward::add_noise(x0.clone(), eps.clone(), &alpha, &sigma);
        let prediction = self.config.prediction.prediction();
        let target = prediction.target(x0, eps, &alpha, &sigma);
        let loss = (model.forward_words(x_t, t, labels) - target)
            .square()
            .mean();
        // 3. Backpropagate and update; then the moving average.
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let lr = self.config.learning_rate_at(self.steps_done);
        let model = self.optim.step(lr, model, grads);
        self.ema.update(&model.valid());
        self.model = Some(model);
        self.steps_done += 1;
        loss.without_autodiff()
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }

    /// The learning rate the next step will use.
    pub fn learning_rate(&self) -> f64 {
        self.config.learning_rate_at(self.steps_done)
    }

    /// The moving-average weights, the ones to sample with.
    pub fn ema_model(&self) -> &MlpDenoiser {
        &self.ema.model
    }

    /// The noise schedule trained on.
    pub fn schedule(&self) -> &NoiseSchedule {
        &self.schedule
    }

    /// The training hyper-parameters.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The network's hyper-parameters.
    pub fn model_config(&self) -> &MlpDenoiserConfig {
        &self.model_config
    }

    /// The sampling-side view of the moving-average model (unconditional).
    pub fn denoiser(&self) -> NetworkDenoiser<'_> {
        NetworkDenoiser::new(&self.ema.model, self.config.prediction.prediction())
    }
}

/// Errors unless `labels` fit `n` points and the network's vocabulary (and are there exactly
/// when the network has one).
fn check_labels(
    labels: Option<&[u32]>,
    n: usize,
    model_config: &MlpDenoiserConfig,
) -> Result<(), String> {
    match (labels, &model_config.words) {
        (None, None) => Ok(()),
        (Some(_), None) => Err("labelled points need a network with a vocabulary".into()),
        (None, Some(_)) => Err("a network with a vocabulary needs labelled points".into()),
        (Some(labels), Some(words)) => {
            if labels.len() != n {
                return Err(format!(
                    "there are {} labels for {n} points: give one label per point",
                    labels.len()
                ));
            }
            let max = words.words.len() as u32;
            match labels.iter().find(|&&l| l == NO_WORD || l > max) {
                Some(bad) => Err(format!(
                    "label {bad} names no word: labels go from 1 to {max}, one per word"
                )),
                None => Ok(()),
            }
        }
    }
}

mod network_denoiser;
pub use network_denoiser::{Condition, NetworkDenoiser};

#[cfg(test)]
mod tests;
