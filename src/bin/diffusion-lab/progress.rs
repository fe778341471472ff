//! Progress of a long training run: a bar with the loss, images per second and time left on a
//! terminal, and a plain line every half minute when the output goes to a log file.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// How often the message (which may read a loss back) is refreshed, in steps.
const MESSAGE_EVERY: usize = 20;
/// How often a line is printed when there is no terminal.
const LOG_EVERY: Duration = Duration::from_secs(30);

/// A training run's progress from step `first` to `total`.
pub struct Progress {
    bar: ProgressBar,
    batch: usize,
    unit: &'static str,
    first: usize,
    total: usize,
    start: Instant,
    last_log: Instant,
    message: String,
}

impl Progress {
    /// A run at step `first` of `total`, `batch` items (called `unit`) per step.
    pub fn new(first: usize, total: usize, batch: usize, unit: &'static str) -> Self {
        let bar = ProgressBar::new(total as u64).with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} steps, {msg} [{elapsed} < {eta}]")
                .expect("a valid template"),
        );
        bar.set_position(first as u64);
        Self {
            bar,
            batch,
            unit,
            first,
            total,
            start: Instant::now(),
            last_log: Instant::now(),
            message: String::new(),
        }
    }

    /// Step `done` is finished; `message` (e.g. the loss) is asked for now and then.
    pub fn step(&mut self, done: usize, message: impl FnOnce() -> String) {
        let ran = done - self.first;
        if ran % MESSAGE_EVERY == 1 || done == self.total {
            let rate = (ran * self.batch) as f64 / self.seconds().max(1e-9);
            self.message = format!("{}, {rate:.0} {}/s", message(), self.unit);
            self.bar.set_message(self.message.clone());
        }
        self.bar.set_position(done as u64);
        if self.bar.is_hidden() && self.last_log.elapsed() > LOG_EVERY {
            let left = self.seconds() / ran as f64 * (self.total - done) as f64;
            println!(
                "step {done}/{}: {} ({:.0} s, about {left:.0} s left)",
                self.total,
                self.message,
                self.seconds()
            );
            self.last_log = Instant::now();
        }
    }

    /// The run is over.
    pub fn finish(&self) {
        self.bar.finish();
    }

    /// Seconds since the run (or its resumption) started.
    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}
