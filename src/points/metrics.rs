//! Distances between two 2D point sets, to judge samples against data.
//!
//! - Sliced Wasserstein-2 (Rabin et al. 2011; Bonneel et al. 2015): the 2-Wasserstein distance
//!   of the sets' 1D projections, averaged over directions: SW₂(X, Y) = (E_θ W₂²(θ·X, θ·Y))^½.
//!   In 1D, W₂ is exact from the sorted projections.
//! - Maximum mean discrepancy (Gretton et al. 2012, "A Kernel Two-Sample Test"), the unbiased
//!   MMD²_u with the RBF kernel k(x, y) = exp(-‖x - y‖² / (2σ²)), σ the median pairwise distance
//!   of the pooled sets (the median heuristic).
//!
//! Each number means most next to its floor: the same metric between two independent draws of
//! the data. Points are `[x0, y0, x1, y1, ...]`.

use crate::points::data::check_points;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The number of projection directions of [`sliced_wasserstein`]; 128 is the least the
/// project's quality numbers use (shared/notes/anchors.md).
pub const SWD_DIRECTIONS: usize = 128;

/// The most points the median heuristic looks at (a seeded subset of the pooled sets): the
/// median of ~500,000 pairwise distances is stable to well under a percent.
const MEDIAN_POINTS: usize = 1000;

/// Sliced Wasserstein-2 distance over `directions` directions θ_k = φ + kπ/K, evenly spaced
/// over the half circle from a random start φ drawn from `seed` (even spacing makes the
/// average exact for a shift: SW₂(X, X + s) = ‖s‖/√2).
pub fn sliced_wasserstein(
    a: &[f32],
    b: &[f32],
    directions: usize,
    seed: u64,
) -> Result<f64, String> {
    let total = sliced_wasserstein_part(a, b, directions, seed, 0..directions)?;
    Ok((total / directions as f64).sqrt())
}

/// The sum of W₂²(θ_k·a, θ_k·b) over the directions `ks` of [`sliced_wasserstein`]'s
/// `directions`: the directions' sums add up to `directions` · SW₂², so the distance can be
/// computed a few directions at a time.
pub fn sliced_wasserstein_part(
    a: &[f32],
    b: &[f32],
    directions: usize,
    seed: u64,
    ks: std::ops::Range<usize>,
) -> Result<f64, String> {
    check_points("first set", a)?;
    check_points("second set", b)?;
    if directions == 0 {
        return Err("sliced Wasserstein needs at least one direction".into());
    }
    let start = StdRng::seed_from_u64(seed).random::<f64>() * std::f64::consts::PI;
    let mut total = 0.0;
    for k in ks {
        let angle = start + k as f64 * std::f64::consts::PI / directions as f64;
        let (c, s) = (angle.cos(), angle.sin());
        let project = |p: &[f32]| -> Vec<f64> {
            let mut v: Vec<f64> = p
                .chunks_exact(2)
                .map(|q| c * q[0] as f64 + s * q[1] as f64)
                .collect();
            v.sort_unstable_by(f64::total_cmp);
            v
        };
        total += wasserstein2_squared_sorted(&project(a), &project(b));
    }
    Ok(total)
}

/// W₂² between two 1D empirical distributions given sorted: ∫₀¹ (F⁻¹(u) - G⁻¹(u))² du, exact
/// for any two sizes (the quantile functions are step functions; walk their breakpoints).
pub fn wasserstein2_squared_sorted(a: &[f64], b: &[f64]) -> f64 {
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut u, mut sum) = (0, 0, 0.0, 0.0);
    while i < a.len() && j < b.len() {
        let next = ((i + 1) as f64 / n).min((j + 1) as f64 / m);
        sum += (next - u) * (a[i] - b[j]).powi(2);
        u = next;
        if (i + 1) as f64 / n <= next {
            i += 1;
        }
        if (j + 1) as f64 / m <= next {
            j += 1;
        }
    }
    sum
}

fn sq_dist(p: &[f32], q: &[f32]) -> f64 {
    let dx = p[0] as f64 - q[0] as f64;
    let dy = p[1] as f64 - q[1] as f64;
    dx * dx + dy * dy
}

