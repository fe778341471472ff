//! Seeded Gaussian noise made on the CPU and uploaded, so that a seed gives the same samples on
//! every backend (burn's own generators differ between WebGPU and the CPU).

use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// A seeded source of standard normal tensors on one device.
pub struct NoiseSource {
    rng: StdRng,
    device: Device,
}

impl NoiseSource {
    /// A source seeded with `seed`, making tensors on `device`.
    pub fn new(seed: u64, device: &Device) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            device: device.clone(),
        }
    }

    /// A tensor of independent N(0, 1) values.
    pub fn normal<const D: usize>(&mut self, shape: [usize; D]) -> Tensor<D> {
        let n = shape.iter().product();
        let values: Vec<f32> = (0..n)
            .map(|_| StandardNormal.sample(&mut self.rng))
            .collect();
        Tensor::from_data(TensorData::new(values, shape), &self.device)
    }

    /// Noise shaped like `x`.
    pub fn normal_like<const D: usize>(&mut self, x: &Tensor<D>) -> Tensor<D> {
        self.normal(x.dims())
    }
}
