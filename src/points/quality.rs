//! How good a set of 2D samples is: its distance to held-out data, next to the floor, the same
//! distance between two independent draws of the data (shared/notes/anchors.md).

use crate::points::metrics::{MmdRbf, SWD_DIRECTIONS, sliced_wasserstein_part};
use std::collections::VecDeque;
use std::ops::Range;

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
        Ok(QualityJob::new(samples, heldout, heldout2, seed)?.finish())
    }

    /// SWD as a multiple of its floor.
    pub fn swd_ratio(&self) -> f64 {
        self.swd / self.floor_swd
    }
}

/// Directions of the sliced Wasserstein distance measured in one piece of a [`QualityJob`].
const DIRECTIONS_PER_PIECE: usize = 16;
/// Kernel evaluations of the MMD in one piece of a [`QualityJob`] (about 5 ms in the browser).
const KERNELS_PER_PIECE: usize = 500_000;

/// [`Quality::measure`] in pieces of a few milliseconds each (16 directions of a sliced
/// Wasserstein distance, or about 500,000 kernel evaluations of an MMD), so that a page can
/// draw between them: measuring 2,000 samples takes a few hundred milliseconds in the browser.
pub struct QualityJob {
    /// The samples (truncated as `measure` says), the held-out points, the second held-out draw.
    samples: Vec<f32>,
    heldout: Vec<f32>,
    heldout2: Vec<f32>,
    seed: u64,
    /// What is left to compute, in order.
    pieces: VecDeque<Piece>,
    /// Σ W₂² of the samples and of the floor; the kernels and sums of their MMDs.
    swd: [f64; 2],
    mmd: [(MmdRbf, f64); 2],
}

/// A piece of a [`QualityJob`], for the samples (`floor: false`) or the floor.
enum Piece {
    Swd { floor: bool, ks: Range<usize> },
    Mmd { floor: bool, rows: Range<usize> },
}

impl QualityJob {
    /// The job of [`Quality::measure`]; the points are checked here.
    pub fn new(
        samples: &[f32],
        heldout: &[f32],
        heldout2: &[f32],
        seed: u64,
    ) -> Result<Self, String> {
        for (what, points) in [
            ("samples", samples),
            ("held-out points", heldout),
            ("second held-out points", heldout2),
        ] {
            crate::points::data::check_points(what, points)?;
        }
        let samples = samples[..samples.len().min(heldout.len())].to_vec();
        let mut pieces = VecDeque::new();
        for (floor, first) in [(false, &samples[..]), (true, heldout2)] {
            for k in (0..SWD_DIRECTIONS).step_by(DIRECTIONS_PER_PIECE) {
                let ks = k..(k + DIRECTIONS_PER_PIECE).min(SWD_DIRECTIONS);
                pieces.push_back(Piece::Swd { floor, ks });
            }
            let rows = MmdRbf::rows(first, heldout);
            let per_piece = (KERNELS_PER_PIECE / (heldout.len() / 2).max(1)).max(1);
            for r in (0..rows).step_by(per_piece) {
                let rows = r..(r + per_piece).min(rows);
                pieces.push_back(Piece::Mmd { floor, rows });
            }
        }
        let mmd = [
            (MmdRbf::new(&samples, heldout, seed)?, 0.0),
            (MmdRbf::new(heldout2, heldout, seed)?, 0.0),
        ];
        Ok(Self {
            samples,
            heldout: heldout.to_vec(),
            heldout2: heldout2.to_vec(),
            seed,
            pieces,
            swd: [0.0; 2],
            mmd,
        })
    }

    /// Computes the next piece; false once there is none left.
    pub fn step(&mut self) -> bool {
        let Some(piece) = self.pieces.pop_front() else {
            return false;
        };
        let first = |floor: bool| if floor { &self.heldout2 } else { &self.samples };
        // The points were checked in `new`, so the metrics cannot fail.
        match piece {
            Piece::Swd { floor, ks } => {
                let part = sliced_wasserstein_part(
                    first(floor),
                    &self.heldout,
                    SWD_DIRECTIONS,
                    self.seed,
                    ks,
                );
                self.swd[floor as usize] += part.unwrap_or(f64::NAN);
            }
            Piece::Mmd { floor, rows } => {
                let (kernel, _) = self.mmd[floor as usize];
                let part = kernel.part(first(floor), &self.heldout, rows);
                self.mmd[floor as usize].1 += part;
            }
        }
        true
    }

    /// Computes what is left.
    pub fn finish(mut self) -> Quality {
        while self.step() {}
        let swd = |total: f64| (total / SWD_DIRECTIONS as f64).sqrt();
        Quality {
            swd: swd(self.swd[0]),
            mmd: self.mmd[0].1,
            floor_swd: swd(self.swd[1]),
            floor_mmd: self.mmd[1].1,
        }
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
    use crate::points::data::Dataset;
    use crate::points::metrics::{mmd_rbf, sliced_wasserstein};

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

    #[test]
    fn the_job_measures_what_the_metrics_do_in_small_pieces() {
        let samples = Dataset::Moons.sample(2500, 1);
        let heldout = Dataset::Moons.sample(2000, 2);
        let heldout2 = Dataset::Moons.sample(2000, 3);
        let mut job = QualityJob::new(&samples, &heldout, &heldout2, 5).unwrap();
        let pieces = job.pieces.len();
        // 8 SWD pieces and 6,000 MMD rows in pieces of 250 rows, for each of the two.
        assert_eq!(pieces, 2 * (8 + 24));
        assert!(job.step());
        let q = job.finish();
        let first = &samples[..4000];
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1e-6);
        assert!(close(
            q.swd,
            sliced_wasserstein(first, &heldout, SWD_DIRECTIONS, 5).unwrap()
        ));
        assert!(close(q.mmd, mmd_rbf(first, &heldout, 5).unwrap()));
        assert!(close(
            q.floor_swd,
            sliced_wasserstein(&heldout2, &heldout, SWD_DIRECTIONS, 5).unwrap()
        ));
        assert!(close(q.floor_mmd, mmd_rbf(&heldout2, &heldout, 5).unwrap()));
        assert!(QualityJob::new(&[1.0], &heldout, &heldout2, 0).is_err());
    }
}
