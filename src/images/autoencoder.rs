//! A tiny convolutional autoencoder, in the spirit of TAESD (Bohan 2023: a few residual
//! blocks per level, no attention): a 28×28 image, padded to 32×32, becomes a latent of
//! 4×8×8 (256 numbers, a third of the pixels) and back.
//!
//! Encoder: conv 1→c₁ at 32², a residual block, a stride-2 conv to c₂ at 16², a block, a
//! stride-2 conv to c₃ at 8², a block, GroupNorm, SiLU, conv to the latent channels.
//! Decoder: the mirror, with nearest upsampling before each conv, a sigmoid at the end, and
//! the padding cropped off.
//!
//! Trained on the reconstruction error ‖D(E(x)) - x‖² plus a light penalty λ‖z‖² that keeps
//! the latent from drifting in scale (the role of the KL term in Rombach et al. 2022's
//! autoencoders, without the sampling). The latent's per-channel mean and standard deviation
//! are then measured on the training set and kept in the card: the diffusion model works on
//! the standardised latent (z - mean)/std, as Stable Diffusion scales its latents by a
//! measured factor.

use super::blocks::{ResBlock, conv3, group_norm, upsample};
use super::{IMAGE_SIDE, PAD, PADDED_SIDE};
use crate::check::check_range;
use crate::nn::silu::silu;
use burn::config::Config;
use burn::module::Module;
use burn::nn::GroupNorm;
use burn::nn::conv::Conv2d;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor};

/// Hyper-parameters of the autoencoder.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderConfig {
    /// Channels at 32×32.
    #[config(default = 16)]
    pub channels_32: usize,
    /// Channels at 16×16.
    #[config(default = 32)]
    pub channels_16: usize,
    /// Channels at 8×8.
    #[config(default = 64)]
    pub channels_8: usize,
    /// Channels of the 8×8 latent.
    #[config(default = 4)]
    pub latent_channels: usize,
}

impl AutoencoderConfig {
    /// Checks the sizes, for configs that come from people and files.
    pub fn validate(&self) -> Result<(), String> {
        for (name, c) in [
            ("channels_32", self.channels_32),
            ("channels_16", self.channels_16),
            ("channels_8", self.channels_8),
        ] {
            check_range(name, c, &(4..=256))?;
        }
        check_range("latent_channels", self.latent_channels, &(1..=16))
    }

    /// The latent's shape for one image: `[channels, 8, 8]`.
    pub fn latent_shape(&self) -> [usize; 3] {
        [self.latent_channels, PADDED_SIDE / 4, PADDED_SIDE / 4]
    }

    /// An encoder with fresh weights on `device`.
    pub fn init_encoder(&self, device: &Device) -> Encoder {
        let [c1, c2, c3] = [self.channels_32, self.channels_16, self.channels_8];
        Encoder {
            input: conv3(1, c1, 1, device),
            block_32: ResBlock::new(c1, c1, None, device),
            down_16: conv3(c1, c2, 2, device),
            block_16: ResBlock::new(c2, c2, None, device),
            down_8: conv3(c2, c3, 2, device),
            block_8: ResBlock::new(c3, c3, None, device),
            norm: group_norm(c3, device),
            output: conv3(c3, self.latent_channels, 1, device),
        }
    }

    /// A decoder with fresh weights on `device`.
    pub fn init_decoder(&self, device: &Device) -> Decoder {
        let [c1, c2, c3] = [self.channels_32, self.channels_16, self.channels_8];
        Decoder {
            input: conv3(self.latent_channels, c3, 1, device),
            block_8: ResBlock::new(c3, c3, None, device),
            up_16: conv3(c3, c2, 1, device),
            block_16: ResBlock::new(c2, c2, None, device),
            up_32: conv3(c2, c1, 1, device),
            block_32: ResBlock::new(c1, c1, None, device),
            norm: group_norm(c1, device),
            output: conv3(c1, 1, 1, device),
        }
    }

    /// Both halves with fresh weights on `device`.
    pub fn init(&self, device: &Device) -> Autoencoder {
        Autoencoder {
            encoder: self.init_encoder(device),
            decoder: self.init_decoder(device),
        }
    }
}

