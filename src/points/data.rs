//! Toy 2D datasets, deterministic from a seed, each scaled to zero mean and unit variance.
//!
//! Shapes follow the usual benchmarks: two moons and the swiss roll as in scikit-learn's
//! `make_moons` / `make_swiss_roll`; checkerboard, two spirals and pinwheel as in FFJORD
//! (Grathwohl et al. 2019); 8 gaussians and rings as in the GAN and flow literature.
//! Each generator draws the raw shape and then applies its own fixed centre and scale (the
//! shape's mean and root-mean-square radius per axis), so that different draws of the same
//! dataset come from exactly the same distribution.

use crate::check::check_range;
use burn::config::Config;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::{PI, TAU};

/// A built-in 2D dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// The swiss roll: (t cos t, t sin t), t ∈ 1.5π (1 + 2u).
    SwissRoll,
    /// Two interleaving half circles.
    Moons,
    /// Eight Gaussians on a circle.
    EightGaussians,
    /// Two concentric circles, radii 1 and 1/2.
    Rings,
    /// Alternating squares of a 4x4 board.
    Checkerboard,
    /// Two interleaved spiral arms.
    Spiral,
    /// Five curved arms (FFJORD's pinwheel).
    Pinwheel,
}

impl Dataset {
    /// Every built-in dataset.
    pub const ALL: [Dataset; 7] = [
        Self::SwissRoll,
        Self::Moons,
        Self::EightGaussians,
        Self::Rings,
        Self::Checkerboard,
        Self::Spiral,
        Self::Pinwheel,
    ];

    /// The name used on the command line, in URLs and in the API.
    pub fn name(self) -> &'static str {
        match self {
            Self::SwissRoll => "swissroll",
            Self::Moons => "moons",
            Self::EightGaussians => "8gaussians",
            Self::Rings => "rings",
            Self::Checkerboard => "checkerboard",
            Self::Spiral => "spiral",
            Self::Pinwheel => "pinwheel",
        }
    }

    /// Parses a dataset name (see [`Dataset::name`]).
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|d| d.name()).collect();
                format!("unknown dataset {name:?}: use one of {}", names.join(", "))
            })
    }

    /// `n` points, `[x0, y0, x1, y1, ...]`, the same for the same `seed`.
    pub fn sample(self, n: usize, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        let (center, scale) = self.normalisation();
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let [x, y] = self.raw_point(&mut rng);
            out.push(((x - center[0]) / scale) as f32);
            out.push(((y - center[1]) / scale) as f32);
        }
        out
    }

    /// The raw shape's mean and root-mean-square deviation per axis, √(E‖p - mean‖²/2):
    /// closed forms where there is one, else measured over 400,000 points with numpy.
    fn normalisation(self) -> ([f64; 2], f64) {
        match self {
            // Measured.
            Self::SwissRoll => ([2.0014, 0.2011], 6.80678),
            // Centre exact by symmetry; the scale measured.
            Self::Moons => ([0.5, 0.25], 0.70671),
            // √(1/2 + σ²), σ = 0.07.
            Self::EightGaussians => ([0.0, 0.0], (0.5f64 + 0.07 * 0.07).sqrt()),
            // √((1 + 1/4)/4 + σ²), σ = 0.03.
            Self::Rings => ([0.0, 0.0], (1.25f64 / 4.0 + 0.03 * 0.03).sqrt()),
            // Uniform on a 4x4 square: √(4/3).
            Self::Checkerboard => ([0.0, 0.0], (4.0f64 / 3.0).sqrt()),
            // Measured.
            Self::Spiral => ([0.0, 0.0], 4.7207),
            // Measured.
            Self::Pinwheel => ([0.0, 0.0], 0.74149),
        }
    }

    fn raw_point(self, rng: &mut StdRng) -> [f64; 2] {
        match self {
            Self::SwissRoll => {
                let t = 1.5 * PI * (1.0 + 2.0 * rng.random::<f64>());
                [
                    t * t.cos() + 0.5 * normal(rng),
                    t * t.sin() + 0.5 * normal(rng),
                ]
            }
            Self::Moons => {
                let th = PI * rng.random::<f64>();
                let (x, y) = if rng.random::<bool>() {
                    (th.cos(), th.sin())
                } else {
                    (1.0 - th.cos(), 0.5 - th.sin())
                };
                [x + 0.05 * normal(rng), y + 0.05 * normal(rng)]
            }
            Self::EightGaussians => {
                let a = rng.random_range(0..8) as f64 * PI / 4.0;
                [a.cos() + 0.07 * normal(rng), a.sin() + 0.07 * normal(rng)]
            }
            Self::Rings => {
                let r = if rng.random::<bool>() { 1.0 } else { 0.5 };
                let th = TAU * rng.random::<f64>();
                [
                    r * th.cos() + 0.03 * normal(rng),
                    r * th.sin() + 0.03 * normal(rng),
                ]
            }
            Self::Checkerboard => {
                let x = rng.random_range(-2.0..2.0f64);
                let y = rng.random::<f64>() - 2.0 * rng.random_range(0..2) as f64;
                [x, y + x.floor().rem_euclid(2.0)]
            }
            Self::Spiral => {
                let u: f64 = rng.random();
                let n = u.sqrt() * 3.0 * PI; // 540 degrees
                let s = if rng.random::<bool>() { 1.0 } else { -1.0 };
                [
                    -s * n * n.cos() + 0.3 * normal(rng),
                    s * n * n.sin() + 0.3 * normal(rng),
                ]
            }
            Self::Pinwheel => {
                let arm = rng.random_range(0..5) as f64 * TAU / 5.0;
                let radial = 1.0 + 0.3 * normal(rng);
                let tangential = 0.1 * normal(rng);
                let a = arm + 0.25 * radial.exp();
                [
                    a.cos() * radial - a.sin() * tangential,
                    a.sin() * radial + a.cos() * tangential,
                ]
            }
        }
    }
}

