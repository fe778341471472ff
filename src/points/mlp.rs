//! The 2D denoiser: a residual MLP over Fourier features of the point and a sinusoidal
//! embedding of the time, as in tiny-diffusion (3 blocks of 128) with the time injected into
//! every block (as the time embedding enters every residual block of the DDPM U-Net).
//!
//! e = [features(x), features(t)] → h = W_in e;
//! each block: h ← h + W₂ SiLU(LN(W₁ SiLU(h) + W_t SiLU(τ))), τ = W_τ features(t);
//! output = W_out SiLU(h).
//!
//! A conditional network (one with a vocabulary) adds its word's vector to the time embedding,
//! τ = W_τ features(t) + W_c e(word), as class embeddings enter the guided diffusion U-Net
//! (Dhariwal & Nichol 2021); ∅ (no condition) has a vector of its own (see `words`).

use crate::check::check_range;
use crate::nn::embedding::sinusoidal;
use crate::nn::layer_norm::layer_norm;
use crate::nn::linear::linear;
use crate::nn::silu::silu;
use crate::nn::words::{NO_WORD, WordEmbedding, WordEmbeddingConfig};
use crate::nn::{DenoisingNet, NetConfig};
use burn::config::Config;
use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor};

/// The time the network sees is `t · TIME_SCALE`, so that t ∈ [0, 1] spans the same range of
/// phases as DDPM's integer timesteps 0..1000.
const TIME_SCALE: f64 = 1000.0;

/// The layer norms' ε (burn's default; the norm keeps it to itself, so the forward pass is
/// told it again).
const NORM_EPSILON: f64 = 1e-5;

/// The range of widths a person may choose.
pub const WIDTHS: std::ops::RangeInclusive<usize> = 8..=1024;

/// Hyper-parameters of [`MlpDenoiser`].
#[derive(Config, Debug, PartialEq)]
pub struct MlpDenoiserConfig {
    /// Width of the hidden layers.
    #[config(default = 128)]
    pub width: usize,
    /// Number of residual blocks.
    #[config(default = 3)]
    pub depth: usize,
    /// Size of the time embedding (even).
    #[config(default = 64)]
    pub time_features: usize,
    /// Fourier features per input coordinate (even).
    #[config(default = 32)]
    pub input_features: usize,
    /// Scale of the input coordinates inside the Fourier features (tiny-diffusion uses 25).
    #[config(default = 25.0)]
    pub input_scale: f64,
    /// The words it is conditioned on, if any.
    #[config(default = "None")]
    pub words: Option<WordEmbeddingConfig>,
}

impl MlpDenoiserConfig {
    /// Checks the sizes, for configs that come from people.
    pub fn validate(&self) -> Result<(), String> {
        check_range("model width", self.width, &WIDTHS)?;
        check_range("model depth", self.depth, &(1..=16))?;
        for (name, v) in [
            ("time_features", self.time_features),
            ("input_features", self.input_features),
        ] {
            if v < 2 || !v.is_multiple_of(2) || v > 512 {
                return Err(format!(
                    "{name} must be an even number from 2 to 512, not {v}"
                ));
            }
        }
        if let Some(words) = &self.words {
            words.validate()?;
        }
        Ok(())
    }

    /// A network with fresh weights on `device`.
    pub fn init(&self, device: &Device) -> MlpDenoiser {
        let layer = |i, o| LinearConfig::new(i, o).init(device);
        let w = self.width;
        MlpDenoiser {
            input: layer(2 * self.input_features + self.time_features, w),
            time: layer(self.time_features, w),
            blocks: (0..self.depth)
                .map(|_| Block {
                    first: layer(w, w),
                    time: layer(w, w),
                    norm: LayerNormConfig::new(w)
                        .with_epsilon(NORM_EPSILON)
                        .init(device),
                    second: layer(w, w),
                })
                .collect(),
            output: layer(w, 2),
            words: self.words.as_ref().map(|c| c.init(device)),
            word_in: self.words.as_ref().map(|c| layer(c.dim, w)),
            time_features: self.time_features,
            input_features: self.input_features,
            input_scale: self.input_scale,
        }
    }
}

