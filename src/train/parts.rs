//! An optimiser step taken in parts: the page trains on the CPU a few dozen examples at a time,
//! so that the browser draws between them, and a step of b examples taken in parts is the same
//! step as in one piece. The loss is the batch mean, so a part of r examples counts r/b of its
//! own mean; the parts' gradients are summed, then applied once.

use burn::module::Module;
use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::tensor::Tensor;

/// The parts of a step taken so far (none between steps).
pub(crate) struct Parts<M> {
    partial: Option<Partial<M>>,
}

/// Their gradients, summed; their losses, each weighted by its share of the batch; and how many
/// examples they covered.
struct Partial<M> {
    grads: GradientsAccumulator<M>,
    loss: Tensor<1>,
    rows: usize,
}

impl<M: Module> Parts<M> {
    /// No part taken yet.
    pub fn new() -> Self {
        Self { partial: None }
    }

    /// Forgets the parts taken (the batch size changed).
    pub fn clear(&mut self) {
        self.partial = None;
    }

    /// How many examples of the batch in progress the parts so far covered.
    pub fn rows_done(&self) -> usize {
        self.partial.as_ref().map_or(0, |p| p.rows)
    }

    /// Adds the gradient of `loss`, the mean loss of `model` on `rows` examples of a batch of
    /// `batch` (on the autodiff device); once the parts cover the batch, returns the step's
    /// gradients and its loss (the batch mean, without autodiff) and starts the next step.
    pub fn add(
        &mut self,
        model: &M,
        loss: Tensor<1>,
        rows: usize,
        batch: usize,
    ) -> Option<(GradientsParams, Tensor<1>)> {
        if rows >= batch && self.partial.is_none() {
            let grads = GradientsParams::from_grads(loss.backward(), model);
            return Some((grads, loss.without_autodiff()));
        }
        let loss = loss.mul_scalar(rows as f64 / batch as f64);
        let grads = GradientsParams::from_grads(loss.backward(), model);
        let partial = self.partial.get_or_insert_with(|| Partial {
            grads: GradientsAccumulator::new(),
            loss: Tensor::zeros([1], &loss.device()).without_autodiff(),
            rows: 0,
        });
        partial.grads.accumulate(model, grads);
        partial.loss = partial.loss.clone() + loss.without_autodiff();
        partial.rows += rows;
        if partial.rows < batch {
            return None;
        }
        let Partial {
            mut grads, loss, ..
        } = self.partial.take().expect("just made");
        Some((grads.grads(), loss))
    }
}
