//! Convolutional building blocks of the image networks: the residual block of the DDPM U-Net
//! (Ho et al. 2020, after Zagoruyko & Komodakis' wide ResNets) with GroupNorm (Wu & He 2018)
//! and SiLU, an optional embedding (time and word) added between its two convolutions, and
//! nearest-neighbour upsampling.

use crate::nn::silu::silu;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::{Device, Tensor};

/// A 3×3 convolution from `cin` to `cout` channels with padding 1 and the given stride (2
/// halves the height and width).
pub fn conv3(cin: usize, cout: usize, stride: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([cin, cout], [3, 3])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// GroupNorm over `channels` with up to 8 groups (the most that divides the channels).
pub fn group_norm(channels: usize, device: &Device) -> GroupNorm {
    let groups = [8, 4, 2, 1]
        .into_iter()
        .find(|g| channels.is_multiple_of(*g))
        .expect("1 divides everything");
    GroupNormConfig::new(groups, channels).init(device)
}

/// Nearest-neighbour upsampling by 2: `[b, c, h, w]` to `[b, c, 2h, 2w]`, written with reshape
/// and expand (which every backend differentiates).
pub fn upsample(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1])
        .expand([b, c, h, 2, w, 2])
        .reshape([b, c, 2 * h, 2 * w])
}

/// h = conv(SiLU(GN(x))); h += W_e SiLU(e) (per channel); h = conv(SiLU(GN(h))); out = h + skip(x).
#[derive(Module, Debug)]
pub struct ResBlock {
    norm1: GroupNorm,
    conv1: Conv2d,
    embedding: Option<Linear>,
    norm2: GroupNorm,
    conv2: Conv2d,
    skip: Option<Conv2d>,
}

impl ResBlock {
    /// A block from `cin` to `cout` channels; with `embedding_dim`, it takes an embedding of
    /// that size in [`ResBlock::forward`].
    pub fn new(cin: usize, cout: usize, embedding_dim: Option<usize>, device: &Device) -> Self {
        Self {
            norm1: group_norm(cin, device),
            conv1: conv3(cin, cout, 1, device),
            embedding: embedding_dim.map(|e| LinearConfig::new(e, cout).init(device)),
            norm2: group_norm(cout, device),
            conv2: conv3(cout, cout, 1, device),
            skip: (cin != cout).then(|| Conv2dConfig::new([cin, cout], [1, 1]).init(device)),
        }
    }

    /// # Shapes
    /// - `x`: `[batch, cin, h, w]`
    /// - `embedding`: `[batch, embedding_dim]` (ignored by a block made without one)
    /// - output: `[batch, cout, h, w]`
    pub fn forward(&self, x: Tensor<4>, embedding: Option<&Tensor<2>>) -> Tensor<4> {
        let mut h = self.conv1.forward(silu(self.norm1.forward(x.clone())));
        if let (Some(linear), Some(e)) = (&self.embedding, embedding) {
            let [b, c, _, _] = h.dims();
            h = h + linear.forward(silu(e.clone())).reshape([b, c, 1, 1]);
        }
        let h = self.conv2.forward(silu(self.norm2.forward(h)));
        h + match &self.skip {
            Some(skip) => skip.forward(x),
            None => x,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    #[test]
    fn upsampling_repeats_each_pixel_twice_each_way() {
        let device = Device::flex();
        let x = Tensor::<4>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [1, 1, 2, 2]),
            &device,
        );
        let y = upsample(x).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(
            y,
            [
                1., 1., 2., 2., 1., 1., 2., 2., 3., 3., 4., 4., 3., 3., 4., 4.
            ]
        );
    }

    #[test]
    fn blocks_keep_the_size_and_change_the_channels() {
        let device = Device::flex();
        let block = ResBlock::new(8, 16, Some(32), &device);
        let x = Tensor::<4>::ones([2, 8, 4, 4], &device);
        let e = Tensor::<2>::ones([2, 32], &device);
        assert_eq!(block.forward(x, Some(&e)).dims(), [2, 16, 4, 4]);
        assert_eq!(
            conv3(3, 5, 2, &device)
                .forward(Tensor::ones([1, 3, 8, 8], &device))
                .dims(),
            [1, 5, 4, 4]
        );
        assert_eq!(group_norm(12, &device).num_groups, 4);
    }
}
