//! Training in the playground: the trainer, made on first use from the data and the settings,
//! and optimiser steps whole (natively, on WebGPU) or in parts (the page's CPU path).

use super::{MAX_TRAIN_STEPS, Playground};
use crate::check::check_range;
use crate::points::{MlpDenoiser, PointTrainer};
use crate::train::Snapshot;
use burn::tensor::Tensor;

/// A mean loss this many times the typical loss so far means training diverged: a learning
/// rate of 1 makes the loss jump from about 1 to over 40 within five steps (the network then
/// dies: its loss sits at 1).
pub const LOSS_JUMP: f32 = 10.0;

/// The typical loss before any is read: the targets (ε or v) have unit variance and the data
/// are standardised, so a network that outputs zeros scores 1, and a fresh one about that.
const FIRST_TYPICAL_LOSS: f32 = 1.0;

/// What training keeps to recover from a divergence.
///
/// A step's loss is computed before its update, so a sound loss read back vouches for the
/// states its steps began from, not for the state they ended at: the last update may already
/// have broken the weights (at a learning rate of 1, one update can). So the state at a
/// judgement is only pending, and becomes the good one when the next call's loss, which
/// starts from it, is sound too.
pub(super) struct Guard {
    /// The last state a sound loss vouched for: where a divergence goes back to.
    last_good: Snapshot<MlpDenoiser>,
    /// The state at the last judgement, which the next call's loss vouches for or not.
    pending: Snapshot<MlpDenoiser>,
    /// A moving average of the sound losses (weight 0.1 to the newest).
    typical: f32,
}

impl Guard {
    fn new(trainer: &PointTrainer) -> Self {
        let start = trainer.snapshot();
        Self {
            last_good: start.clone(),
            pending: start,
            typical: FIRST_TYPICAL_LOSS,
        }
    }
}

impl Playground {
    /// The trainer, made on first use.
    pub(super) fn trainer(&mut self) -> Result<&mut PointTrainer, String> {
        if self.trainer.is_none() {
            let trainer = PointTrainer::new(
                &self.device,
                self.data.train_data(),
                self.labels_if_grouped(),
                self.model_config.clone(),
                self.config.clone(),
                self.seed,
            )?;
            self.train_with(trainer);
        }
        Ok(self.trainer.as_mut().expect("made above"))
    }

    /// Trains `trainer` from now on; its state now is the first good one.
    pub(super) fn train_with(&mut self, trainer: PointTrainer) {
        self.guard = Some(Guard::new(&trainer));
        self.trainer = Some(trainer);
    }

    /// Judges `loss`, the mean loss of the steps taken since the last judgement (as read
    /// back): when it is finite and at most [`LOSS_JUMP`] times the typical loss so far, the
    /// state at the last judgement, where those steps began, becomes the last good one (see
    /// [`Guard`]). Otherwise training diverged: the weights, the optimiser's moments, the
    /// moving average and the step count go back to the last good state, and the error says so
    /// and what to change.
    pub fn judge_loss(&mut self, loss: f32) -> Result<(), String> {
        let lr = self.config.learning_rate;
        let (Some(trainer), Some(guard)) = (self.trainer.as_mut(), self.guard.as_mut()) else {
            return Ok(()); // forgotten meanwhile: nothing to judge
        };
        if loss.is_finite() && loss <= LOSS_JUMP * guard.typical {
            guard.last_good = std::mem::replace(&mut guard.pending, trainer.snapshot());
            guard.typical = 0.9 * guard.typical + 0.1 * loss;
            return Ok(());
        }
        let at = trainer.steps_done();
        let back = guard.last_good.steps_done();
        trainer.restore(guard.last_good.clone());
        guard.pending = guard.last_good.clone();
        let what = match loss.is_finite() {
            true => format!("jumped to {loss:.3} from about {:.3}", guard.typical),
            false => format!("became {loss}"),
        };
        Err(format!(
            "training diverged by step {at}: the loss {what}. The weights went back to step \
             {back}, the last good state; lower the learning rate (now {lr}) and train again"
        ))
    }

    /// Checks a number of optimiser steps to take in one call.
    pub fn check_train_steps(steps: usize) -> Result<(), String> {
        check_range("the number of steps", steps, &(1..=MAX_TRAIN_STEPS))
    }

    /// Builds the model and its optimiser now if there are none yet (the first training call
    /// does otherwise), so that a page can draw between building them and the first step.
    pub fn prepare_training(&mut self) -> Result<(), String> {
        self.trainer().map(|_| ())
    }

    /// Part of an optimiser step (see [`crate::train::Trainer::step_part`]): the batch is
    /// split into as few parts of at most `max_rows` examples as it takes, all of about the
    /// same size; the step's loss, not read back, once its last part is done.
    pub fn train_part(&mut self, max_rows: usize) -> Result<Option<Tensor<1>>, String> {
        let trainer = self.trainer()?;
        let batch = trainer.config().batch_size;
        let parts = batch.div_ceil(max_rows.max(1));
        Ok(trainer.step_part(batch.div_ceil(parts)))
    }

    /// Takes `steps` optimiser steps; returns their mean loss, not read back.
    pub fn train(&mut self, steps: usize) -> Result<Tensor<1>, String> {
        Self::check_train_steps(steps)?;
        let trainer = self.trainer()?;
        let mut sum = trainer.step();
        for _ in 1..steps {
            sum = sum + trainer.step();
        }
        Ok(sum.div_scalar(steps as f64))
    }

    /// The data's labels, when the data are grouped.
    pub(super) fn labels_if_grouped(&self) -> Option<&[u32]> {
        (!self.data.labels.is_empty()).then_some(&self.data.labels[..])
    }
}
