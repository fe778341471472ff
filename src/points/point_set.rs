//! A 2D data source resolved for training and judging: the training points and two held-out
//! sets, one to measure samples against and one to measure the floor with (the distance between
//! two independent draws of the data; see `quality`). Shared by the command line and the page.
//!
//! Data for a conditional model come in groups, each named by a word: the training points carry
//! their group's label (1 for the first word), the held-out sets are the mixture of all groups
//! (what an unguided model should reproduce), and each group keeps its own held-out sets (to
//! judge samples for its word, and to tell which group a sample looks like).

use crate::nn::words::check_words;
use crate::points::data::{Dataset, Frame, standardize};

/// Points drawn for each held-out set of a built-in dataset.
pub const HELDOUT_POINTS: usize = 2000;

/// Training points and the two held-out sets, all `[x0, y0, x1, y1, ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointSet {
    /// What the points are, for people (`dataset moons`, `points drawn.csv`, ...).
    pub label: String,
    /// What the model trains on.
    pub train: Vec<f32>,
    /// What samples are measured against.
    pub heldout: Vec<f32>,
    /// A second held-out set: its distance to `heldout` is the floor.
    pub heldout2: Vec<f32>,
    /// For grouped data: each training point's label (1-based into `groups`); else empty.
    pub labels: Vec<u32>,
    /// For grouped data: the groups, in label order; else empty.
    pub groups: Vec<Group>,
    /// Where the (standardised) points sit in their owner's coordinates.
    pub frame: Frame,
}

/// One named group of a grouped point set.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The word that names it.
    pub word: String,
    /// Its held-out points.
    pub heldout: Vec<f32>,
    /// Its second held-out set (for its floor).
    pub heldout2: Vec<f32>,
}

impl PointSet {
    /// `n` training points of a built-in dataset and two held-out draws of
    /// [`HELDOUT_POINTS`], from three seeds derived from `seed`.
    pub fn from_dataset(dataset: Dataset, n: usize, seed: u64) -> Self {
        Self {
            label: format!("dataset {}", dataset.name()),
            train: dataset.sample(n, seed),
            heldout: dataset.sample(HELDOUT_POINTS, seed.wrapping_add(1_000_001)),
            heldout2: dataset.sample(HELDOUT_POINTS, seed.wrapping_add(2_000_002)),
            labels: Vec::new(),
            groups: Vec::new(),
            frame: Frame::STANDARD,
        }
    }

