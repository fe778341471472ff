//! A 2D data source resolved for training and judging: the training points and two held-out
//! sets, one to measure samples against and one to measure the floor with (the distance between
//! two independent draws of the data; see `quality`). Shared by the command line and the page.

use crate::data::{Dataset, standardize};

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
        }
    }

    /// A person's own points, standardised (zero mean, unit scale). They are all there is:
    /// the model trains on all of them and is judged against two interleaved halves of them.
    pub fn from_user(points: &[f32], label: String) -> Result<Self, String> {
        let points = standardize(points)?;
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
        })
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
