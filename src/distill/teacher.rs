//! What a round learns from: its teacher (a network, guided towards each example's word for a
//! model of words, or any denoiser), and the examples' words with the guidance scales to
//! distil.

use crate::diffusion::prediction::Prediction;
use crate::nn::DenoisingNet;
use crate::sampler::{Denoiser, Level};
use burn::tensor::{Int, Tensor};
use std::ops::RangeInclusive;

/// The words of the examples of a model of words, and the guidance scales to distil.
#[derive(Clone, Debug)]
pub struct Words {
    /// Each example's word label (1 for the vocabulary's first word): `[n]`, on the data's
    /// device.
    pub labels: Tensor<1, Int>,
    /// The range each part's guidance scale w is drawn from, uniformly.
    pub guidance: RangeInclusive<f64>,
}

/// A round's teacher, frozen on the plain device.
pub(super) enum Teacher<N, const D: usize> {
    /// A network (guided towards each example's word, for a model of words).
    Network(N),
    /// Any denoiser of unconditional data (a closed form, for tests).
    Denoiser(Box<dyn Denoiser<D>>),
}

/// A network guided towards each row's word with one scale: the teacher of a model of words.
pub(super) struct GuidedRows<'a, N> {
    pub network: &'a N,
    pub prediction: Prediction,
    pub labels: Tensor<1, Int>,
    pub scale: f64,
}

impl<N: DenoisingNet<D>, const D: usize> Denoiser<D> for GuidedRows<'_, N> {
    fn prediction(&self) -> Prediction {
        self.prediction
    }

    fn predict(&self, x: Tensor<D>, level: Level) -> Tensor<D> {
        let b = x.dims()[0];
        let device = x.device();
        self.network.denoise_guided(
            x,
            Tensor::full([b], level.t, &device),
            self.labels.clone(),
            Tensor::full([b], self.scale, &device),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::schedule::{BetaSchedule, NoiseSchedule};
    use crate::diffusion::spacing::Spacing;
    use crate::distill::{Round, RoundConfig};
    use crate::images::unet::LatentUnetConfig;
    use crate::nn::NetConfig;
    use crate::sampler::plan;
    use burn::module::{Module, ModuleMapper, Param};
    use burn::tensor::{Device, Distribution};

    fn read(loss: Tensor<1>) -> f32 {
        loss.into_scalar()
    }

    /// Adds N(0, 0.1²) to every weight.
    struct Jitter;
    impl ModuleMapper for Jitter {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| t.clone() + t.random_like(Distribution::Normal(0.0, 0.1)))
        }
    }

    /// Guidance distillation's first stage (Meng et al. 2023) on a small latent U-Net with
    /// random weights: the student, the teacher with a guidance input that starts at zero, is
    /// the teacher's conditional model, which is the guided teacher at w = 1 (the loss is
    /// rounding error) and not at w = 3; training on w = 3 brings that loss down.
    #[test]
    fn a_guided_student_starts_as_the_conditional_teacher_and_learns_the_guided_one() {
        let device = Device::flex();
        device.seed(5);
        let config = LatentUnetConfig::new()
            .with_channels(16)
            .with_embedding(32)
            .with_time_features(8)
            .with_vocabulary(vec!["a".into(), "b".into(), "c".into()]);
        // Random weights everywhere, the layers that start at zero too (a fresh U-Net's last
        // layer does), and two channels per group of the GroupNorms (with one, a norm erases
        // the embedding, which each block adds per channel).
        let teacher = NetConfig::init(&config, &device).map(&mut Jitter);
        let data = Tensor::<4>::random([96, 4, 8, 8], Distribution::Normal(0.0, 1.0), &device);
        let labels = Tensor::<1, Int>::from_ints([1, 2, 3].repeat(32).as_slice(), &device);
        let (student, _) = teacher.clone().with_guidance_input(config);
        let schedule = NoiseSchedule::new(BetaSchedule::Cosine, 1000).unwrap();
        let grid = plan(&schedule, Spacing::Trailing, 8).unwrap();
        let round = |scale: f64, steps| {
            Round::matching(
                student.clone(),
                teacher.clone(),
                Prediction::V,
                grid.clone(),
                data.clone(),
                RoundConfig {
                    learning_rate: 3e-3,
                    batch_size: 32,
                    steps,
                },
                1,
            )
            .unwrap()
            .with_words(Words {
                labels: labels.clone(),
                guidance: scale..=scale,
            })
            .unwrap()
        };
        let at_one = read(round(1.0, 1).step());
        assert!(at_one < 1e-8, "w = 1: loss {at_one}");
        let mut r = round(3.0, 80);
        let losses: Vec<f32> = (0..80).map(|_| read(r.step())).collect();
        let (first, last) = (losses[0], losses[70..].iter().sum::<f32>() / 10.0);
        println!("w = 3: loss {first:.5} at first, {last:.5} at the end");
        assert!(first > 1e-4, "w = 3 differs from w = 1: loss {first}");
        assert!(
            last < 0.5 * first,
            "the student learns w = 3: {first} → {last}"
        );
        assert!(r.student().takes_guidance());
        // Labels that do not fit the data are refused.
        let short = round(1.0, 1).with_words(Words {
            labels: labels.clone().slice(0..10),
            guidance: 1.0..=1.0,
        });
        let refused = short.err().expect("ten labels for 96 examples");
        assert!(
            refused.contains("10 word labels for 96 examples"),
            "{refused}"
        );
    }
}