    /// Grouped data from built-in datasets, each named by its own name, `n` training points
    /// each (dataset `k` is drawn from seed `seed + k`, so groups differ even when seeds
    /// coincide).
    pub fn from_datasets(datasets: &[Dataset], n: usize, seed: u64) -> Result<Self, String> {
        let parts = datasets
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let set = Self::from_dataset(*d, n, seed.wrapping_add(k as u64));
                (d.name().to_string(), set)
            })
            .collect();
        Self::grouped(parts, "datasets")
    }

    /// Grouped data from a person's points: point `i` belongs to the group `labels[i]` (1 for
    /// `words[0]`). Each group is standardised on its own, as each built-in dataset is.
    pub fn from_labeled(points: &[f32], labels: &[u32], words: &[String]) -> Result<Self, String> {
        check_words(words)?;
        let n = crate::points::data::check_points("the points", points)?;
        if labels.len() != n {
            return Err(format!(
                "there are {n} points but {} labels: give one label per point",
                labels.len()
            ));
        }
        let mut groups = vec![Vec::new(); words.len()];
        for (p, &label) in points.chunks_exact(2).zip(labels) {
            let group = (label as usize)
                .checked_sub(1)
                .and_then(|i| groups.get_mut(i))
                .ok_or_else(|| {
                    format!(
                        "label {label} names no word: labels go from 1 to {}, one per word",
                        words.len()
                    )
                })?;
            group.extend_from_slice(p);
        }
        let parts = words
            .iter()
            .zip(groups)
            .map(|(word, points)| {
                let set = Self::from_user(&points, word.clone())
                    .map_err(|e| format!("the points of {word:?}: {e}"))?;
                Ok((word.clone(), set))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Self::grouped(parts, "words")
    }

    /// Joins named point sets into one grouped set: the training points with their labels, and
    /// held-out sets that mix the groups in proportion to their training points.
    fn grouped(parts: Vec<(String, PointSet)>, kind: &str) -> Result<Self, String> {
        let words: Vec<String> = parts.iter().map(|(w, _)| w.clone()).collect();
        check_words(&words)?;
        let mut set = Self {
            label: format!("{kind} {}", words.join(", ")),
            train: Vec::new(),
            heldout: Vec::new(),
            heldout2: Vec::new(),
            labels: Vec::new(),
            groups: Vec::new(),
            frame: Frame::STANDARD,
        };
        let total: usize = parts.iter().map(|(_, p)| p.len()).sum();
        let largest = parts.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
        for (k, (word, part)) in parts.into_iter().enumerate() {
            set.labels
                .extend(std::iter::repeat_n(k as u32 + 1, part.len()));
            set.train.extend_from_slice(&part.train);
            // The mixture: from each group, held-out points in proportion to its share of the
            // training points (the largest group gives all of its own).
            let keep = |held: &[f32]| {
                let share = (held.len() / 2) * part.len() / largest.max(1);
                held[..2 * share.max(1).min(held.len() / 2)].to_vec()
            };
            set.heldout.extend(keep(&part.heldout));
            set.heldout2.extend(keep(&part.heldout2));
            set.groups.push(Group {
                word,
                heldout: part.heldout,
                heldout2: part.heldout2,
            });
        }
        debug_assert_eq!(set.labels.len(), total);
        Ok(set)
    }

    /// The group words, in label order (empty for plain data).
    pub fn words(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.word.clone()).collect()
    }

    /// The group named `word`, if there is one.
    pub fn group(&self, word: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.word == word)
    }

    /// A person's own points, standardised (zero mean, unit scale). They are all there is:
    /// the model trains on all of them and is judged against two interleaved halves of them.
    pub fn from_user(points: &[f32], label: String) -> Result<Self, String> {
        let (points, frame) = standardize(points)?;
        if points.len() < 8 {
            return Err("at least 4 points are needed to train and to judge samples".into());
        }
        // Interleaved halves: a drawing's strokes arrive in order, so halves by position
        // would each hold different strokes.
        let (mut heldout, mut heldout2) = (Vec::new(), Vec::new());
        for (i, p) in points.chunks_exact(2).enumerate() {
            let half = if i % 2 == 0 {
                &mut heldout
            } else {
                &mut heldout2
            };
            half.extend_from_slice(p);
        }
        heldout.truncate(heldout2.len());
        Ok(Self {
            label,
            heldout,
            heldout2,
            train: points,
            labels: Vec::new(),
            groups: Vec::new(),
            frame,
        })
    }

    /// The training points as a trainer takes them: `[n, 2]`.
    pub fn train_data(&self) -> burn::tensor::TensorData {
        burn::tensor::TensorData::new(self.train.clone(), [self.len(), 2])
    }

    /// The number of training points.
    pub fn len(&self) -> usize {
        self.train.len() / 2
    }

    /// Whether there are no training points (never true for a constructed set).
    pub fn is_empty(&self) -> bool {
        self.train.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasets_get_three_independent_draws() {
        let set = PointSet::from_dataset(Dataset::Moons, 500, 7);
        assert_eq!(set.len(), 500);
        assert_eq!(set.heldout.len(), 2 * HELDOUT_POINTS);
        assert_ne!(set.heldout, set.heldout2);
        assert_ne!(&set.train[..], &set.heldout[..1000]);
    }

    #[test]
    fn user_points_are_standardised_and_split_in_interleaved_halves() {
        let pts: Vec<f32> = (0..11).flat_map(|i| [i as f32, 3.0 * i as f32]).collect();
        let set = PointSet::from_user(&pts, "mine".into()).unwrap();
        assert_eq!(set.len(), 11);
        assert_eq!(set.heldout.len(), set.heldout2.len());
        assert_eq!(set.heldout.len(), 10);
        // Points 0 and 1 go to different halves.
        assert_eq!(&set.heldout[..2], &set.train[..2]);
        assert_eq!(&set.heldout2[..2], &set.train[2..4]);
        let mean: f32 = set.train.iter().step_by(2).sum::<f32>() / 11.0;
        assert!(mean.abs() < 1e-5);
        assert!(PointSet::from_user(&[0.0, 0.0, 1.0, 1.0, 2.0, 2.0], "x".into()).is_err());
    }
}
