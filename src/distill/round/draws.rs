//! What a distillation step draws when it begins, for its parts to share (see
//! [`Round::step_part`]): a step in parts is then the step in one piece.

use super::Round;
use crate::nn::DenoisingNet;
use burn::tensor::{Distribution, Int, Tensor};
use rand::RngExt;

/// What a step draws when it begins, for its parts to share: the student step `k` (from the
/// student's level `k` to `k + 1`), the guidance scale for a model of words, and the batch's
/// examples (indices into the data) and noise.
#[derive(Clone)]
pub(in crate::distill) struct StepDraws<const D: usize> {
    pub k: usize,
    pub scale: Option<f64>,
    pub idx: Tensor<1, Int>,
    pub eps: Tensor<D>,
}

impl<N: DenoisingNet<D>, const D: usize> Round<N, D> {
    /// A step's draws for a batch of `b`: the student step and the guidance scale (from the
    /// round's own generator), then the examples and their noise (the device's), in the order
    /// a step has always drawn them.
    pub(in crate::distill) fn draw(&mut self, b: usize) -> StepDraws<D> {
        let k = self.rng.random_range(0..self.student_steps());
        let scale = self
            .words
            .as_ref()
            .map(|w| self.rng.random_range(w.guidance.clone()));
        let device = self.data.device();
        let dims = self.data.dims();
        let n = dims[0];
        let idx = Tensor::<1, Int>::random([b], Distribution::Uniform(0.0, n as f64), &device)
            .clamp(0, n as i64 - 1);
        let mut shape = dims;
        shape[0] = b;
        let eps = Tensor::<D>::random(shape, Distribution::Normal(0.0, 1.0), &device);
        StepDraws { k, scale, idx, eps }
    }
}
