//! What the CPU's own operations in this folder share ([`super::silu`], [`super::layer_norm`],
//! [`super::linear`]): which tensors they take, and a `flex` tensor's values as a slice.

use burn::backend::tensor::FloatTensor;
use burn::backend::{Flex, TensorMetadata, ops::FloatTensorOps};
#[cfg(target_family = "wasm")]
use burn::tensor::FloatDType;
#[cfg(not(target_family = "wasm"))]
use burn::tensor::TensorData;
use burn::tensor::{DType, Device, Tensor};

/// Whether `x` is an f32 tensor on `flex` (with or without autodiff): the tensors the CPU's
/// own operations take; every other one goes to burn's.
pub fn on_cpu<const D: usize>(x: &Tensor<D>) -> bool {
    x.device() == Device::flex() && x.dtype() == DType::F32
}

/// `t` laid out in row-major order from the start of its storage (a copy only if it is not).
pub fn contiguous(t: FloatTensor<Flex>) -> FloatTensor<Flex> {
    t.to_contiguous()
}

/// The values of a contiguous f32 tensor.
pub fn values(t: &FloatTensor<Flex>) -> &[f32] {
    t.as_slice::<f32>().expect("a contiguous f32 tensor")
}

/// A new f32 tensor of `x`'s shape (its values to be written). Natively its storage is a
/// `Vec<f32>` handed over as it is: `flex`'s `float_empty` zero-fills bytes and then copies them
/// into an allocation aligned for any type, a copy of every output (4% of a training step at
/// batch 4,096; 1.02-1.07x training without it). In the threaded wasm module the same change
/// made distillation 1.36x slower (29.6 → 21.8 steps/s on a pool of one thread, the page's
/// defaults) and the one-thread module no faster, so wasm keeps `float_empty`.
pub fn new_like(x: &FloatTensor<Flex>) -> FloatTensor<Flex> {
    #[cfg(not(target_family = "wasm"))]
    {
        let shape = x.shape();
        let zeros = vec![0.0f32; shape.num_elements()];
        Flex::float_from_data(TensorData::new(zeros, shape), &Default::default())
    }
    #[cfg(target_family = "wasm")]
    Flex::float_empty(x.shape(), &Default::default(), FloatDType::F32)
}
