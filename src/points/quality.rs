//! How good a set of 2D samples is: its distance to held-out data, next to the floor, the same
//! distance between two independent draws of the data (shared/notes/anchors.md).

use crate::points::metrics::{SWD_DIRECTIONS, mmd_rbf, sliced_wasserstein};

/// Sliced Wasserstein-2 and MMD² of samples against held-out data, with their floors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    /// SW₂(samples, held-out).
    pub swd: f64,
    /// MMD²(samples, held-out).
    pub mmd: f64,
    /// SW₂(held-out, second held-out draw).
    pub floor_swd: f64,
    /// MMD²(held-out, second held-out draw).
    pub floor_mmd: f64,
}

impl Quality {
    /// Measures `samples` against `heldout`, and `heldout` against `heldout2` for the floor.
    /// `seed` fixes the projection directions and the bandwidth subset.
    ///
    /// Only the first samples, as many as there are held-out points, are used, so that the
    /// number is comparable with its floor (both distances shrink as sets grow).
    pub fn measure(
        samples: &[f32],
        heldout: &[f32],
        heldout2: &[f32],
        seed: u64,
    ) -> Result<Self, String> {
        crate::points::data::check_points("samples", samples)?;
        let samples = &samples[..samples.len().min(heldout.len())];
        Ok(Self {
            swd: sliced_wasserstein(samples, heldout, SWD_DIRECTIONS, seed)?,
            mmd: mmd_rbf(samples, heldout, seed)?,
            floor_swd: sliced_wasserstein(heldout2, heldout, SWD_DIRECTIONS, seed)?,
            floor_mmd: mmd_rbf(heldout2, heldout, seed)?,
        })
    }

    /// SWD as a multiple of its floor.
    pub fn swd_ratio(&self) -> f64 {
        self.swd / self.floor_swd
    }
}

/// Neighbours a sample's distance to a group is averaged over (one point alone is noisy where
/// shapes touch).
pub const NEIGHBOURS: usize = 5;

/// For each sample, the group it looks like: the reference set (fresh data of each group)
/// nearest to it, a set's distance being the mean distance from the sample to its
/// [`NEIGHBOURS`] nearest points (k-nearest-neighbour distance; a set with fewer points uses
/// them all).
pub fn nearest_group(samples: &[f32], groups: &[&[f32]]) -> Vec<usize> {
    samples
        .chunks_exact(2)
        .map(|s| {
            let mut best = (f32::INFINITY, 0);
            for (k, group) in groups.iter().enumerate() {
                // The NEIGHBOURS smallest distances, kept sorted.
                let mut nearest = [f32::INFINITY; NEIGHBOURS];
                for p in group.chunks_exact(2) {
                    let d = ((p[0] - s[0]).powi(2) + (p[1] - s[1]).powi(2)).sqrt();
                    if d < nearest[NEIGHBOURS - 1] {
                        let at = nearest.partition_point(|&x| x <= d);
                        nearest.copy_within(at..NEIGHBOURS - 1, at + 1);
                        nearest[at] = d;
                    }
                }
                let used: Vec<f32> = nearest.into_iter().filter(|d| d.is_finite()).collect();
                let mean = used.iter().sum::<f32>() / used.len().max(1) as f32;
                if mean < best.0 {
                    best = (mean, k);
                }
            }
            best.1
        })
        .collect()
}

/// The fraction of `samples` whose nearest group (see [`nearest_group`]) is `target`.
pub fn accuracy(samples: &[f32], groups: &[&[f32]], target: usize) -> Result<f64, String> {
    crate::points::data::check_points("samples", samples)?;
    if samples.is_empty() {
        return Err("there are no samples to classify".into());
    }
    if target >= groups.len() || groups.iter().any(|g| g.len() < 2) {
        return Err("every group needs reference points, and the target must be one".into());
    }
    let hits = nearest_group(samples, groups)
        .into_iter()
        .filter(|&k| k == target)
        .count();
    Ok(hits as f64 / (samples.len() / 2) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_go_to_the_group_with_the_nearest_point() {
        let left: &[f32] = &[-1.0, 0.0, -2.0, 0.0];
        let right: &[f32] = &[1.0, 0.0, 3.0, 1.0];
        let samples = [-0.9, 0.1, 0.6, 0.0, 2.9, 0.9, -0.5, 5.0];
        assert_eq!(nearest_group(&samples, &[left, right]), vec![0, 1, 1, 0]);
        assert_eq!(accuracy(&samples, &[left, right], 1).unwrap(), 0.5);
        assert!(accuracy(&samples, &[left, right], 2).is_err());
        assert!(accuracy(&[], &[left, right], 0).is_err());
    }
}