/// The most points in a set that comes from outside (training points, samples to measure): the
/// measures compare every sample with every held-out point.
pub const MAX_POINT_SET: usize = 100_000;

/// Checks a point set `[x0, y0, x1, y1, ...]` that came from outside: x, y pairs, 2 to
/// [`MAX_POINT_SET`] points, finite coordinates. Returns the number of points; errors name
/// `what` was checked.
pub fn check_points(what: &str, points: &[f32]) -> Result<usize, String> {
    if !points.len().is_multiple_of(2) {
        return Err(format!(
            "{what}: points come as x, y pairs, but {} numbers were given",
            points.len()
        ));
    }
    let n = points.len() / 2;
    if n < 2 {
        return Err(format!("{what}: at least 2 points are needed, got {n}"));
    }
    if n > MAX_POINT_SET {
        return Err(format!(
            "{what}: at most {MAX_POINT_SET} points are taken, got {n}"
        ));
    }
    if let Some(i) = points.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "{what}: point {} has a coordinate that is not a finite number",
            i / 2
        ));
    }
    Ok(n)
}

/// One draw of N(0, 1).
fn normal(rng: &mut StdRng) -> f64 {
    StandardNormal.sample(rng)
}

/// `n` points (1 to [`crate::points::playground::MAX_POINTS`]) of the dataset called `name`,
/// drawn with `seed`: the checked form of [`Dataset::sample`] for requests from people.
pub fn sample_named(name: &str, n: usize, seed: u64) -> Result<Vec<f32>, String> {
    let dataset = Dataset::parse(name)?;
    check_range(
        "the number of points",
        n,
        &(1..=crate::points::playground::MAX_POINTS),
    )?;
    Ok(dataset.sample(n, seed))
}

/// Where a standardised point set sits in its owner's coordinates: a standardised point p is
/// the point `center + scale · p` there.
#[derive(Config, Debug, PartialEq)]
pub struct Frame {
    /// The points' mean.
    pub center: [f64; 2],
    /// Their root-mean-square deviation per axis.
    pub scale: f64,
}

impl Frame {
    /// The frame of data that are already standardised (the built-in datasets).
    pub const STANDARD: Frame = Frame {
        center: [0.0, 0.0],
        scale: 1.0,
    };

