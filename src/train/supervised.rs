//! A plain supervised loop for the networks that are not trained as denoisers (the
//! autoencoder, the judge, a distilled student): Adam with gradient-norm clipping and the same
//! learning-rate schedule as the denoisers, one [`SupervisedTrainer::step`] per batch (or a few
//! [`SupervisedTrainer::step_part`]s), the loss given by the caller.

use super::RateSchedule;
use super::parts::Parts;
use burn::module::Module;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::Tensor;

/// Trains a module `M` (on an autodiff device) on losses the caller computes.
pub struct SupervisedTrainer<M> {
    model: Option<M>,
    optim: ModuleOptimizer,
    rate: RateSchedule,
    steps_done: usize,
    parts: Parts<M>,
}

impl<M: Module> SupervisedTrainer<M> {
    /// Trains `model` from step `steps_done` of `rate`, with a fresh optimiser.
    pub fn new(model: M, rate: RateSchedule, steps_done: usize) -> Self {
        let optim = AdamConfig::new()
            .with_epsilon(1e-8)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(1.0)))
            .init();
        Self {
            model: Some(model),
            optim,
            rate,
            steps_done,
            parts: Parts::new(),
        }
    }

    /// One update: `loss` computes the batch's loss with the current model; returns it, not
    /// read back.
    pub fn step(&mut self, loss: impl FnOnce(&M) -> Tensor<1>) -> Tensor<1> {
        let model = self.model.take().expect("the model is always put back");
        let value = loss(&model);
        let grads = GradientsParams::from_grads(value.backward(), &model);
        let model = self.optim.step(self.rate.at(self.steps_done), model, grads);
        self.model = Some(model);
        self.steps_done += 1;
        value.without_autodiff()
    }

    /// Part of an update: `loss` computes the mean loss of the current model on the next `rows`
    /// examples of a batch of `batch` (at most what is left of it: see
    /// [`SupervisedTrainer::rows_done`]); after the part that completes the batch, the update,
    /// and the batch's loss.
    pub fn step_part(
        &mut self,
        rows: usize,
        batch: usize,
        loss: impl FnOnce(&M) -> Tensor<1>,
    ) -> Option<Tensor<1>> {
        let model = self.model.take().expect("the model is always put back");
        let value = loss(&model);
        let Some((grads, value)) = self.parts.add(&model, value, rows, batch) else {
            self.model = Some(model);
            return None;
        };
        self.model = Some(self.optim.step(self.rate.at(self.steps_done), model, grads));
        self.steps_done += 1;
        Some(value)
    }

    /// How many examples of the batch in progress the parts taken so far covered.
    pub fn rows_done(&self) -> usize {
        self.parts.rows_done()
    }

    /// The model as trained so far.
    pub fn model(&self) -> &M {
        self.model.as_ref().expect("the model is always put back")
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }
}