/// Images to latents.
#[derive(Module, Debug)]
pub struct Encoder {
    input: Conv2d,
    block_32: ResBlock,
    down_16: Conv2d,
    block_16: ResBlock,
    down_8: Conv2d,
    block_8: ResBlock,
    norm: GroupNorm,
    output: Conv2d,
}

impl Encoder {
    /// # Shapes
    /// - `images`: `[batch, 1, 32, 32]`, padded (see [`super::pad_images`]), in [0, 1]
    /// - output: `[batch, latent_channels, 8, 8]`
    pub fn forward(&self, images: Tensor<4>) -> Tensor<4> {
        let x = self.input.forward(images.mul_scalar(2.0).sub_scalar(1.0));
        let x = self.block_32.forward(x, None);
        let x = self.block_16.forward(self.down_16.forward(x), None);
        let x = self.block_8.forward(self.down_8.forward(x), None);
        self.output.forward(silu(self.norm.forward(x)))
    }
}

/// Latents to images.
#[derive(Module, Debug)]
pub struct Decoder {
    input: Conv2d,
    block_8: ResBlock,
    up_16: Conv2d,
    block_16: ResBlock,
    up_32: Conv2d,
    block_32: ResBlock,
    norm: GroupNorm,
    output: Conv2d,
}

impl Decoder {
    /// # Shapes
    /// - `latents`: `[batch, latent_channels, 8, 8]`
    /// - output: `[batch, 1, 28, 28]` in [0, 1]
    pub fn forward(&self, latents: Tensor<4>) -> Tensor<4> {
        let x = self.block_8.forward(self.input.forward(latents), None);
        let x = self.block_16.forward(self.up_16.forward(upsample(x)), None);
        let x = self.block_32.forward(self.up_32.forward(upsample(x)), None);
        let x = sigmoid(self.output.forward(silu(self.norm.forward(x))));
        let b = x.dims()[0];
        x.slice([0..b, 0..1, PAD..PAD + IMAGE_SIDE, PAD..PAD + IMAGE_SIDE])
    }
}

/// The encoder and the decoder, trained together.
#[derive(Module, Debug)]
pub struct Autoencoder {
    /// Images to latents.
    pub encoder: Encoder,
    /// Latents to images.
    pub decoder: Decoder,
}

impl Autoencoder {
    /// The training loss of a batch of padded images (`[batch, 1, 32, 32]`): the mean squared
    /// reconstruction error over the 28×28 pixels plus `latent_penalty` times the latent's mean
    /// square. Returns (loss, reconstruction error).
    pub fn loss(&self, padded: Tensor<4>, latent_penalty: f64) -> (Tensor<1>, Tensor<1>) {
        let b = padded.dims()[0];
        let z = self.encoder.forward(padded.clone());
        let target = padded.slice([0..b, 0..1, PAD..PAD + IMAGE_SIDE, PAD..PAD + IMAGE_SIDE]);
        let mse = (self.decoder.forward(z.clone()) - target).square().mean();
        let loss = mse.clone() + z.square().mean().mul_scalar(latent_penalty);
        (loss, mse)
    }
}

/// The per-channel mean and standard deviation of the latents of a dataset, which turn them
/// into the standardised latents the diffusion model works on.
///
/// Kept as `f32`, the precision they are used at: written in a card as JSON and read back,
/// an `f32` comes back exactly, where an `f64` could come back one unit in the last place off
/// (serde_json parses floats fast, not correctly rounded, without its `float_roundtrip`
/// feature), and a denoiser pairs only with the autoencoder whose statistics equal its own.
#[derive(Config, Debug, PartialEq)]
pub struct LatentStats {
    /// Mean of each latent channel.
    pub mean: Vec<f32>,
    /// Standard deviation of each latent channel.
    pub std: Vec<f32>,
}