/// One residual block.
#[derive(Module, Debug)]
pub struct Block {
    first: Linear,
    time: Linear,
    norm: LayerNorm,
    second: Linear,
}

/// The 2D denoiser; see the module documentation.
#[derive(Module, Debug)]
pub struct MlpDenoiser {
    input: Linear,
    time: Linear,
    blocks: Vec<Block>,
    output: Linear,
    words: Option<WordEmbedding>,
    word_in: Option<Linear>,
    time_features: usize,
    input_features: usize,
    input_scale: f64,
}

impl MlpDenoiser {
    /// The word vectors, when the network has a vocabulary.
    pub fn words(&self) -> Option<&WordEmbedding> {
        self.words.as_ref()
    }

    /// The network's output (ε or v) at points `x` and times `t` ∈ [0, 1].
    ///
    /// # Shapes
    /// - `x`: `[batch, 2]`
    /// - `t`: `[batch, 1]`
    /// - output: `[batch, 2]`
    pub fn forward(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        self.forward_words(x, t, None)
    }

    /// The output given word labels (`[batch]`; [`NO_WORD`] for none). `None`, or a network
    /// without a vocabulary, means no condition.
    pub fn forward_words(
        &self,
        x: Tensor<2>,
        t: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
    ) -> Tensor<2> {
        let t_emb = sinusoidal(t, self.time_features, TIME_SCALE);
        let x_emb = sinusoidal(x, self.input_features, self.input_scale);
        let mut tau = linear(&self.time, t_emb.clone());
        if let (Some(words), Some(word_in)) = (&self.words, &self.word_in) {
            let labels = labels.unwrap_or_else(|| {
                Tensor::full([x_emb.dims()[0]], NO_WORD as i64, &x_emb.device())
            });
            tau = tau + linear(word_in, words.forward(labels));
        }
        let tau = silu(tau);
        let mut h = linear(&self.input, Tensor::cat(vec![x_emb, t_emb], 1));
        for b in &self.blocks {
            let inner = linear(&b.first, silu(h.clone())) + linear(&b.time, tau.clone());
            h = h + linear(&b.second, silu(layer_norm(&b.norm, inner, NORM_EPSILON)));
        }
        linear(&self.output, silu(h))
    }
}

impl DenoisingNet<2> for MlpDenoiser {
    fn denoise(&self, x: Tensor<2>, t: Tensor<1>, labels: Option<Tensor<1, Int>>) -> Tensor<2> {
        let b = t.dims()[0];
        self.forward_words(x, t.reshape([b, 1]), labels)
    }
}

impl NetConfig<2> for MlpDenoiserConfig {
    type Net = MlpDenoiser;

    fn validate(&self) -> Result<(), String> {
        MlpDenoiserConfig::validate(self)
    }

    fn init(&self, device: &Device) -> MlpDenoiser {
        MlpDenoiserConfig::init(self, device)
    }

    fn words(&self) -> Option<&WordEmbeddingConfig> {
        self.words.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_parameter_count() {
        let config = MlpDenoiserConfig::new();
        config.validate().unwrap();
        let device = Device::flex();
        let model = config.init(&device);
        let x = Tensor::<2>::zeros([5, 2], &device);
        let t = Tensor::<2>::ones([5, 1], &device);
        assert_eq!(model.forward(x, t).dims(), [5, 2]);
        // input (64+64)·128+128, time 64·128+128, 3 blocks of 3·(128·128+128) + LN 256,
        // output 128·2+2.
        assert_eq!(
            model.num_params(),
            16512 + 8320 + 3 * (3 * 16512 + 256) + 258
        );
    }

    #[test]
    fn bad_sizes_are_explained() {
        assert!(
            MlpDenoiserConfig::new()
                .with_width(4)
                .validate()
                .unwrap_err()
                .contains("width")
        );
        assert!(
            MlpDenoiserConfig::new()
                .with_time_features(7)
                .validate()
                .unwrap_err()
                .contains("even")
        );
    }
}
