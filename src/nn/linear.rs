//! A linear layer whose matrix products use every core on the CPU, however small the batch.
//!
//! `flex` hands a 2D matrix product to `gemm` on all threads only above 192³ multiply-adds; the
//! 2D trainer's products at batch 256 (256 × 128 × 128, about 4.2 million) ran on one core
//! while the other waited. Here the CPU splits such a product by rows of its output, one band
//! per thread, and joins the bands: `A·B = [A₁·B; A₂·B]` for `A = [A₁; A₂]`. The gradients are
//! products too (`∂L/∂A = G·Bᵀ`, `∂L/∂B = Aᵀ·G`) and are split the same way. The page's
//! single-threaded CPU module runs burn's own product.
//!
//! On a GPU the batch's rows are cut into chunks taken as one batched product with the weight
//! broadcast, `[c, b/c, d]·[1, d, n]` ([`chunked_matmul`]): the same values, but the weight's
//! gradient `Aᵀ·G = Σⱼ Aⱼᵀ·Gⱼ` then comes out of autodiff as `c` products side by side, summed
//! over the chunks: a split-k product. burn's matrix kernel without autotuning (the page's, and
//! `--device gpu`'s) gives each block of the output one workgroup that loops over all `k`; for
//! `Aᵀ·G`, with `k` the batch and a 128 × 128 output, that left most of a GPU idle: 407-418 µs
//! per product at batch 1,024 on an H200, twelve of them a step, where cuBLAS takes 6 to 8 µs.

use super::cpu::on_cpu;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, binary};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Dispatch, Flex, backend_extension};
use burn::nn::Linear;
use burn::tensor::Tensor;

/// `x·W + b` for a batch of rows `x` (`[batch, d_input]`), with the product split across
/// threads on the CPU.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    let weight = layer.weight.val();
    let y = if on_cpu(&x) {
        Tensor::from_dispatch(<Dispatch as SplitMatmul>::split_matmul(
            x.into_dispatch(),
            weight.into_dispatch(),
        ))
    } else {
        chunked_matmul(x, weight)
    };
    match &layer.bias {
        Some(bias) => y + bias.val().unsqueeze(),
        None => y,
    }
}

/// Rows per chunk at least, in [`chunked_matmul`]: fewer would make the products' tiles ragged.
const MIN_CHUNK_ROWS: usize = 64;

/// Chunks at most: enough to fill a large GPU with a 128 × 128 weight's gradient.
const MAX_CHUNKS: usize = 32;

/// How many chunks [`chunked_matmul`] cuts `rows` rows into: the largest power of two up to
/// [`MAX_CHUNKS`] that divides them into chunks of at least [`MIN_CHUNK_ROWS`].
fn row_chunks(rows: usize) -> usize {
    let mut chunks = 1;
    while 2 * chunks <= MAX_CHUNKS
        && rows.is_multiple_of(2 * chunks)
        && rows / (2 * chunks) >= MIN_CHUNK_ROWS
    {
        chunks *= 2;
    }
    chunks
}

/// `x·w` for `x` `[rows, d]` and `w` `[d, n]`, taken as a batched product of chunks of rows
/// against `w` broadcast, so that autodiff computes `w`'s gradient split over the batch (see
/// the module documentation).
pub(crate) fn chunked_matmul(x: Tensor<2>, w: Tensor<2>) -> Tensor<2> {
    let [rows, d] = x.dims();
    let chunks = row_chunks(rows);
    if chunks == 1 {
        return x.matmul(w);
    }
    let n = w.dims()[1];
    x.reshape([chunks, rows / chunks, d])
        .matmul(w.unsqueeze::<3>())
        .reshape([rows, n])
}

/// The product of two matrices, computed in bands of rows on several threads where that pays.
#[backend_extension(Flex, Autodiff)]
pub trait SplitMatmul: burn::backend::Backend {
    /// `lhs·rhs` for `[m, k]` and `[k, n]` matrices; by default the backend's own product.
    fn split_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::float_matmul(lhs, rhs)
    }
}

/// From `flex`'s own threshold up, `gemm` shares a product out itself.
#[cfg(threads)]
const SPLIT_BELOW: usize = 192 * 192 * 192;

/// Below this many multiply-adds a product stays on one thread: the join and the copies of the
/// bands cost more than half of it. With AVX-512 (gemm's `x86-v4` kernels, Cargo.toml) a
/// product takes half the time, and splitting the 2D trainer's 256 × 128 × 128 products
/// slowed its training at batch 256 from 427 to 388 steps/s (AMD EPYC, 2 threads), where with
/// AVX2 it had sped it up 1.10x; at batch 512 the two were alike (300 steps/s).
#[cfg(all(threads, not(target_family = "wasm")))]
fn split_from() -> usize {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        return 1 << 23;
    }
    1 << 20
}

/// In the browser's threaded module a join costs more (workers wake more slowly than native
/// threads): the page's training parts of 64 rows (64 × 128 × 128 = 2²⁰) ran slower split
/// than whole.
#[cfg(all(threads, target_family = "wasm"))]
fn split_from() -> usize {
    1 << 22
}

impl SplitMatmul for Flex {
    #[cfg(threads)]
    fn split_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        use burn::backend::{TensorMetadata, ops::FloatTensorOps};
        let (lhs_shape, rhs_shape) = (lhs.shape(), rhs.shape());
        let threads = rayon::current_num_threads();
        if lhs_shape.num_dims() != 2 || rhs_shape.num_dims() != 2 || threads < 2 {
            return Self::float_matmul(lhs, rhs);
        }
        let [m, k, n] = [lhs_shape[0], lhs_shape[1], rhs_shape[1]];
        let parts = threads.min(m / 16);
        if !(split_from()..SPLIT_BELOW).contains(&(m * k * n)) || parts < 2 {
            return Self::float_matmul(lhs, rhs);
        }
        let bands: Vec<_> = (0..parts)
            .map(|p| {
                let (start, end) = (p * m / parts, (p + 1) * m / parts);
                lhs.narrow(0, start, end - start)
            })
            .collect();
        use rayon::prelude::*;
        let products = bands
            .into_par_iter()
            .map(|band| Self::float_matmul(band, rhs.clone()))
            .collect();
        Self::float_cat(products, 0)
    }
}

