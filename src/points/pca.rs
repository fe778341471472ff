//! Principal component analysis down to two dimensions (Pearson 1901; Hotelling 1933), to draw
//! word vectors of any dimension as points in a plane.
//!
//! For rows x_i (centred: x_i - x̄), the axes are the top two eigenvectors of the scatter
//! matrix C = Σ_i (x_i - x̄)(x_i - x̄)ᵀ, found by power iteration (v ← C v / ‖C v‖, with C v
//! computed as Xᵀ(X v), never forming C), the second kept orthogonal to the first. Each axis's
//! sign is fixed (its largest component is positive) so that a picture redrawn while the
//! vectors train does not flip.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Power-iteration rounds per axis (a few hundred dims of word vectors converge long before).
const ROUNDS: usize = 300;

/// The rows of `x` (`rows × dim`, row-major) as points in the plane: their coordinates along
/// the first two principal axes, `[rows × 2]`, centred. With `dim == 2` the rows are returned
/// as they are (nothing to project).
pub fn project_2d(x: &[f32], dim: usize) -> Result<Vec<f32>, String> {
    if dim == 0 || !x.len().is_multiple_of(dim) {
        return Err(format!("{} numbers do not make rows of {dim}", x.len()));
    }
    if dim == 2 {
        return Ok(x.to_vec());
    }
    let rows = x.len() / dim;
    let mut centred: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    for j in 0..dim {
        let mean = (0..rows).map(|i| centred[i * dim + j]).sum::<f64>() / rows.max(1) as f64;
        for i in 0..rows {
            centred[i * dim + j] -= mean;
        }
    }
    let first = top_axis(&centred, dim, None);
    let second = top_axis(&centred, dim, Some(&first));
    let mut out = Vec::with_capacity(2 * rows);
    for row in centred.chunks_exact(dim) {
        out.push(dot(row, &first) as f32);
        out.push(dot(row, &second) as f32);
    }
    Ok(out)
}

/// The leading eigenvector of XᵀX, orthogonal to `not` when given.
fn top_axis(x: &[f64], dim: usize, not: Option<&[f64]>) -> Vec<f64> {
    let orthogonal = |mut w: Vec<f64>| {
        if let Some(u) = not {
            let p = dot(&w, u);
            w.iter_mut().zip(u).for_each(|(wj, uj)| *wj -= p * uj);
        }
        w
    };
    let unit = |w: Vec<f64>| {
        let norm = dot(&w, &w).sqrt().max(1e-300);
        w.into_iter().map(|wj| wj / norm).collect::<Vec<f64>>()
    };
    let mut rng = StdRng::seed_from_u64(dim as u64);
    let start = unit(orthogonal(
        (0..dim).map(|_| rng.random::<f64>() - 0.5).collect(),
    ));
    // Below this, what is left of C v is rounding error: no variance in this direction.
    let negligible = 1e-9 * dot(x, x);
    let mut v = start.clone();
    for _ in 0..ROUNDS {
        // w = Xᵀ (X v)
        let mut w = vec![0.0; dim];
        for row in x.chunks_exact(dim) {
            let p = dot(row, &v);
            w.iter_mut().zip(row).for_each(|(wj, rj)| *wj += p * rj);
        }
        let w = orthogonal(w);
        if dot(&w, &w).sqrt() <= negligible {
            // Any unit vector orthogonal to `not` will do.
            v = start;
            break;
        }
        v = unit(w);
    }
    let biggest = v
        .iter()
        .copied()
        .fold(0.0f64, |m, c| if c.abs() > m.abs() { c } else { m });
    let sign = if biggest < 0.0 { -1.0 } else { 1.0 };
    v.iter().map(|c| sign * c).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_dimensions_pass_through() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(project_2d(&x, 2).unwrap(), x.to_vec());
        assert!(project_2d(&x, 3).is_err());
    }

    /// Points spread along known orthogonal directions with variances 9 and 1 (plus none along
    /// the third): the projection recovers each point's coordinates along them exactly.
    #[test]
    fn recovers_known_axes_in_order_of_variance() {
        let s = 1.0 / 2f64.sqrt();
        let a = [s, s, 0.0, 0.0]; // variance 9
        let b = [0.0, 0.0, 1.0, 0.0]; // variance 1
        let coords = [
            (3.0, 1.0),
            (-3.0, 1.0),
            (3.0, -1.0),
            (-3.0, -1.0),
            (0.0, 0.0),
        ];
        let x: Vec<f32> = coords
            .iter()
            .flat_map(|&(p, q)| (0..4).map(move |j| (p * a[j] + q * b[j] + 5.0) as f32))
            .collect();
        let out = project_2d(&x, 4).unwrap();
        for (i, &(p, q)) in coords.iter().enumerate() {
            // Axes are defined up to sign; the sign rule makes a's largest entry positive.
            assert!((out[2 * i].abs() - p.abs() as f32).abs() < 1e-4, "{out:?}");
            assert!(
                (out[2 * i + 1].abs() - q.abs() as f32).abs() < 1e-4,
                "{out:?}"
            );
        }
        // The same input gives the same picture.
        assert_eq!(project_2d(&x, 4).unwrap(), out);
    }

    #[test]
    fn degenerate_inputs_give_finite_points() {
        // Two rows: one direction of variance, none for the second axis.
        let out = project_2d(&[0.0, 0.0, 0.0, 1.0, 2.0, 3.0], 3).unwrap();
        assert!(out.iter().all(|v| v.is_finite()));
        let gap = (out[0] - out[2]).abs();
        assert!((gap - 14f32.sqrt()).abs() < 1e-4, "{out:?}");
        assert!(out[1].abs() < 1e-4 && out[3].abs() < 1e-4, "{out:?}");
    }
}
