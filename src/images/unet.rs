//! The latent denoiser: a small U-Net (Ronneberger et al. 2015, as the DDPM denoiser of Ho et
//! al. 2020) over the standardised 4×8×8 latent, with two levels (8×8 and 4×4), one residual
//! block per level on each side, skip connections by concatenation, and no attention (at 8×8
//! the convolutions already see most of the latent).
//!
//! The embedding e = MLP(sinusoidal(1000 t)) + e(word) enters every residual block; the word
//! vectors (with ∅ for "no word", trained by label dropout) add to the time embedding as class
//! embeddings do in Dhariwal & Nichol 2021, so classifier-free guidance (Ho & Salimans 2022)
//! needs nothing more. A distilled student may also take the guidance scale w (Meng et al.
//! 2023, "On Distillation of Guided Diffusion Models": the guided model in one pass instead of
//! two): then e += W sinusoidal(100 w), W initialised to zero, and (in students made since
//! the guidance was found to be followed weakly without it) the word's vector is extrapolated
//! as guidance extrapolates the outputs, e(word) → e(∅) + w (e(word) - e(∅)): at w = 0 and
//! w = 1 the student starts as its teacher's unconditional and conditional model, exactly,
//! and at other w in the guided direction.
//!
//! conv_in → R(c) ↓ R(c) → R(c) → [R(c+c) ↑ R(c+c)] → GN, SiLU, conv_out; ↓ is a stride-2 conv,
//! ↑ nearest upsampling, [·] the skip concatenations.

use super::blocks::{ResBlock, conv3, group_norm, upsample};
use crate::check::check_range;
use crate::nn::embedding::sinusoidal;
use crate::nn::silu::silu;
use crate::nn::words::{NO_WORD, WordEmbedding, WordEmbeddingConfig};
use crate::nn::{DenoisingNet, NetConfig, two_pass_guidance};
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{GroupNorm, Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor};

/// Time t ∈ [0, 1] is embedded as DDPM's integer timesteps are: sinusoids of 1000 t.
const TIME_SCALE: f64 = 1000.0;
/// The guidance scale w ∈ [0, 10] is embedded as sinusoids of 100 w (about the range of 1000 t).
const GUIDANCE_SCALE: f64 = 100.0;
/// Sinusoidal features of the guidance scale in a guided student.
pub const GUIDANCE_FEATURES: usize = 32;

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
    /// Sinusoidal features of the guidance scale, for a student that takes it as an input
    /// (even); none for a network without that input.
    #[config(default = "None")]
    pub guidance_features: Option<usize>,
    /// Whether the guidance scale also extrapolates the word's vector (see the module
    /// documentation); only with `guidance_features`. Absent (no) in older students' cards.
    #[config(default = "None")]
    pub guidance_extrapolates: Option<bool>,
}

impl LatentUnetConfig {
    /// The config of a student made with [`LatentUnet::with_guidance_input`] from this one.
    pub fn with_guidance_input(self) -> Self {
        match self.guidance_features {
            Some(_) => self,
            None => self
                .with_guidance_features(Some(GUIDANCE_FEATURES))
                .with_guidance_extrapolates(Some(true)),
        }
    }

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
        if let Some(g) = self.guidance_features
            && (!(2..=512).contains(&g) || !g.is_multiple_of(2))
        {
            return Err(format!(
                "guidance_features must be an even number from 2 to 512, not {g}"
            ));
        }
        if self.guidance_extrapolates == Some(true) && self.guidance_features.is_none() {
            return Err("guidance_extrapolates needs guidance_features".into());
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
            guidance: self.guidance_features.map(|g| zero_linear(g, e, device)),
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
            guidance_features: self.guidance_features.unwrap_or(0),
            guidance_extrapolates: self.guidance_extrapolates == Some(true),
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
    /// The guidance scale's embedding, in a guided student.
    guidance: Option<Linear>,
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
    guidance_features: usize,
    guidance_extrapolates: bool,
}

/// A linear layer whose weights and bias start at zero.
fn zero_linear(inputs: usize, outputs: usize, device: &Device) -> Linear {
    LinearConfig::new(inputs, outputs)
        .with_initializer(Initializer::Zeros)
        .init(device)
}

impl LatentUnet {
    /// The word vectors, when the network has words.
    pub fn words(&self) -> Option<&WordEmbedding> {
        self.words.as_ref()
    }

    /// This network with the guidance scale as an input ([`GUIDANCE_FEATURES`] sinusoids,
    /// through a layer that starts at zero, and the word's vector extrapolated): until
    /// trained it computes at w = 0 and w = 1 what it did without and with the word, and its
    /// config (`config` with the input); a network that has the input already stays as it is.
    pub fn with_guidance_input(
        mut self,
        config: LatentUnetConfig,
    ) -> (LatentUnet, LatentUnetConfig) {
        if self.guidance.is_none() {
            let e = self.time_out.weight.dims()[1];
            let device = self.time_out.weight.device();
            self.guidance = Some(zero_linear(GUIDANCE_FEATURES, e, &device));
            self.guidance_features = GUIDANCE_FEATURES;
            self.guidance_extrapolates = true;
        }
        (self, config.with_guidance_input())
    }

