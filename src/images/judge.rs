//! The judge: a small CNN classifier trained on the real training split only (never on
//! anything a generator made, and never used to train one), and two readings of generated
//! images made with it:
//!
//! - accuracy: the share of images generated for a word that it classifies as that word,
//!   next to its accuracy on real test images of the word (the ceiling of an honest model);
//! - the Fréchet distance (Heusel et al. 2017, the "FID" recipe, with this judge's features
//!   in place of Inception's): d² = ‖μ₁ - μ₂‖² + Tr(Σ₁ + Σ₂ - 2 (Σ₁ Σ₂)^{1/2}) between
//!   Gaussians fitted to the features of two image sets, next to the same distance between
//!   real training and real test images (the floor). Accuracy alone hides a model that
//!   draws one typical image per word; the distance does not.
//!
//! Network: conv 1→32 at 28², stride-2 conv to 14², conv to 64, stride-2 conv to 7², conv to
//! 128, each with GroupNorm and SiLU, a global average (the 128 features), a linear layer to
//! the ten classes.

use super::blocks::{conv3, group_norm};
use super::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::check::check_range;
use crate::nn::silu::silu;
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{GroupNorm, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor};

/// Hyper-parameters of the judge.
#[derive(Config, Debug, PartialEq)]
pub struct JudgeConfig {
    /// Channels of the first layer (the later ones have twice and four times as many).
    #[config(default = 32)]
    pub channels: usize,
    /// Number of classes.
    #[config(default = 10)]
    pub classes: usize,
}

impl JudgeConfig {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), String> {
        check_range("channels", self.channels, &(4..=128))?;
        check_range("classes", self.classes, &(2..=1000))
    }

    /// A judge with fresh weights on `device`.
    pub fn init(&self, device: &Device) -> Judge {
        let c = self.channels;
        let layer = |cin, cout, stride| Layer {
            conv: conv3(cin, cout, stride, device),
            norm: group_norm(cout, device),
        };
        Judge {
            layers: vec![
                layer(1, c, 1),
                layer(c, c, 2),
                layer(c, 2 * c, 1),
                layer(2 * c, 2 * c, 2),
                layer(2 * c, 4 * c, 1),
            ],
            classify: LinearConfig::new(4 * c, self.classes).init(device),
        }
    }
}

/// Conv, GroupNorm, SiLU.
#[derive(Module, Debug)]
pub struct Layer {
    conv: Conv2d,
    norm: GroupNorm,
}

/// The judge classifier.
#[derive(Module, Debug)]
pub struct Judge {
    layers: Vec<Layer>,
    classify: Linear,
}

impl Judge {
    /// The features the Fréchet distance compares.
    ///
    /// # Shapes
    /// - `images`: `[batch, 1, 28, 28]` in [0, 1]
    /// - output: `[batch, 4 · channels]`
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        let mut x = images.mul_scalar(2.0).sub_scalar(1.0);
        for layer in &self.layers {
            x = silu(layer.norm.forward(layer.conv.forward(x)));
        }
        let [b, c, h, w] = x.dims();
        x.reshape([b, c, h * w]).mean_dim(2).reshape([b, c])
    }

    /// Class scores (logits), `[batch, classes]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.classify.forward(self.features(images))
    }

    /// The class of each of `images` (`[n × 784]` in [0, 1]), computed in batches.
    pub fn classify(&self, images: &[f32], device: &Device) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for chunk in images.chunks(BATCH * IMAGE_PIXELS) {
            let classes = self.forward(image_tensor(chunk, device)).argmax(1);
            let classes = classes
                .into_data()
                .convert::<i64>()
                .try_to_vec::<i64>()
                .map_err(|e| format!("{e:?}"))?;
            out.extend(classes.into_iter().map(|c| c as u8));
        }
        Ok(out)
    }

    /// The Gaussian fitted to the features of `images` (`[n × 784]`, n ≥ 2), in batches.
    pub fn feature_stats(&self, images: &[f32], device: &Device) -> Result<FeatureStats, String> {
        let mut all = Vec::new();
        let mut dim = 0;
        for chunk in images.chunks(BATCH * IMAGE_PIXELS) {
            let features = self.features(image_tensor(chunk, device));
            dim = features.dims()[1];
            all.extend(
                features
                    .into_data()
                    .try_to_vec::<f32>()
                    .map_err(|e| format!("{e:?}"))?,
            );
        }
        FeatureStats::fit(&all, dim)
    }

    /// The cross-entropy of a batch against its labels.
    pub fn loss(&self, images: Tensor<4>, labels: Tensor<1, Int>) -> Tensor<1> {
        let logits = self.forward(images);
        let [b, _] = logits.dims();
        let log_p = burn::tensor::activation::log_softmax(logits, 1);
        log_p.gather(1, labels.reshape([b, 1])).mean().neg()
    }
}

/// Images the judge reads at once.
const BATCH: usize = 500;

/// The share of each class's images that `predicted` gets right (`classes` classes).
pub fn per_class_accuracy(predicted: &[u8], labels: &[u8], classes: usize) -> Vec<f64> {
    let mut right = vec![0usize; classes];
    let mut total = vec![0usize; classes];
    for (&p, &l) in predicted.iter().zip(labels) {
        total[l as usize] += 1;
        right[l as usize] += (p == l) as usize;
    }
    right
        .iter()
        .zip(total)
        .map(|(&r, t)| r as f64 / t.max(1) as f64)
        .collect()
}

