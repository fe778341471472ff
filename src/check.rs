//! The one check of a value against the range it is allowed, with the message a person reads:
//! every config's `validate` and the playground's checks use it, so a range is written once,
//! next to what it limits, and its message always names the value, the range and the culprit.
//!
//! And the checks of numbers from JavaScript (doubles all), before any range: a count must be a
//! whole number, a value finite, a seed an integer a double holds exactly. The page's facade
//! (`crate::web`) calls them; they live here so that native tests reach them.

use std::fmt::Display;
use std::ops::RangeInclusive;

/// `Ok` when `value` lies in `range`; otherwise an error such as "the batch size must be
/// between 1 and 8192, not 0". NaN lies in no range.
pub fn check_range<T: PartialOrd + Display>(
    what: &str,
    value: T,
    range: &RangeInclusive<T>,
) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{what} must be between {} and {}, not {value}",
            range.start(),
            range.end()
        ))
    }
}

/// A count from JavaScript: a whole number, 0 or more (JavaScript numbers are doubles: NaN,
/// 2.5 and -1 are refused here rather than silently converted). Only the type is checked
/// here; the library checks the range, in one place. Counts beyond what this machine's
/// `usize` holds become `usize::MAX`, which every range refuses.
pub fn count(what: &str, value: f64) -> Result<usize, String> {
    if value.is_nan() || value.fract() != 0.0 || value < 0.0 {
        return Err(format!("{what} must be a whole number, not {value}"));
    }
    Ok(value as usize) // `as` saturates
}

/// A whole number from JavaScript in `min..=max`, for values no library function checks (the
/// canvas's size).
pub fn whole(what: &str, value: f64, min: usize, max: usize) -> Result<usize, String> {
    if value.fract() != 0.0 || !(min as f64..=max as f64).contains(&value) {
        return Err(format!(
            "{what} must be a whole number from {min} to {max}, not {value}"
        ));
    }
    Ok(value as usize)
}

/// A finite number from JavaScript.
pub fn number(what: &str, value: f64) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("{what} must be a finite number, not {value}"))
    }
}

/// A seed: a whole number from 0 to 2⁵³ - 1 (the integers a JavaScript number holds exactly).
pub fn seed(value: f64) -> Result<u64, String> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.fract() != 0.0 || !(0.0..=MAX_SAFE).contains(&value) {
        return Err(format!(
            "a seed must be a whole number from 0 to 2^53 - 1, not {value}"
        ));
    }
    Ok(value as u64)
}

#[cfg(test)]
mod tests {
    use super::check_range;

    #[test]
    fn the_ends_are_allowed_and_the_message_names_everything() {
        assert_eq!(check_range("the width", 8, &(8..=1024)), Ok(()));
        assert_eq!(check_range("the width", 1024, &(8..=1024)), Ok(()));
        assert_eq!(
            check_range("the width", 7, &(8..=1024)),
            Err("the width must be between 8 and 1024, not 7".to_string())
        );
        assert_eq!(
            check_range("guidance", 20.5, &(0.0..=20.0)),
            Err("guidance must be between 0 and 20, not 20.5".to_string())
        );
    }

    #[test]
    fn nan_is_outside_every_range() {
        assert_eq!(
            check_range("t", f64::NAN, &(0.0..=1.0)),
            Err("t must be between 0 and 1, not NaN".to_string())
        );
    }
}
