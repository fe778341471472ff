//! The one check of a value against the range it is allowed, with the message a person reads:
//! every config's `validate` and the playground's checks use it, so a range is written once,
//! next to what it limits, and its message always names the value, the range and the culprit.

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