/// `[n × 784]` images in [0, 1] as the judge's input `[n, 1, 28, 28]`.
pub fn image_tensor(images: &[f32], device: &Device) -> Tensor<4> {
    let n = images.len() / (IMAGE_SIDE * IMAGE_SIDE);
    Tensor::<1>::from_floats(images, device).reshape([n, 1, IMAGE_SIDE, IMAGE_SIDE])
}

/// A Gaussian fitted to feature vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureStats {
    /// The mean.
    pub mean: Vec<f64>,
    /// The covariance (unbiased), row-major `dim × dim`.
    pub covariance: Vec<f64>,
}

impl FeatureStats {
    /// Fits `features` (`n` rows of `dim`; at least two rows).
    pub fn fit(features: &[f32], dim: usize) -> Result<Self, String> {
        let n = features.len() / dim.max(1);
        if dim == 0 || n < 2 || features.len() != n * dim {
            return Err(format!(
                "need at least two feature vectors of {dim} numbers, not {} numbers",
                features.len()
            ));
        }
        let mut mean = vec![0.0; dim];
        for row in features.chunks_exact(dim) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v as f64 / n as f64;
            }
        }
        let mut covariance = vec![0.0; dim * dim];
        for row in features.chunks_exact(dim) {
            let centred: Vec<f64> = row.iter().zip(&mean).map(|(&v, m)| v as f64 - m).collect();
            for i in 0..dim {
                for j in i..dim {
                    covariance[i * dim + j] += centred[i] * centred[j];
                }
            }
        }
        for i in 0..dim {
            for j in i..dim {
                let v = covariance[i * dim + j] / (n - 1) as f64;
                covariance[i * dim + j] = v;
                covariance[j * dim + i] = v;
            }
        }
        Ok(Self { mean, covariance })
    }

    /// The Fréchet distance d² to `other` (see the module documentation).
    pub fn frechet_distance(&self, other: &FeatureStats) -> f64 {
        use nalgebra::{DMatrix, SymmetricEigen};
        let dim = self.mean.len();
        let a = DMatrix::from_row_slice(dim, dim, &self.covariance);
        let b = DMatrix::from_row_slice(dim, dim, &other.covariance);
        let mean_term: f64 = self
            .mean
            .iter()
            .zip(&other.mean)
            .map(|(x, y)| (x - y) * (x - y))
            .sum();
        // Tr((AB)^{1/2}) = Tr((A^{1/2} B A^{1/2})^{1/2}): the square roots of the eigenvalues of
        // a symmetric positive semi-definite matrix, which is what makes it stable.
        let root = |m: DMatrix<f64>| {
            let e = SymmetricEigen::new(m);
            let roots = e.eigenvalues.map(|l| l.max(0.0).sqrt());
            &e.eigenvectors * DMatrix::from_diagonal(&roots) * e.eigenvectors.transpose()
        };
        let a_root = root(a.clone());
        let middle = &a_root * &b * &a_root;
        let middle = (&middle + middle.transpose()) * 0.5;
        let cross: f64 = SymmetricEigen::new(middle)
            .eigenvalues
            .iter()
            .map(|l| l.max(0.0).sqrt())
            .sum();
        (mean_term + a.trace() + b.trace() - 2.0 * cross).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_judge_has_the_right_shapes_and_a_cross_entropy() {
        let device = Device::flex();
        let judge = JudgeConfig::new().with_channels(8).init(&device);
        let images = Tensor::<4>::zeros([3, 1, 28, 28], &device);
        assert_eq!(judge.features(images.clone()).dims(), [3, 32]);
        assert_eq!(judge.forward(images.clone()).dims(), [3, 10]);
        let labels = Tensor::<1, Int>::from_ints([0, 4, 9], &device);
        let loss = judge.loss(images, labels).into_scalar::<f32>();
        // Fresh weights give roughly uniform scores: about ln 10.
        assert!((loss - 10f32.ln()).abs() < 1.0, "{loss}");
    }

    /// Diagonal Gaussians: d² = ‖μ₁ - μ₂‖² + Σ (σ₁ - σ₂)² in closed form.
    #[test]
    fn the_frechet_distance_of_diagonal_gaussians_is_the_closed_form() {
        let a = FeatureStats {
            mean: vec![0.0, 1.0],
            covariance: vec![4.0, 0.0, 0.0, 1.0],
        };
        let b = FeatureStats {
            mean: vec![3.0, 1.0],
            covariance: vec![1.0, 0.0, 0.0, 9.0],
        };
        let expected = 9.0 + (2.0f64 - 1.0).powi(2) + (1.0f64 - 3.0).powi(2);
        assert!((a.frechet_distance(&b) - expected).abs() < 1e-9);
        assert!(a.frechet_distance(&a).abs() < 1e-9);
        // A rotated covariance: the distance depends only on the spectra when the means agree
        // and the covariances commute (here B = A rotated by 90°, which swaps the axes).
        let c = FeatureStats {
            mean: vec![0.0, 1.0],
            covariance: vec![1.0, 0.0, 0.0, 4.0],
        };
        assert!((a.frechet_distance(&c) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn fitting_gives_the_sample_mean_and_covariance() {
        let features = [1.0, 2.0, 3.0, 6.0, 5.0, 10.0];
        let s = FeatureStats::fit(&features, 2).unwrap();
        assert_eq!(s.mean, [3.0, 6.0]);
        assert_eq!(s.covariance, [4.0, 8.0, 8.0, 16.0]);
        assert!(FeatureStats::fit(&features[..2], 2).is_err());
    }
}
