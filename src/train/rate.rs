//! The learning-rate schedule every trainer uses: linear warm-up, then cosine decay
//! (Loshchilov & Hutter 2017) to a small floor.

/// The learning rate's floor at the end of the cosine decay, as a fraction of its peak (a small
/// floor rather than zero, as in timm's `min_lr` and tiny-diffusion's schedule: the last steps
/// still move the moving average).
pub const FINAL_RATE_FRACTION: f64 = 0.05;

/// A learning rate that warms up linearly over `warmup_steps`, then (when `total_steps` is
/// set) decays along a cosine to [`FINAL_RATE_FRACTION`] of its peak at `total_steps`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSchedule {
    /// The peak rate.
    pub peak: f64,
    /// Steps of linear warm-up.
    pub warmup_steps: usize,
    /// Where the cosine decay ends, if anywhere.
    pub total_steps: Option<usize>,
}

impl RateSchedule {
    /// The learning rate at `step` (0-based).
    pub fn at(&self, step: usize) -> f64 {
        let warm = ((step + 1) as f64 / self.warmup_steps.max(1) as f64).min(1.0);
        let decay = match self.total_steps {
            Some(total) if total > self.warmup_steps => {
                let p = ((step.saturating_sub(self.warmup_steps)) as f64
                    / (total - self.warmup_steps) as f64)
                    .min(1.0);
                let cosine = 0.5 * (1.0 + (std::f64::consts::PI * p).cos());
                FINAL_RATE_FRACTION + (1.0 - FINAL_RATE_FRACTION) * cosine
            }
            _ => 1.0,
        };
        self.peak * warm * decay
    }
}