impl LatentStats {
    /// Measures the statistics of `latents`, values laid out `[n][channels][spatial]`.
    pub fn measure(latents: &[f32], channels: usize, spatial: usize) -> Result<Self, String> {
        let per_latent = channels * spatial;
        if per_latent == 0 || latents.is_empty() || !latents.len().is_multiple_of(per_latent) {
            return Err(format!(
                "{} values are not whole latents of {channels}×{spatial}",
                latents.len()
            ));
        }
        let mut sum = vec![0.0f64; channels];
        let mut sq = vec![0.0f64; channels];
        for latent in latents.chunks_exact(per_latent) {
            for (c, values) in latent.chunks_exact(spatial).enumerate() {
                for &v in values {
                    sum[c] += v as f64;
                    sq[c] += (v as f64) * (v as f64);
                }
            }
        }
        let n = (latents.len() / per_latent * spatial) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let std = sq
            .iter()
            .zip(&mean)
            .map(|(q, m)| (q / n - m * m).max(1e-12).sqrt() as f32)
            .collect();
        let mean = mean.iter().map(|&m| m as f32).collect();
        Ok(Self { mean, std })
    }

    /// Checks the numbers (a card read from a file is input like any other).
    pub fn validate(&self, channels: usize) -> Result<(), String> {
        if self.mean.len() != channels || self.std.len() != channels {
            return Err(format!(
                "the latent statistics describe {} channels, not {channels}",
                self.mean.len()
            ));
        }
        if self.mean.iter().any(|m| !m.is_finite())
            || self.std.iter().any(|s| !(*s > 0.0 && s.is_finite()))
        {
            return Err("the latent statistics are not finite positive numbers".into());
        }
        Ok(())
    }

    /// `[1, c, 1, 1]` tensors of the means and standard deviations, on `device`.
    fn tensors(&self, device: &Device) -> (Tensor<4>, Tensor<4>) {
        let c = self.mean.len();
        let t = |v: &[f32]| Tensor::<1>::from_floats(v, device).reshape([1, c, 1, 1]);
        (t(&self.mean), t(&self.std))
    }

    /// Latents to standardised latents: (z - mean)/std per channel.
    pub fn standardize(&self, latents: Tensor<4>) -> Tensor<4> {
        let (mean, std) = self.tensors(&latents.device());
        (latents - mean) / std
    }

    /// Standardised latents back to latents: z·std + mean per channel.
    pub fn unstandardize(&self, standard: Tensor<4>) -> Tensor<4> {
        let (mean, std) = self.tensors(&standard.device());
        standard * std + mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_parameter_counts() {
        let device = Device::flex();
        let config = AutoencoderConfig::new();
        config.validate().unwrap();
        let ae = config.init(&device);
        let x = Tensor::<4>::zeros([3, 1, 32, 32], &device);
        let z = ae.encoder.forward(x);
        assert_eq!(z.dims(), [3, 4, 8, 8]);
        assert_eq!(config.latent_shape(), [4, 8, 8]);
        let y = ae.decoder.forward(z);
        assert_eq!(y.dims(), [3, 1, 28, 28]);
        let y = y.into_data().try_to_vec::<f32>().unwrap();
        assert!(y.iter().all(|v| (0.0..=1.0).contains(v)));
        eprintln!(
            "encoder {} parameters, decoder {}",
            ae.encoder.num_params(),
            ae.decoder.num_params()
        );
        assert!(ae.decoder.num_params() < 300_000);
    }

    #[test]
    fn latent_statistics_are_per_channel_and_invert() {
        // Two latents of 2 channels × 2 values: channel 0 holds 1, 3, 1, 3; channel 1 holds 10.
        let latents = [1.0, 3.0, 10.0, 10.0, 1.0, 3.0, 10.0, 10.0];
        let stats = LatentStats::measure(&latents, 2, 2).unwrap();
        assert_eq!(stats.mean, [2.0, 10.0]);
        assert!((stats.std[0] - 1.0).abs() < 1e-12);
        assert!(stats.validate(2).is_ok());
        assert!(stats.validate(3).unwrap_err().contains("2 channels"));
        let device = Device::flex();
        let z = Tensor::<1>::from_floats(latents.as_slice(), &device).reshape([2, 2, 2, 1]);
        let s = stats.standardize(z.clone());
        let first = s.clone().into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(&first[..2], &[-1.0, 1.0]);
        let back = stats
            .unstandardize(s)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(back, latents);
        assert!(LatentStats::measure(&latents[..3], 2, 2).is_err());
    }
}
