//! Timestep spacing: which of the T training timesteps a sampler with fewer steps visits.
//!
//! The three options of diffusers (table 2 of Lin et al. 2024, "Common Diffusion Noise
//! Schedules and Sample Steps are Flawed", explains why `trailing` is the one that starts at
//! the last timestep and so sees pure noise).

/// How to pick `n` of the `T` training timesteps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spacing {
    /// `round(linspace(0, T - 1, n))`, descending: includes both ends.
    Linspace,
    /// `k · (T div n)` for k = n-1 down to 0 (DDIM's original spacing).
    Leading,
    /// `round(T - k · T/n) - 1` for k = 0..n: starts at T - 1.
    #[default]
    Trailing,
}

impl Spacing {
    /// Parses `linspace`, `leading` or `trailing`.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "linspace" => Ok(Self::Linspace),
            "leading" => Ok(Self::Leading),
            "trailing" => Ok(Self::Trailing),
            other => Err(format!(
                "unknown timestep spacing {other:?}: use linspace, leading or trailing"
            )),
        }
    }

    /// The visited timestep indices, descending, for `n` sampling steps out of `t` (1 ≤ n ≤ t).
    pub fn timesteps(self, t: usize, n: usize) -> Result<Vec<usize>, String> {
        if n == 0 || n > t {
            return Err(format!(
                "the number of sampling steps must be between 1 and {t} (the schedule's T), not {n}"
            ));
        }
        Ok(match self {
            Self::Linspace => crate::diffusion::schedule::linspace(0.0, (t - 1) as f64, n)
                .into_iter()
                .rev()
                .map(|x| round_half_even(x) as usize)
                .collect(),
            Self::Leading => (0..n).rev().map(|k| k * (t / n)).collect(),
            Self::Trailing => {
                let ratio = t as f64 / n as f64;
                (0..n)
                    .map(|k| round_half_even(t as f64 - k as f64 * ratio) as usize - 1)
                    .collect()
            }
        })
    }
}

/// numpy's `round`: halves go to the even neighbour.
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Timesteps of diffusers' `DDIMScheduler.set_timesteps` (steps_offset 0) for T = 1000,
    /// computed with its numpy expressions.
    #[test]
    fn timesteps_match_diffusers() {
        let cases: [(Spacing, usize, &[usize]); 9] = [
            (
                Spacing::Linspace,
                10,
                &[999, 888, 777, 666, 555, 444, 333, 222, 111, 0],
            ),
            (
                Spacing::Leading,
                10,
                &[900, 800, 700, 600, 500, 400, 300, 200, 100, 0],
            ),
            (
                Spacing::Trailing,
                10,
                &[999, 899, 799, 699, 599, 499, 399, 299, 199, 99],
            ),
            (Spacing::Linspace, 7, &[999, 832, 666, 500, 333, 166, 0]),
            (Spacing::Leading, 7, &[852, 710, 568, 426, 284, 142, 0]),
            (Spacing::Trailing, 7, &[999, 856, 713, 570, 428, 285, 142]),
            (Spacing::Linspace, 3, &[999, 500, 0]),
            (Spacing::Leading, 3, &[666, 333, 0]),
            (Spacing::Trailing, 3, &[999, 666, 332]),
        ];
        for (spacing, n, want) in cases {
            assert_eq!(
                spacing.timesteps(1000, n).unwrap(),
                want,
                "{spacing:?} n={n}"
            );
        }
    }

    #[test]
    fn bad_step_counts_are_explained() {
        assert!(Spacing::Trailing.timesteps(1000, 0).is_err());
        let err = Spacing::Leading.timesteps(50, 51).unwrap_err();
        assert!(err.contains("between 1 and 50"), "{err}");
        assert_eq!(
            Spacing::Trailing.timesteps(5, 5).unwrap(),
            vec![4, 3, 2, 1, 0]
        );
        assert!(Spacing::parse("uniform").unwrap_err().contains("trailing"));
    }

    #[test]
    fn rounding_is_numpys() {
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
        assert_eq!(round_half_even(2.4), 2.0);
        assert_eq!(round_half_even(832.5), 832.0);
    }
}