/// σ² of the median heuristic: the median squared pairwise distance of (a seeded subset of)
/// the pooled sets.
pub fn median_bandwidth_squared(a: &[f32], b: &[f32], seed: u64) -> f64 {
    let mut pool: Vec<&[f32]> = a.chunks_exact(2).chain(b.chunks_exact(2)).collect();
    if pool.len() > MEDIAN_POINTS {
        let mut rng = StdRng::seed_from_u64(seed);
        // A partial Fisher-Yates shuffle picks the subset.
        for i in 0..MEDIAN_POINTS {
            let j = rng.random_range(i..pool.len());
            pool.swap(i, j);
        }
        pool.truncate(MEDIAN_POINTS);
    }
    let mut d: Vec<f64> = Vec::with_capacity(pool.len() * (pool.len() - 1) / 2);
    for i in 0..pool.len() {
        for j in i + 1..pool.len() {
            d.push(sq_dist(pool[i], pool[j]));
        }
    }
    let mid = d.len() / 2;
    *d.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// The unbiased MMD²_u with the RBF kernel at the median bandwidth (can be slightly
/// negative when the sets come from one distribution).
pub fn mmd_rbf(a: &[f32], b: &[f32], seed: u64) -> Result<f64, String> {
    let mmd = MmdRbf::new(a, b, seed)?;
    Ok(mmd.part(a, b, 0..MmdRbf::rows(a, b)))
}

/// [`mmd_rbf`] a few rows of its kernel sums at a time: its bandwidth, and the sums' rows as
/// one range, the rows of k(a, a), then of k(b, b), then of k(a, b).
#[derive(Clone, Copy, Debug)]
pub struct MmdRbf {
    /// 1 / (2σ²).
    gamma: f64,
}

impl MmdRbf {
    /// The kernel of the median heuristic for the sets `a` and `b`.
    pub fn new(a: &[f32], b: &[f32], seed: u64) -> Result<Self, String> {
        check_points("first set", a)?;
        check_points("second set", b)?;
        let sigma2 = median_bandwidth_squared(a, b, seed).max(1e-12);
        Ok(Self {
            gamma: 1.0 / (2.0 * sigma2),
        })
    }

    /// The number of rows of the kernel sums: |a| + |b| + |a|.
    pub fn rows(a: &[f32], b: &[f32]) -> usize {
        2 * (a.len() / 2) + b.len() / 2
    }

    /// The rows `rows` of MMD²_u's sum: the parts of all rows add up to [`mmd_rbf`].
    pub fn part(&self, a: &[f32], b: &[f32], rows: std::ops::Range<usize>) -> f64 {
        let (n, m) = (a.len() / 2, b.len() / 2);
        // Each block of rows: (set of the rows, set of the columns, the same set?, weight).
        let blocks = [
            (a, a, true, 1.0 / (n as f64 * (n as f64 - 1.0))),
            (b, b, true, 1.0 / (m as f64 * (m as f64 - 1.0))),
            (a, b, false, -2.0 / (n as f64 * m as f64)),
        ];
        let mut total = 0.0;
        let mut first = 0;
        for (x, y, same, weight) in blocks {
            let len = x.len() / 2;
            let from = rows.start.clamp(first, first + len) - first;
            let to = rows.end.clamp(first, first + len) - first;
            first += len;
            let mut sum = 0.0;
            for i in from..to {
                let p = &x[2 * i..2 * i + 2];
                for (j, q) in y.chunks_exact(2).enumerate() {
                    if !(same && i == j) {
                        sum += (-self.gamma * sq_dist(p, q)).exp();
                    }
                }
            }
            total += weight * sum;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::data::Dataset;

    #[test]
    fn computed_in_parts_the_distances_are_the_same() {
        let a = Dataset::Moons.sample(300, 1);
        let b = Dataset::Rings.sample(200, 2);
        let swd = sliced_wasserstein(&a, &b, 16, 3).unwrap();
        let parts: f64 = [0..5, 5..11, 11..16]
            .into_iter()
            .map(|ks| sliced_wasserstein_part(&a, &b, 16, 3, ks).unwrap())
            .sum();
        assert!(((parts / 16.0).sqrt() - swd).abs() < 1e-12);
        let mmd = MmdRbf::new(&a, &b, 4).unwrap();
        let rows = MmdRbf::rows(&a, &b);
        assert_eq!(rows, 300 + 200 + 300);
        let parts: f64 = [0..7, 7..290, 290..420, 420..rows]
            .into_iter()
            .map(|r| mmd.part(&a, &b, r))
            .sum();
        let whole = mmd_rbf(&a, &b, 4).unwrap();
        assert!(
            (parts - whole).abs() < 1e-12 * whole.abs().max(1.0),
            "{parts} {whole}"
        );
    }

    #[test]
    fn identical_sets_are_at_distance_zero() {
        let p = Dataset::Moons.sample(500, 1);
        assert!(sliced_wasserstein(&p, &p, SWD_DIRECTIONS, 0).unwrap() < 1e-12);
        // MMD²_u of a set with itself is the (negative) diagonal correction, about -1/n.
        assert!(mmd_rbf(&p, &p, 0).unwrap().abs() < 2.0 / 500.0);
    }

    #[test]
    fn a_shifted_set_is_at_the_shift() {
        let p = Dataset::Rings.sample(700, 2);
        let (sx, sy) = (0.3f32, -0.4f32); // ‖s‖ = 0.5
        let q: Vec<f32> = p
            .chunks_exact(2)
            .flat_map(|v| [v[0] + sx, v[1] + sy])
            .collect();
        let swd = sliced_wasserstein(&p, &q, SWD_DIRECTIONS, 9).unwrap();
        assert!((swd - 0.5 / 2f64.sqrt()).abs() < 1e-6, "{swd}");
    }

    /// Two point masses: every projection moves the whole mass by |θ·(x - y)|.
    #[test]
    fn point_masses_and_unequal_sizes() {
        let a = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let b = [2.0, 0.0, 2.0, 0.0];
        let swd = sliced_wasserstein(&a, &b, 64, 3).unwrap();
        assert!((swd - 2.0 / 2f64.sqrt()).abs() < 1e-9, "{swd}");
        // 1D: {0, 1} against {0, 0.5, 1}: quantiles differ by 0.5 on u ∈ (1/3, 1/2) and
        // (1/2, 2/3): W₂² = 2 · (1/6) · 0.25 = 1/12.
        let w = wasserstein2_squared_sorted(&[0.0, 1.0], &[0.0, 0.5, 1.0]);
        assert!((w - 1.0 / 12.0).abs() < 1e-12, "{w}");
    }

    /// MMD²_u of two well-separated sets approaches 2 - 2·k(shift) with the diagonal removed;
    /// for two single-point clouds it is 2 - 2 exp(-d²/2σ²), σ² the median of the pairs.
    #[test]
    fn mmd_of_two_tight_clusters_is_the_closed_form() {
        let a = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let b = [3.0, 0.0, 3.0, 0.0, 3.0, 0.0];
        // Pooled pairs: 6 at distance 0, 9 at distance 9 (squared): median 9.
        assert_eq!(median_bandwidth_squared(&a, &b, 0), 9.0);
        let want = 2.0 - 2.0 * (-9.0f64 / 18.0).exp();
        assert!((mmd_rbf(&a, &b, 0).unwrap() - want).abs() < 1e-12);
    }

    #[test]
    fn bad_inputs_are_refused_with_a_reason() {
        let p = [0.0, 0.0, 1.0, 1.0];
        assert!(
            sliced_wasserstein(&p, &[1.0], 8, 0)
                .unwrap_err()
                .contains("pairs")
        );
        assert!(
            sliced_wasserstein(&p, &[1.0, 2.0], 8, 0)
                .unwrap_err()
                .contains("at least 2")
        );
        assert!(
            mmd_rbf(&p, &[0.0, f32::INFINITY, 1.0, 1.0], 0)
                .unwrap_err()
                .contains("finite")
        );
        assert!(sliced_wasserstein(&p, &p, 0, 0).is_err());
    }
}