impl<B: SplitMatmul, C: CheckpointStrategy> SplitMatmul for Autodiff<B, C> {
    fn split_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        /// The backward step of [`SplitMatmul::split_matmul`]; its state is both factors.
        #[derive(Debug)]
        struct SplitMatmulBackward;

        impl<B: SplitMatmul> Backward<B, 2> for SplitMatmulBackward {
            type State = (FloatTensor<B>, FloatTensor<B>);

            fn backward(
                self,
                ops: Ops<Self::State, 2>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (lhs, rhs) = ops.state;
                binary::<B, _, _>(
                    ops.parents,
                    ops.node,
                    grads,
                    |grad| B::split_matmul(grad, B::float_swap_dims(rhs, 0, 1)),
                    |grad| B::split_matmul(B::float_swap_dims(lhs, 0, 1), grad),
                );
            }
        }

        match SplitMatmulBackward
            .prepare::<C>([lhs.node(), rhs.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (a, b) = (lhs.primitive().clone(), rhs.primitive().clone());
                prep.finish((a.clone(), b.clone()), B::split_matmul(a, b))
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(B::split_matmul(lhs.into_primitive(), rhs.into_primitive()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::LinearConfig;
    use burn::tensor::{Device, TensorData};

    fn values<const D: usize>(x: Tensor<D>) -> Vec<f32> {
        x.into_data().try_into_vec::<f32>().unwrap()
    }

    fn assert_close(a: Vec<f32>, b: Vec<f32>, what: &str) {
        assert_eq!(a.len(), b.len());
        for (i, (a, b)) in a.iter().zip(&b).enumerate() {
            assert!(
                (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                "{what}[{i}]: {a} against {b}"
            );
        }
    }

    /// The layer's output and the gradients of its input, weight and bias, against burn's own
    /// `Linear::forward`, for `rows` rows: 255 × 128 × 128 is split in bands of 127 and 128
    /// rows where there are two threads, 8 rows are not split.
    #[test]
    fn agrees_with_burns_linear_in_value_and_gradients() {
        let device = Device::flex().autodiff();
        let layer = LinearConfig::new(128, 128).init(&device);
        for rows in [255, 8] {
            let data: Vec<f32> = (0..rows * 128).map(|i| (i as f32 * 0.731).sin()).collect();
            let x = Tensor::<2>::from_data(TensorData::new(data, [rows, 128]), &device);
            let results = [true, false].map(|split| {
                let x = x.clone().require_grad();
                let y = if split {
                    linear(&layer, x.clone())
                } else {
                    layer.forward(x.clone())
                };
                // A gradient that differs from row to row and column to column.
                let grads = (y.clone() * y.clone()).sum().backward();
                let bias = layer.bias.as_ref().unwrap().val();
                [
                    values(y),
                    values(x.grad(&grads).unwrap()),
                    values(layer.weight.val().grad(&grads).unwrap()),
                    values(bias.grad(&grads).unwrap()),
                ]
            });
            let [ours, burns] = results;
            for ((a, b), what) in ours.into_iter().zip(burns).zip(["y", "dx", "dW", "db"]) {
                assert_close(a, b, &format!("{what} ({rows} rows)"));
            }
        }
    }

    #[test]
    fn rows_are_cut_into_chunks_of_at_least_64_and_at_most_32_of_them() {
        let cases = [
            (64, 1),
            (96, 1),
            (100, 1),
            (128, 2),
            (256, 4),
            (1024, 16),
            (4096, 32),
            (10_000, 16),
            (16_384, 32),
        ];
        for (rows, chunks) in cases {
            assert_eq!(row_chunks(rows), chunks, "{rows} rows");
        }
    }

    /// The chunked product (the GPU's) against the plain one, in value and in the gradients
    /// of both factors: 1,024 rows in 16 chunks, 1,000 in 8, 60 in one.
    #[test]
    fn the_chunked_product_agrees_with_the_plain_one() {
        let device = Device::flex().autodiff();
        let w: Vec<f32> = (0..48 * 40).map(|i| (i as f32 * 0.377).cos()).collect();
        let w = Tensor::<2>::from_data(TensorData::new(w, [48, 40]), &device);
        for rows in [1024, 1000, 60] {
            let data: Vec<f32> = (0..rows * 48).map(|i| (i as f32 * 0.731).sin()).collect();
            let x = Tensor::<2>::from_data(TensorData::new(data, [rows, 48]), &device);
            let results = [true, false].map(|chunked| {
                let (x, w) = (x.clone().require_grad(), w.clone().require_grad());
                let y = match chunked {
                    true => chunked_matmul(x.clone(), w.clone()),
                    false => x.clone().matmul(w.clone()),
                };
                let grads = (y.clone() * y.clone()).sum().backward();
                [
                    values(y),
                    values(x.grad(&grads).unwrap()),
                    values(w.grad(&grads).unwrap()),
                ]
            });
            let [ours, plain] = results;
            for ((a, b), what) in ours.into_iter().zip(plain).zip(["y", "dx", "dw"]) {
                assert_close(a, b, &format!("{what} ({rows} rows)"));
            }
        }
    }
}
