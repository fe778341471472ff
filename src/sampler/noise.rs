//! Seeded Gaussian noise made on the CPU and uploaded, so that a seed gives the same samples on
//! every backend (burn's own generators differ between WebGPU and the CPU), and the same
//! samples whether a batch is sampled whole or a block of rows at a time.

use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Range;
use std::rc::Rc;

/// A seeded source of standard normal tensors on one device: of its own, or the rows of a
/// batch that shares one generator with the batch's other blocks ([`NoiseSource::blocks`]).
pub struct NoiseSource {
    draws: Draws,
    device: Device,
}

enum Draws {
    Own(Box<StdRng>),
    /// These rows of every draw of a generator shared by the blocks of one batch.
    Rows {
        shared: Rc<RefCell<SharedDraws>>,
        rows: Range<usize>,
        /// Draws taken so far by this block.
        taken: usize,
    },
}

/// The draws of a batch sampled in blocks: each draw is made for the whole batch, in the order
/// a source of its own would make them, and kept until every block has taken its rows.
struct SharedDraws {
    rng: StdRng,
    batch: usize,
    blocks: usize,
    /// Draws not yet taken by every block, oldest first: values and how many blocks took them.
    pending: VecDeque<(Vec<f32>, usize)>,
    /// The index of `pending[0]` among all draws.
    first: usize,
}

impl NoiseSource {
    /// A source seeded with `seed`, making tensors on `device`.
    pub fn new(seed: u64, device: &Device) -> Self {
        Self {
            draws: Draws::Own(Box::new(StdRng::seed_from_u64(seed))),
            device: device.clone(),
        }
    }

    /// One source per block of `rows` rows (the last may be shorter) of a batch of `batch`
    /// rows, sharing a generator seeded with `seed`: the blocks' tensors, put back together,
    /// are the tensors of `NoiseSource::new(seed, ..)`, provided every block asks for the same
    /// sequence of shapes (the batch's, with its own number of rows).
    pub fn blocks(seed: u64, batch: usize, rows: usize, device: &Device) -> Vec<Self> {
        let starts: Vec<usize> = (0..batch).step_by(rows.max(1)).collect();
        let shared = Rc::new(RefCell::new(SharedDraws {
            rng: StdRng::seed_from_u64(seed),
            batch,
            blocks: starts.len(),
            pending: VecDeque::new(),
            first: 0,
        }));
        starts
            .iter()
            .map(|&start| Self {
                draws: Draws::Rows {
                    shared: shared.clone(),
                    rows: start..(start + rows).min(batch),
                    taken: 0,
                },
                device: device.clone(),
            })
            .collect()
    }

    /// A tensor of independent N(0, 1) values.
    pub fn normal<const D: usize>(&mut self, shape: [usize; D]) -> Tensor<D> {
        let n: usize = shape.iter().product();
        let values = match &mut self.draws {
            Draws::Own(rng) => standard_normal(rng, n),
            Draws::Rows {
                shared,
                rows,
                taken,
            } => {
                assert_eq!(shape[0], rows.len(), "a block's noise has the block's rows");
                let per_row = n / rows.len().max(1);
                let values = shared.borrow_mut().take(*taken, per_row, rows.clone());
                *taken += 1;
                values
            }
        };
        Tensor::from_data(TensorData::new(values, shape), &self.device)
    }

    /// Noise shaped like `x`.
    pub fn normal_like<const D: usize>(&mut self, x: &Tensor<D>) -> Tensor<D> {
        self.normal(x.dims())
    }
}

fn standard_normal(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}

impl SharedDraws {
    /// `rows` of draw number `index` (made for the whole batch when first asked for), each
    /// row `per_row` values long.
    fn take(&mut self, index: usize, per_row: usize, rows: Range<usize>) -> Vec<f32> {
        assert!(
            index >= self.first,
            "a block asked for a draw it already took"
        );
        while self.first + self.pending.len() <= index {
            let draw = standard_normal(&mut self.rng, self.batch * per_row);
            self.pending.push_back((draw, 0));
        }
        let (values, takers) = &mut self.pending[index - self.first];
        let out = values[rows.start * per_row..rows.end * per_row].to_vec();
        *takers += 1;
        while self.pending.front().is_some_and(|(_, t)| *t == self.blocks) {
            self.pending.pop_front();
            self.first += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_into_vec::<f32>().unwrap()
    }

    #[test]
    fn blocks_put_together_are_the_whole_batch() {
        let device = Device::flex();
        let mut whole = NoiseSource::new(7, &device);
        let mut blocks = NoiseSource::blocks(7, 10, 4, &device);
        assert_eq!(blocks.len(), 3); // rows 0..4, 4..8, 8..10
        for _ in 0..3 {
            let want = values(whole.normal([10, 2]));
            let got: Vec<f32> = blocks
                .iter_mut()
                .zip([4, 4, 2])
                .flat_map(|(b, rows)| values(b.normal([rows, 2])))
                .collect();
            assert_eq!(got, want);
        }
        // Only draws some block has not taken yet are kept.
        let Draws::Rows { shared, .. } = &blocks[0].draws else {
            unreachable!()
        };
        assert!(shared.borrow().pending.is_empty());
    }
}