    /// Standardised points (`[x0, y0, ...]`) in the owner's coordinates.
    pub fn to_user(&self, points: &[f32]) -> Vec<f32> {
        points
            .chunks_exact(2)
            .flat_map(|p| [0, 1].map(|k| (self.center[k] + self.scale * p[k] as f64) as f32))
            .collect()
    }

    /// Points in the owner's coordinates, standardised.
    pub fn to_standard(&self, points: &[f32]) -> Vec<f32> {
        points
            .chunks_exact(2)
            .flat_map(|p| [0, 1].map(|k| ((p[k] as f64 - self.center[k]) / self.scale) as f32))
            .collect()
    }
}

/// Centres a user's point set and scales it to unit root-mean-square deviation per axis (the
/// same normalisation the built-in datasets have); returns the standardised points and the
/// [`Frame`] that takes them back. Errors on fewer than 2 points, an odd length, non-finite
/// values, or points that all coincide.
pub fn standardize(points: &[f32]) -> Result<(Vec<f32>, Frame), String> {
    let n = check_points("the points", points)?;
    let mut center = [0.0f64; 2];
    for p in points.chunks_exact(2) {
        center[0] += p[0] as f64 / n as f64;
        center[1] += p[1] as f64 / n as f64;
    }
    let sq: f64 = points
        .chunks_exact(2)
        .map(|p| (p[0] as f64 - center[0]).powi(2) + (p[1] as f64 - center[1]).powi(2))
        .sum();
    let scale = (sq / (2 * n) as f64).sqrt();
    if scale < 1e-12 {
        return Err("all points are at the same place: spread them out".into());
    }
    let frame = Frame { center, scale };
    Ok((frame.to_standard(points), frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(p: &[f32]) -> ([f64; 2], f64) {
        let n = (p.len() / 2) as f64;
        let mut m = [0.0; 2];
        for q in p.chunks_exact(2) {
            m[0] += q[0] as f64 / n;
            m[1] += q[1] as f64 / n;
        }
        let sq: f64 = p
            .chunks_exact(2)
            .map(|q| (q[0] as f64 - m[0]).powi(2) + (q[1] as f64 - m[1]).powi(2))
            .sum();
        (m, (sq / (2.0 * n)).sqrt())
    }

    #[test]
    fn every_dataset_is_centred_with_unit_scale() {
        for d in Dataset::ALL {
            let p = d.sample(50_000, 7);
            assert_eq!(p.len(), 100_000);
            let (m, rms) = moments(&p);
            assert!(m[0].abs() < 0.03 && m[1].abs() < 0.03, "{d:?} mean {m:?}");
            assert!((rms - 1.0).abs() < 0.03, "{d:?} rms {rms}");
        }
    }

    #[test]
    fn same_seed_same_points_other_seed_other_points() {
        for d in Dataset::ALL {
            assert_eq!(d.sample(100, 3), d.sample(100, 3));
            assert_ne!(d.sample(100, 3), d.sample(100, 4));
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for d in Dataset::ALL {
            assert_eq!(Dataset::parse(d.name()), Ok(d));
        }
        let err = Dataset::parse("circles").unwrap_err();
        assert!(err.contains("moons") && err.contains("pinwheel"), "{err}");
    }

    #[test]
    fn user_points_are_standardized_or_refused_with_a_reason() {
        let (p, frame) = standardize(&[0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0]).unwrap();
        assert_eq!(frame.center, [1.0, 1.0]);
        assert_eq!(frame.to_user(&p), [0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0]);
        assert_eq!(p, vec![-1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0]);
        assert!(standardize(&[1.0, 2.0, 3.0]).unwrap_err().contains("pairs"));
        assert!(standardize(&[1.0, 2.0]).unwrap_err().contains("at least 2"));
        assert!(
            standardize(&[1.0, 1.0, 1.0, 1.0])
                .unwrap_err()
                .contains("same place")
        );
        assert!(
            standardize(&[0.0, f32::NAN, 1.0, 1.0])
                .unwrap_err()
                .contains("point 0")
        );
    }
}
