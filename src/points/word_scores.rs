//! Judging a model conditioned on words: for each word and guidance scale, samples are drawn
//! and compared with that word's held-out points (SWD and MMD next to their floor), and
//! classified by their nearest held-out point among all words (the fraction that lands on the
//! asked word is its accuracy). Unguided samples (w = 0) are compared with the mixture of all
//! words, which is what they should reproduce.
//!
//! Shared by the command line (its report after training) and the tests.

use crate::diffusion::prediction::Prediction;
use crate::points::MlpDenoiser;
use crate::points::point_set::PointSet;
use crate::points::quality::{Quality, accuracy};
use crate::sampler::{Condition, Level, NetworkDenoiser, SamplerKind, generate};
use burn::tensor::Device;

/// One word's samples at one guidance scale, judged.
#[derive(Clone, Debug, PartialEq)]
pub struct WordScore {
    /// The word asked for.
    pub word: String,
    /// The guidance scale w.
    pub guidance: f64,
    /// Against the word's own held-out points.
    pub quality: Quality,
    /// The fraction of samples whose nearest held-out point is the word's.
    pub accuracy: f64,
}

/// `samples` drawn for `word`, one of the groups of `data`: SWD and MMD against the word's
/// held-out points (as many samples as there are of those), and the fraction of samples whose
/// nearest group is the word's.
pub fn score_word(data: &PointSet, word: &str, samples: &[f32]) -> Result<(Quality, f64), String> {
    crate::points::data::check_points("samples", samples)?;
    let target = data
        .groups
        .iter()
        .position(|g| g.word == word)
        .ok_or_else(|| match data.groups.is_empty() {
            true => "these points are not named by words".to_string(),
            false => format!(
                "unknown word {word:?}: the words are {}",
                data.words().join(", ")
            ),
        })?;
    let group = &data.groups[target];
    let quality = Quality::measure(samples, &group.heldout, &group.heldout2, 0)?;
    let references: Vec<&[f32]> = data.groups.iter().map(|g| &g.heldout[..]).collect();
    Ok((quality, accuracy(samples, &references, target)?))
}

/// How the samples are drawn.
#[derive(Clone, Debug)]
pub struct Sampling<'a> {
    /// The sampler.
    pub kind: SamplerKind,
    /// The levels it visits.
    pub plan: &'a [Level],
    /// Samples per word (the quality numbers use as many as there are held-out points).
    pub n: usize,
    /// Seed of the starting noise (the same for every word and scale).
    pub seed: u64,
}

/// Draws samples from `network` (trained on the grouped `data`).
pub struct Judge<'a> {
    /// The network.
    pub network: &'a MlpDenoiser,
    /// What it predicts.
    pub prediction: Prediction,
    /// Where it computes.
    pub device: &'a Device,
    /// How to sample.
    pub sampling: Sampling<'a>,
}

