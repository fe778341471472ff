//! The hyper-parameters of training ([`TrainConfig`]), checked where they come from people, and
//! the learning rate they give at each step.

use super::rate::RateSchedule;
use crate::check::check_range;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::schedule::{BetaScheduleName, TIMESTEPS};
use burn::config::Config;

/// The range of batch sizes a person may choose.
pub const BATCH_SIZES: std::ops::RangeInclusive<usize> = 1..=65_536;

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
    #[config(default = "Prediction::V")]
    pub prediction: Prediction,
    /// For a conditional network: the probability that a point's word is replaced by ∅.
    #[config(default = 0.15)]
    pub label_dropout: f64,
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
        check_range("batch size", self.batch_size, &BATCH_SIZES)?;
        if !(0.0..1.0).contains(&self.ema_decay) {
            return Err(format!(
                "EMA decay must be in [0, 1), not {}",
                self.ema_decay
            ));
        }
        check_range("T", self.timesteps, &TIMESTEPS)?;
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

    /// Training settings for a person watching: a short warm-up (50 steps) and a shorter
    /// moving average (decay 0.995, about 200 steps), so samples follow the model within
    /// seconds; the command line keeps the slower, smoother defaults for long runs.
    pub fn interactive() -> TrainConfig {
        TrainConfig::new()
            .with_warmup_steps(50)
            .with_ema_decay(0.995)
    }

    /// The learning rate at `step` (0-based).
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        RateSchedule {
            peak: self.learning_rate,
            warmup_steps: self.warmup_steps,
            total_steps: self.total_steps,
        }
        .at(step)
    }
}
