//! A linear layer whose matrix products use every core on the CPU, however small the batch.
//!
//! `flex` hands a 2D matrix product to `gemm` on all threads only above 192³ multiply-adds; the
//! 2D trainer's products at batch 256 (256 × 128 × 128, about 4.2 million) ran on one core
//! while the other waited. Here the CPU splits such a product by rows of its output, one band
//! per thread, and joins the bands: `A·B = [A₁·B; A₂·B]` for `A = [A₁; A₂]`. The gradients are
//! products too (`∂L/∂A = G·Bᵀ`, `∂L/∂B = Aᵀ·G`) and are split the same way. Other backends,
//! and the page's single-threaded CPU module, run burn's own product.

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
        x.matmul(weight)
    };
    match &layer.bias {
        Some(bias) => y + bias.val().unsqueeze(),
        None => y,
    }
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
}
