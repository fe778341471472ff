//! How good a set of 2D samples is: its distance to held-out data, next to the floor, the same
//! distance between two independent draws of the data (shared/notes/anchors.md).

use crate::metrics::{SWD_DIRECTIONS, mmd_rbf, sliced_wasserstein};

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
    pub fn measure(
        samples: &[f32],
        heldout: &[f32],
        heldout2: &[f32],
        seed: u64,
    ) -> Result<Self, String> {
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
