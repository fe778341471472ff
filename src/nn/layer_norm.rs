//! Layer normalisation (Ba, Kiros & Hinton 2016) as one operation with its own gradient on the
//! CPU, its rows shared among the CPU's threads.
//!
//! For a row x of d values: μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), and
//! y = γ·x̂ + β. Its gradient, with g = γ·∂L/∂y:
//! ∂L/∂x = (g − mean(g) − x̂·mean(g·x̂)) / √(σ² + ε), ∂L/∂γ = Σ_rows ∂L/∂y·x̂, ∂L/∂β = Σ_rows ∂L/∂y.
//!
//! burn's autodiff runs a layer norm as nine tensor operations and as many again backwards,
//! each a pass over the batch on one thread; the 2D trainer without its layer norms trained
//! 1.15-1.25x faster at batch 1,024-4,096, which is what a pass each way can win back. Other
//! backends run burn's own `LayerNorm`.

use super::cpu::{contiguous, new_like, on_cpu, values};
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Dispatch, Flex, backend_extension};
use burn::nn::LayerNorm;
use burn::tensor::Tensor;

/// `norm` applied to the last dimension of `x`, whose ε is `epsilon` (burn keeps a layer
/// norm's ε to itself): one pass each way on the CPU, burn's `LayerNorm::forward` elsewhere.
pub fn layer_norm<const D: usize>(norm: &LayerNorm, x: Tensor<D>, epsilon: f64) -> Tensor<D> {
    match &norm.beta {
        Some(beta) if on_cpu(&x) => {
            Tensor::from_dispatch(<Dispatch as FusedLayerNorm>::layer_norm_rows(
                x.into_dispatch(),
                norm.gamma.val().into_dispatch(),
                beta.val().into_dispatch(),
                epsilon,
            ))
        }
        _ => norm.forward(x),
    }
}

/// The gradients of x, γ and β (the trait spells the tuple out: its macro reads the tuple).
type Gradients3<B> = (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>);

/// Layer normalisation over the last dimension as a backend operation.
#[backend_extension(Flex, Autodiff)]
pub trait FusedLayerNorm: burn::backend::Backend {
    /// `γ·x̂ + β` for each row of `x`; by default the backend's own layer norm.
    fn layer_norm_rows(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> FloatTensor<Self> {
        Self::layer_norm(x, gamma, Some(beta), epsilon)
    }

    /// The gradients of [`FusedLayerNorm::layer_norm_rows`] for x, γ and β, given ∂L/∂y.
    fn layer_norm_rows_backward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        epsilon: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl FusedLayerNorm for Flex {
    fn layer_norm_rows(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> FloatTensor<Self> {
        let (x, gamma, beta) = (contiguous(x), contiguous(gamma), contiguous(beta));
        let (gamma, beta) = (values(&gamma), values(&beta));
        let mut y = new_like(&x);
        let out = y.try_storage_mut::<f32>().expect("a new tensor");
        rows::for_each(out, values(&x), gamma.len(), |y, x| {
            let (mean, rstd) = rows::moments(x, epsilon);
            let d = x.len();
            let (y, gamma, beta) = (&mut y[..d], &gamma[..d], &beta[..d]);
            for i in 0..d {
                y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
            }
        });
        y
    }

    fn layer_norm_rows_backward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        epsilon: f64,
    ) -> Gradients3<Self> {
        let (x, gamma, grad) = (contiguous(x), contiguous(gamma), contiguous(grad));
        let gamma_values = values(&gamma);
        let d = gamma_values.len();
        let mut dx = new_like(&x);
        let out = dx.try_storage_mut::<f32>().expect("a new tensor");
        let (dgamma, dbeta) = rows::backward(out, values(&x), values(&grad), gamma_values, epsilon);
        let vector = |v: Vec<f32>| {
            let data = burn::tensor::TensorData::new(v, [d]);
            <Flex as burn::backend::ops::FloatTensorOps<Flex>>::float_from_data(
                data,
                &Default::default(),
            )
        };
        (dx, vector(dgamma), vector(dbeta))
    }
}

impl<B: FusedLayerNorm, C: CheckpointStrategy> FusedLayerNorm for Autodiff<B, C> {
    fn layer_norm_rows(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> FloatTensor<Self> {
        /// The backward step; its state is x, γ and ε.
        #[derive(Debug)]
        struct LayerNormBackward;

        impl<B: FusedLayerNorm> Backward<B, 3> for LayerNormBackward {
            type State = (FloatTensor<B>, FloatTensor<B>, f64);

            fn backward(
                self,
                ops: Ops<Self::State, 3>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (x, gamma, epsilon) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let (dx, dgamma, dbeta) = B::layer_norm_rows_backward(x, gamma, grad, epsilon);
                let [x_node, gamma_node, beta_node] = ops.parents;
                for (node, grad) in [(x_node, dx), (gamma_node, dgamma), (beta_node, dbeta)] {
                    if let Some(node) = node {
                        grads.register::<B>(node.id, grad);
                    }
                }
            }
        }

        let forward = |x, gamma, beta| B::layer_norm_rows(x, gamma, beta, epsilon);
        match LayerNormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (x, gamma, beta) = (
                    x.primitive().clone(),
                    gamma.primitive().clone(),
                    beta.into_primitive(),
                );
                prep.finish((x.clone(), gamma.clone(), epsilon), forward(x, gamma, beta))
            }
            OpsKind::UnTracked(prep) => prep.finish(forward(
                x.into_primitive(),
                gamma.into_primitive(),
                beta.into_primitive(),
            )),
        }
    }

    /// The values alone: the gradient is not differentiated again (its results are constants).
    fn layer_norm_rows_backward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        epsilon: f64,
    ) -> Gradients3<Self> {
        let (inner, constant) = (Self::inner, <Self as AutodiffBackend>::from_inner);
        let (dx, dgamma, dbeta) =
            B::layer_norm_rows_backward(inner(x), inner(gamma), inner(grad), epsilon);
        (constant(dx), constant(dgamma), constant(dbeta))
    }
}