    /// The embedding of times `t`, words `labels` and guidance `scales` (when the network has
    /// each): `[batch, embedding]`.
    fn embed(
        &self,
        t: Tensor<1>,
        labels: Option<Tensor<1, Int>>,
        scales: Option<Tensor<1>>,
    ) -> Tensor<2> {
        let b = t.dims()[0];
        let device = t.device();
        let features = sinusoidal(t.reshape([b, 1]), self.time_features, TIME_SCALE);
        let mut e = self.time_out.forward(silu(self.time_in.forward(features)));
        if let Some(words) = &self.words {
            let labels = labels.unwrap_or_else(|| Tensor::full([b], NO_WORD as i64, &device));
            let word = words.forward(labels);
            e = e + match &scales {
                Some(w) if self.guidance_extrapolates => {
                    let none = words.forward(Tensor::full([b], NO_WORD as i64, &device));
                    none.clone() + (word - none) * w.clone().reshape([b, 1])
                }
                _ => word,
            };
        }
        if let (Some(guidance), Some(scales)) = (&self.guidance, scales) {
            let features = sinusoidal(
                scales.reshape([b, 1]),
                self.guidance_features,
                GUIDANCE_SCALE,
            );
            e = e + guidance.forward(features);
        }
        e
    }

    /// The U-Net on `x` with the embedding `e`.
    fn forward(&self, x: Tensor<4>, e: Tensor<2>) -> Tensor<4> {
        let e = Some(&e);
        let h8 = self.down_8.forward(self.input.forward(x), e);
        let h4 = self.down_4.forward(self.down.forward(h8.clone()), e);
        let m = self.middle.forward(h4.clone(), e);
        let u4 = self.up_4.forward(Tensor::cat(vec![m, h4], 1), e);
        let u8 = self.up_8.forward(Tensor::cat(vec![upsample(u4), h8], 1), e);
        self.output.forward(silu(self.norm.forward(u8)))
    }
}

impl DenoisingNet<4> for LatentUnet {
    /// # Shapes
    /// - `x`: `[batch, channels, 8, 8]`; `t`: `[batch]`; `labels`: `[batch]`
    /// - output: `[batch, channels, 8, 8]`
    fn denoise(&self, x: Tensor<4>, t: Tensor<1>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        let e = self.embed(t, labels, None);
        self.forward(x, e)
    }

    fn takes_guidance(&self) -> bool {
        self.guidance.is_some()
    }

    /// One pass for a guided student; two, combined, for the others (the trait's default).
    fn denoise_guided(
        &self,
        x: Tensor<4>,
        t: Tensor<1>,
        labels: Tensor<1, Int>,
        scales: Tensor<1>,
    ) -> Tensor<4> {
        if !self.takes_guidance() {
            return two_pass_guidance(self, x, t, labels, scales);
        }
        let e = self.embed(t, Some(labels), Some(scales));
        self.forward(x, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

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
        assert_eq!(net.denoise(x, t.clone(), None).dims(), [3, 4, 8, 8]);
        eprintln!("latent U-Net: {} parameters", net.num_params());
        assert!(net.num_params() < 800_000);
        // The network without a guidance input guides in two passes (w = 0: ∅, w = 1: the
        // word); with one, in one pass, the same at w = 0 and w = 1 until trained.
        let labels = Tensor::<1, Int>::from_ints([1, 2, 0], &device);
        let x = Tensor::<4>::random([3, 4, 8, 8], Distribution::Normal(0.0, 1.0), &device);
        let read = |y: Tensor<4>| y.into_data().try_into_vec::<f32>().unwrap();
        let close = |a: Vec<f32>, b: Vec<f32>| {
            let worst = a
                .iter()
                .zip(&b)
                .map(|(p, q)| (p - q).abs())
                .fold(0.0, f32::max);
            assert!(worst < 1e-4, "differ by {worst}");
        };
        let cond = read(net.denoise(x.clone(), t.clone(), Some(labels.clone())));
        let w = |v: f32| Tensor::<1>::full([3], v, &device);
        close(
            read(net.denoise_guided(x.clone(), t.clone(), labels.clone(), w(1.0))),
            cond.clone(),
        );
        let uncond = read(net.denoise(x.clone(), t.clone(), None));
        close(
            read(net.denoise_guided(x.clone(), t.clone(), labels.clone(), w(0.0))),
            uncond.clone(),
        );
        assert!(!net.takes_guidance());
        let (guided, guided_config) = net.clone().with_guidance_input(config.clone());
        assert!(guided.takes_guidance());
        assert_eq!(guided_config.guidance_features, Some(GUIDANCE_FEATURES));
        NetConfig::validate(&guided_config).unwrap();
        close(
            read(guided.denoise_guided(x.clone(), t.clone(), labels.clone(), w(1.0))),
            cond.clone(),
        );
        close(
            read(guided.denoise_guided(x.clone(), t.clone(), labels.clone(), w(0.0))),
            uncond.clone(),
        );
        let four = read(guided.denoise_guided(x, t, labels, w(4.0)));
        assert!(four.iter().zip(&cond).any(|(a, b)| (a - b).abs() > 1e-3));

        let bad = LatentUnetConfig::new()
            .with_words(Some(WordEmbeddingConfig::new(vec!["a".into()]).with_dim(4)));
        assert!(NetConfig::validate(&bad).unwrap_err().contains("embedding"));
    }
}
