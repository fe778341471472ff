//! The latent denoiser: a small U-Net (Ronneberger et al. 2015, as the DDPM denoiser of Ho et
//! al. 2020) over the standardised 4×8×8 latent, with two levels (8×8 and 4×4), one residual
//! block per level on each side, skip connections by concatenation, and no attention (at 8×8
//! the convolutions already see most of the latent).
//!
//! The embedding e = MLP(sinusoidal(1000 t)) + e(word) enters every residual block; the word
//! vectors (with ∅ for "no word", trained by label dropout) add to the time embedding as class
//! embeddings do in Dhariwal & Nichol 2021, so classifier-free guidance (Ho & Salimans 2022)
//! needs nothing more.
//!
//! conv_in → R(c) ↓ R(c) → R(c) → [R(c+c) ↑ R(c+c)] → GN, SiLU, conv_out; ↓ is a stride-2 conv,
//! ↑ nearest upsampling, [·] the skip concatenations.

use super::blocks::{ResBlock, conv3, group_norm, upsample};
use crate::check::check_range;
use crate::nn::embedding::sinusoidal;
use crate::nn::words::{NO_WORD, WordEmbedding, WordEmbeddingConfig};
use crate::nn::{DenoisingNet, NetConfig};
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{GroupNorm, Linear, LinearConfig};
use burn::tensor::activation::silu;
use burn::tensor::{Device, Int, Tensor};

/// Time t ∈ [0, 1] is embedded as DDPM's integer timesteps are: sinusoids of 1000 t.
const TIME_SCALE: f64 = 1000.0;

/// Hyper-parameters of [`LatentUnet`].
#[derive(Config, Debug, PartialEq)]
pub struct LatentUnetConfig {
    /// Channels of the latent.
    #[config(default = 4)]
    pub latent_channels: usize,
    /// Channels of every block.
    #[config(default = 64)]
    pub channels: usize,
    /// Size of the time (and word) embedding.
    #[config(default = 128)]
    pub embedding: usize,
    /// Sinusoidal features of the time (even).
    #[config(default = 64)]
    pub time_features: usize,
    /// The words it is conditioned on, if any (their vectors' size must be `embedding`).
    #[config(default = "None")]
    pub words: Option<WordEmbeddingConfig>,
}

impl LatentUnetConfig {
    /// The same network conditioned on `words`, with vectors of the embedding's size.
    pub fn with_vocabulary(self, words: Vec<String>) -> Self {
        let dim = self.embedding;
        self.with_words(Some(WordEmbeddingConfig::new(words).with_dim(dim)))
    }
}

impl NetConfig<4> for LatentUnetConfig {
    type Net = LatentUnet;

    fn validate(&self) -> Result<(), String> {
        check_range("latent_channels", self.latent_channels, &(1..=16))?;
        check_range("channels", self.channels, &(8..=512))?;
        check_range("embedding", self.embedding, &(8..=1024))?;
        let f = self.time_features;
        if !(2..=512).contains(&f) || !f.is_multiple_of(2) {
            return Err(format!(
                "time_features must be an even number from 2 to 512, not {f}"
            ));
        }
        if let Some(words) = &self.words {
            words.validate()?;
            if words.dim != self.embedding {
                return Err(format!(
                    "the word vectors have {} numbers but the embedding has {}",
                    words.dim, self.embedding
                ));
            }
        }
        Ok(())
    }

    fn init(&self, device: &Device) -> LatentUnet {
        let (c, e) = (self.channels, self.embedding);
        let block = |cin, cout| ResBlock::new(cin, cout, Some(e), device);
        LatentUnet {
            time_in: LinearConfig::new(self.time_features, e).init(device),
            time_out: LinearConfig::new(e, e).init(device),
            words: self.words.as_ref().map(|w| w.init(device)),
            input: conv3(self.latent_channels, c, 1, device),
            down_8: block(c, c),
            down: conv3(c, c, 2, device),
            down_4: block(c, c),
            middle: block(c, c),
            up_4: block(2 * c, c),
            up_8: block(2 * c, c),
            norm: group_norm(c, device),
            output: conv3(c, self.latent_channels, 1, device),
            time_features: self.time_features,
        }
    }

    fn words(&self) -> Option<&WordEmbeddingConfig> {
        self.words.as_ref()
    }
}

/// The latent U-Net; see the module documentation.
#[derive(Module, Debug)]
pub struct LatentUnet {
    time_in: Linear,
    time_out: Linear,
    words: Option<WordEmbedding>,
    input: Conv2d,
    down_8: ResBlock,
    down: Conv2d,
    down_4: ResBlock,
    middle: ResBlock,
    up_4: ResBlock,
    up_8: ResBlock,
    norm: GroupNorm,
    output: Conv2d,
    time_features: usize,
}

impl LatentUnet {
    /// The word vectors, when the network has words.
    pub fn words(&self) -> Option<&WordEmbedding> {
        self.words.as_ref()
    }
}

impl DenoisingNet<4> for LatentUnet {
    /// # Shapes
    /// - `x`: `[batch, channels, 8, 8]`; `t`: `[batch]`; `labels`: `[batch]`
    /// - output: `[batch, channels, 8, 8]`
    fn denoise(&self, x: Tensor<4>, t: Tensor<1>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        let b = t.dims()[0];
        let features = sinusoidal(t.reshape([b, 1]), self.time_features, TIME_SCALE);
        let mut e = self.time_out.forward(silu(self.time_in.forward(features)));
        if let Some(words) = &self.words {
            let labels = labels.unwrap_or_else(|| Tensor::full([b], NO_WORD as i64, &x.device()));
            e = e + words.forward(labels);
        }
        let e = Some(&e);
        let h8 = self.down_8.forward(self.input.forward(x), e);
        let h4 = self.down_4.forward(self.down.forward(h8.clone()), e);
        let m = self.middle.forward(h4.clone(), e);
        let u4 = self.up_4.forward(Tensor::cat(vec![m, h4], 1), e);
        let u8 = self.up_8.forward(Tensor::cat(vec![upsample(u4), h8], 1), e);
        self.output.forward(silu(self.norm.forward(u8)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parameters_and_words() {
        let device = Device::flex();
        let config = LatentUnetConfig::new().with_vocabulary(vec!["a".into(), "b".into()]);
        NetConfig::validate(&config).unwrap();
        let net = NetConfig::init(&config, &device);
        let x = Tensor::<4>::zeros([3, 4, 8, 8], &device);
        let t = Tensor::<1>::from_floats([0.1, 0.5, 0.9], &device);
        let labels = Tensor::<1, Int>::from_ints([0, 1, 2], &device);
        assert_eq!(
            net.denoise(x.clone(), t.clone(), Some(labels)).dims(),
            [3, 4, 8, 8]
        );
        assert_eq!(net.denoise(x, t, None).dims(), [3, 4, 8, 8]);
        eprintln!("latent U-Net: {} parameters", net.num_params());
        assert!(net.num_params() < 800_000);
        let bad = LatentUnetConfig::new()
            .with_words(Some(WordEmbeddingConfig::new(vec!["a".into()]).with_dim(4)));
        assert!(NetConfig::validate(&bad).unwrap_err().contains("embedding"));
    }
}
