//! Training in the playground: the trainer, made on first use from the data and the settings,
//! and optimiser steps whole (natively, on WebGPU) or in parts (the page's CPU path).

use super::{MAX_TRAIN_STEPS, Playground};
use crate::check::check_range;
use crate::points::PointTrainer;
use burn::tensor::Tensor;

impl Playground {
    /// The trainer, made on first use.
    pub(super) fn trainer(&mut self) -> Result<&mut PointTrainer, String> {
        if self.trainer.is_none() {
            self.trainer = Some(PointTrainer::new(
                &self.device,
                self.data.train_data(),
                self.labels_if_grouped(),
                self.model_config.clone(),
                self.config.clone(),
                self.seed,
            )?);
        }
        Ok(self.trainer.as_mut().expect("made above"))
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