/// The arithmetic, row by row.
mod rows {
    /// Rows per block handed to a thread: natively 256, in the browser's threaded module 64
    /// (see `silu::BLOCK`: a join costs more there, but distillation's batches of 256 rows
    /// were left on one thread).
    #[cfg(all(threads, not(target_family = "wasm")))]
    const BLOCK_ROWS: usize = 256;
    #[cfg(all(threads, target_family = "wasm"))]
    const BLOCK_ROWS: usize = 64;

    /// `f(out_row, x_row)` for every row of `d` values, in blocks shared among the
    /// CPU's threads.
    pub fn for_each(out: &mut [f32], x: &[f32], d: usize, f: impl Fn(&mut [f32], &[f32]) + Sync) {
        let block = |out: &mut [f32], x: &[f32]| {
            for (o, x) in out.chunks_exact_mut(d).zip(x.chunks_exact(d)) {
                f(o, x);
            }
        };
        #[cfg(threads)]
        {
            use rayon::prelude::*;
            let n = BLOCK_ROWS * d;
            out.par_chunks_mut(n)
                .zip(x.par_chunks(n))
                .for_each(|(o, x)| block(o, x));
        }
        #[cfg(not(threads))]
        block(out, x);
    }

    /// μ and 1/√(σ² + ε) of one row (two passes: the mean, then the squares about it).
    #[inline]
    pub fn moments(x: &[f32], epsilon: f64) -> (f32, f32) {
        let n = x.len() as f32;
        let mean = sum(x, |v| v) / n;
        let var = sum(x, |v| (v - mean) * (v - mean)) / n;
        (mean, 1.0 / (var + epsilon as f32).sqrt())
    }

    /// Σ f(xᵢ) in eight running totals, which the compiler keeps in SIMD lanes.
    #[inline]
    fn sum(x: &[f32], f: impl Fn(f32) -> f32) -> f32 {
        let mut lanes = [0.0f32; 8];
        let chunks = x.chunks_exact(8);
        let tail: f32 = chunks.remainder().iter().map(|&v| f(v)).sum();
        for chunk in chunks {
            for (lane, &v) in lanes.iter_mut().zip(chunk) {
                *lane += f(v);
            }
        }
        lanes.iter().sum::<f32>() + tail
    }

    /// Writes ∂L/∂x into `dx` and returns ∂L/∂γ and ∂L/∂β (see the module documentation).
    pub fn backward(
        dx: &mut [f32],
        x: &[f32],
        dy: &[f32],
        gamma: &[f32],
        epsilon: f64,
    ) -> (Vec<f32>, Vec<f32>) {
        let d = gamma.len();
        // One block of rows: its part of dx, and its sums for dγ and dβ.
        let block = |dx: &mut [f32], x: &[f32], dy: &[f32]| {
            let (mut dgamma, mut dbeta) = (vec![0.0f32; d], vec![0.0f32; d]);
            let mut xhat = vec![0.0f32; d];
            let mut g = vec![0.0f32; d];
            let rows = dx
                .chunks_exact_mut(d)
                .zip(x.chunks_exact(d))
                .zip(dy.chunks_exact(d));
            for ((dx, x), dy) in rows {
                let (mean, rstd) = moments(x, epsilon);
                // Every slice cut to d, so that the loops below run without bounds checks.
                let (dx, x, dy, gamma) = (&mut dx[..d], &x[..d], &dy[..d], &gamma[..d]);
                let (xhat, g) = (&mut xhat[..d], &mut g[..d]);
                let (dgamma, dbeta) = (&mut dgamma[..d], &mut dbeta[..d]);
                for i in 0..d {
                    xhat[i] = (x[i] - mean) * rstd;
                    g[i] = dy[i] * gamma[i];
                    dgamma[i] += dy[i] * xhat[i];
                    dbeta[i] += dy[i];
                }
                let mean_g = sum(g, |v| v) / d as f32;
                let mut lanes = [0.0f32; 8];
                for (i, (g, x)) in g.iter().zip(xhat.iter()).enumerate() {
                    lanes[i % 8] += g * x;
                }
                let mean_gx = lanes.iter().sum::<f32>() / d as f32;
                for i in 0..d {
                    dx[i] = (g[i] - mean_g - xhat[i] * mean_gx) * rstd;
                }
            }
            (dgamma, dbeta)
        };
        let add = |(mut a, mut b): (Vec<f32>, Vec<f32>), (c, e): (Vec<f32>, Vec<f32>)| {
            a.iter_mut().zip(c).for_each(|(a, c)| *a += c);
            b.iter_mut().zip(e).for_each(|(b, e)| *b += e);
            (a, b)
        };
        #[cfg(threads)]
        {
            use rayon::prelude::*;
            let n = BLOCK_ROWS * d;
            let blocks = dx
                .par_chunks_mut(n)
                .zip(x.par_chunks(n))
                .zip(dy.par_chunks(n));
            blocks
                .map(|((dx, x), dy)| block(dx, x, dy))
                .reduce(|| (vec![0.0; d], vec![0.0; d]), add)
        }
        #[cfg(not(threads))]
        {
            let _ = add;
            block(dx, x, dy)
        }
    }
}

#[cfg(test)]
mod tests;
