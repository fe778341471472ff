//! A plain supervised loop for the networks that are not denoisers (the autoencoder, the
//! judge): Adam with gradient-norm clipping and the same learning-rate schedule as the
//! denoisers, one [`SupervisedTrainer::step`] per batch, the loss given by the caller.

use super::RateSchedule;
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

    /// The model as trained so far.
    pub fn model(&self) -> &M {
        self.model.as_ref().expect("the model is always put back")
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }
}
