//! A training batch's random draws: which examples, whether each one's word is dropped, its
//! timestep and its noise. A step draws its whole batch when it begins, in the order a step in
//! one piece always drew them, and each part of a step taken in parts ([`super::Trainer::step_part`])
//! takes the next rows of it: a step in parts is then the step in one piece, whatever the
//! parts (to the rounding of the gradients' sums), and the page's CPU builds, which take their
//! steps in parts of different sizes, train the same network from the same seed.

use burn::tensor::{Bool, Device, Distribution, Int, Tensor};

/// One batch's draws, on the device of the training data.
pub(super) struct Draws<const D: usize> {
    /// Which examples: `[b]` indices into the data.
    pub idx: Tensor<1, Int>,
    /// For labelled data, whether each example's word is replaced by ∅: `[b]`.
    pub dropped: Option<Tensor<1, Bool>>,
    /// Each example's timestep i ∈ [0, T): `[b]`.
    pub steps: Tensor<1, Int>,
    /// Each example's noise ε ~ N(0, I), shaped like the examples: `[b, ...]`.
    pub eps: Tensor<D>,
}

impl<const D: usize> Draws<D> {
    /// `b` examples' draws from `n` examples of shape `dims` (its first axis ignored) and `t`
    /// timesteps; `dropout` is the probability of dropping a word (labelled data only).
    pub fn new(
        b: usize,
        dims: [usize; D],
        t: usize,
        dropout: Option<f64>,
        device: &Device,
    ) -> Self {
        let n = dims[0];
        let idx = Tensor::<1, Int>::random([b], Distribution::Uniform(0.0, n as f64), device)
            .clamp(0, n as i64 - 1);
        let dropped = dropout.map(|p| {
            Tensor::<1>::random([b], Distribution::Uniform(0.0, 1.0), device).lower_elem(p)
        });
        let steps = Tensor::<1, Int>::random([b], Distribution::Uniform(0.0, t as f64), device)
            .clamp(0, t as i64 - 1);
        let mut shape = dims;
        shape[0] = b;
        let eps = Tensor::<D>::random(shape, Distribution::Normal(0.0, 1.0), device);
        Self {
            idx,
            dropped,
            steps,
            eps,
        }
    }

    /// The draws of rows `start..start + len`.
    pub fn rows(&self, start: usize, len: usize) -> Self {
        Self {
            idx: self.idx.clone().narrow(0, start, len),
            dropped: self.dropped.clone().map(|d| d.narrow(0, start, len)),
            steps: self.steps.clone().narrow(0, start, len),
            eps: self.eps.clone().narrow(0, start, len),
        }
    }
}