impl Judge<'_> {
    /// Samples for `label` at guidance `w` (no word for `None`), as `[x0, y0, ...]`.
    pub fn samples(&self, condition: Option<Condition>) -> Result<Vec<f32>, String> {
        let denoiser = NetworkDenoiser::new(self.network, self.prediction).guided(condition);
        let s = &self.sampling;
        generate(s.kind, &denoiser, s.plan, [s.n, 2], s.seed, self.device)
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| format!("{e:?}"))
    }

    /// Every word of `data` at every scale in `guidances`.
    pub fn score_words(
        &self,
        data: &PointSet,
        guidances: &[f64],
    ) -> Result<Vec<WordScore>, String> {
        let mut scores = Vec::new();
        for (k, group) in data.groups.iter().enumerate() {
            for &w in guidances {
                let samples = self.samples(Some(Condition {
                    label: k as u32 + 1,
                    guidance: w,
                }))?;
                let (quality, accuracy) = score_word(data, &group.word, &samples)?;
                scores.push(WordScore {
                    word: group.word.clone(),
                    guidance: w,
                    quality,
                    accuracy,
                });
            }
        }
        Ok(scores)
    }

    /// Samples with no word, against the mixture of all words.
    pub fn score_mixture(&self, data: &PointSet) -> Result<Quality, String> {
        let samples = self.samples(None)?;
        Quality::measure(&samples, &data.heldout, &data.heldout2, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::spacing::Spacing;
    use crate::nn::words::WordEmbeddingConfig;
    use crate::points::data::Dataset;
    use crate::points::{MlpDenoiserConfig, PointTrainer};
    use crate::sampler::plan;
    use crate::train::TrainConfig;

    /// The words of the guidance tests: two datasets in the same square, the pair that overlaps
    /// least (fresh moons data, for one, is nearer to rings' or 8gaussians' than to its own
    /// 16% of the time, which caps what any model of moons can score; see the README).
    const WORDS: [Dataset; 2] = [Dataset::EightGaussians, Dataset::Rings];

    /// Fresh data of each word, classified against the held-out sets: the accuracy of a
    /// perfect unguided model (below 100% where the shapes touch).
    #[test]
    fn fresh_data_is_mostly_classified_as_its_own_word() {
        let data = PointSet::from_datasets(&WORDS, 100, 0).unwrap();
        let references: Vec<&[f32]> = data.groups.iter().map(|g| &g.heldout[..]).collect();
        for (k, d) in WORDS.iter().enumerate() {
            let fresh = d.sample(2000, 77);
            let a = accuracy(&fresh, &references, k).unwrap();
            eprintln!("{}: fresh data accuracy {a:.3}", d.name());
            assert!(a > 0.9, "{}: {a}", d.name());
        }
    }

    /// Trains one conditional network on two datasets at once, then checks what guidance
    /// claims (Ho & Salimans 2022): at w = 3 at least 95% of each word's samples land on that
    /// word's data; accuracy rises from w = 0 to 1 to 3; and w = 0 (the unconditional model)
    /// reproduces the mixture of both, within a small multiple of its floor.
    #[test]
    fn guidance_draws_the_named_dataset() {
        let device = Device::flex();
        let data = PointSet::from_datasets(&WORDS, 4000, 0).unwrap();
        let steps = 1500;
        let config = TrainConfig::new()
            .with_total_steps(Some(steps))
            .with_learning_rate(5e-3)
            .with_batch_size(512);
        let model_config = MlpDenoiserConfig::new()
            .with_words(Some(WordEmbeddingConfig::new(data.words()).with_dim(4)));
        let mut trainer = PointTrainer::new(
            &device,
            data.train_data(),
            Some(&data.labels),
            model_config,
            config.clone(),
            0,
        )
        .unwrap();
        for _ in 0..steps {
            trainer.step();
        }
        let plan = plan(trainer.schedule(), Spacing::Trailing, 50).unwrap();
        let judge = Judge {
            network: trainer.ema_model(),
            prediction: config.prediction,
            device: &device,
            sampling: Sampling {
                kind: SamplerKind::Ddim { eta: 0.0 },
                plan: &plan,
                n: 2000,
                seed: 3,
            },
        };
        let scores = judge.score_words(&data, &[0.0, 1.0, 3.0]).unwrap();
        for s in &scores {
            eprintln!(
                "{:<11} w={} accuracy {:.3} SWD {:.4} ({:.2}× floor)",
                s.word,
                s.guidance,
                s.accuracy,
                s.quality.swd,
                s.quality.swd_ratio()
            );
        }
        for word in scores.chunks(3) {
            let [w0, w1, w3] = [&word[0], &word[1], &word[2]];
            assert!(w3.accuracy >= 0.95, "{}: {}", w3.word, w3.accuracy);
            assert!(
                w3.accuracy > w0.accuracy + 0.2,
                "{}: {w0:?} {w3:?}",
                w3.word
            );
            assert!(w1.accuracy > w0.accuracy, "{}", w1.word);
        }
        // w = 0 is the unconditional model exactly, whichever word is asked for.
        let guided_by_nothing = judge
            .samples(Some(Condition {
                label: 2,
                guidance: 0.0,
            }))
            .unwrap();
        let unguided = judge.samples(None).unwrap();
        let gap = guided_by_nothing
            .iter()
            .zip(&unguided)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(gap < 1e-3, "w = 0 differs from no word by {gap}");
        let mixture = judge.score_mixture(&data).unwrap();
        eprintln!("mixture (no word): {:.2}× floor", mixture.swd_ratio());
        assert!(mixture.swd_ratio() < 3.0, "{mixture:?}");
    }
}
