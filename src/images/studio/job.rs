//! A job of the studio: sampling in blocks of rows, a piece at a time, then decoding.

use crate::images::generate::{ImageGenerator, LatentRun};
use crate::sampler::{Condition, Run};
use burn::tensor::Tensor;
use std::rc::Rc;

/// A sampling job of the studio, in blocks of rows, one piece at a time (a step of a block,
/// then the decoding of a block's rows, or of one step's estimates of them when watched; the
/// page yields to the browser between pieces on the CPU); it may keep every step for watching.
pub struct StudioJob {
    generator: Rc<ImageGenerator>,
    blocks: Vec<Block>,
    /// The block whose turn it is.
    next: usize,
    watch: bool,
}

/// A block of rows of a job.
struct Block {
    run: LatentRun,
    /// Latents before the first step and after each (when watched; else only the last).
    latents: Vec<Tensor<4>>,
    /// The clean estimate after each step (when watched).
    estimates: Vec<Tensor<4>>,
    /// What is left to decode once the steps are done: the last latents, or every estimate
    /// when watched.
    to_decode: Option<Tensor<4>>,
    /// The decoded images (or estimates, when watched), a block's rows at a time.
    decoded: Vec<Tensor<4>>,
}

impl Block {
    fn rows(&self) -> usize {
        self.run.latents().dims()[0]
    }

    /// Whether everything is decoded: something was, and nothing is left.
    fn decoded_all(&self) -> bool {
        !self.decoded.is_empty() && self.to_decode.is_none()
    }
}

impl StudioJob {
    pub(super) fn new(
        generator: Rc<ImageGenerator>,
        condition: Condition,
        runs: Vec<Run<4>>,
    ) -> Self {
        let blocks = runs
            .into_iter()
            .map(|run| {
                let run = LatentRun::new(condition, run);
                Block {
                    latents: vec![run.latents()],
                    run,
                    estimates: Vec::new(),
                    to_decode: None,
                    decoded: Vec::new(),
                }
            })
            .collect();
        Self {
            generator,
            blocks,
            next: 0,
            watch: false,
        }
    }

    /// This job, keeping every step for [`StudioJob::watched`].
    pub fn watching(mut self) -> Self {
        self.watch = true;
        self
    }

    /// Does the next piece of work: a step of the next block, or, once every block has taken
    /// every step, the decoding of the next block's rows (when watched, of one step's
    /// estimates of them); false once there is nothing left.
    pub fn step(&mut self) -> bool {
        let count = self.blocks.len();
        for turn in 0..count {
            let block = &mut self.blocks[(self.next + turn) % count];
            if block.run.step(&self.generator) {
                if self.watch {
                    block.estimates.extend(block.run.estimate());
                } else {
                    block.latents.clear();
                }
                block.latents.push(block.run.latents());
                self.next = (self.next + turn + 1) % count;
                return true;
            }
        }
        let Some(block) = self.blocks.iter_mut().find(|b| !b.decoded_all()) else {
            return false;
        };
        let rows = block.rows();
        let left = block.to_decode.take().unwrap_or_else(|| {
            if !self.watch || block.estimates.is_empty() {
                // Not watched, or no step (strength 0: the start is its own estimate).
                block.run.latents()
            } else {
                Tensor::cat(block.estimates.clone(), 0)
            }
        });
        let total = left.dims()[0];
        block
            .decoded
            .push(self.generator.decode(left.clone().narrow(0, 0, rows)));
        if total > rows {
            block.to_decode = Some(left.narrow(0, rows, total - rows));
        }
        true
    }

    /// The images, `[n, 1, 28, 28]` in [0, 1] (the remaining work done first), not read back.
    pub fn images(mut self) -> Tensor<4> {
        while self.step() {}
        if self.watch {
            let n: usize = self.blocks.iter().map(Block::rows).sum();
            let estimates = self.watched().0;
            let all = estimates.dims()[0];
            return estimates.narrow(0, all - n, n);
        }
        Tensor::cat(self.blocks.into_iter().flat_map(|b| b.decoded).collect(), 0)
    }

    /// The denoising watched (the remaining work done first; a job not made
    /// [`StudioJob::watching`] shows only its last step): the decoded clean estimate after
    /// every step, `[steps × n, 1, 28, 28]` (step by step, a step's images together), and the
    /// standardised latents before the first step and after each, `[(steps + 1) × n, c, 8, 8]`.
    /// The last estimate is the image [`StudioJob::images`] gives.
    pub fn watched(mut self) -> (Tensor<4>, Tensor<4>) {
        while self.step() {}
        // Per block: [steps × rows, ...], step by step; put back together step by step.
        let interleave = |parts: Vec<Tensor<4>>, per_block: &[usize]| -> Tensor<4> {
            let steps = parts[0].dims()[0] / per_block[0];
            let mut pieces = Vec::new();
            for k in 0..steps {
                for (part, &rows) in parts.iter().zip(per_block) {
                    pieces.push(part.clone().narrow(0, k * rows, rows));
                }
            }
            Tensor::cat(pieces, 0)
        };
        let rows: Vec<usize> = self.blocks.iter().map(Block::rows).collect();
        let (estimates, latents): (Vec<_>, Vec<_>) = self
            .blocks
            .into_iter()
            .map(|b| (Tensor::cat(b.decoded, 0), Tensor::cat(b.latents, 0)))
            .unzip();
        (interleave(estimates, &rows), interleave(latents, &rows))
    }
}
