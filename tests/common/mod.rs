//! What the command-line tests share: running the binary and reading what it printed.

use std::process::{Command, Output};

/// Runs `diffusion-lab` with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_diffusion-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Everything it printed, standard output then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
