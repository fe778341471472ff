//! Distillation: students that sample in a few steps what their teacher samples in many.
//!
//! Progressive distillation (Salimans & Ho 2022, "Progressive distillation for fast sampling of
//! diffusion models"): a student, initialised from its teacher, learns to take in one
//! deterministic step what the teacher takes in two, so each round halves the number of steps
//! (64 → 32 → … → 1), and the student of one round teaches the next. Both sample on levels of
//! the first teacher's grid: the student of round r on every 2^r-th of them
//! ([`student_plan`]), so its steps are fixed by its rounds.

use crate::sampler::{Denoiser, Level, first_order_step, first_order_target};
use burn::tensor::Tensor;

/// The levels the student of round `round` visits, from `base`, the first teacher's plan of N
/// steps (N + 1 levels, clean data last): every 2^round-th level, N / 2^round steps. N must be
/// a multiple of 2^round.
pub fn student_plan(base: &[Level], round: u32) -> Result<Vec<Level>, String> {
    let steps = base.len().saturating_sub(1);
    let stride = 1usize.checked_shl(round).unwrap_or(0);
    if steps == 0 || stride == 0 || !steps.is_multiple_of(stride) {
        return Err(format!(
            "{round} rounds of distillation halve {steps} steps {round} times: the teacher's \
             steps must be a multiple of 2^{round}"
        ));
    }
    Ok(base.iter().copied().step_by(stride).collect())
}

/// What a student step from `from` to `to` at `x` is trained towards: the teacher takes two
/// deterministic DDIM steps, `from` → `mid` → `to`, and the target is the clean estimate whose
/// single step from `x` lands where the teacher landed ([`first_order_target`]).
pub fn two_step_target<const D: usize>(
    teacher: &dyn Denoiser<D>,
    x: Tensor<D>,
    [from, mid, to]: [Level; 3],
) -> Tensor<D> {
    let (x0, _) = teacher.estimate(x.clone(), from);
    let x_mid = first_order_step(x.clone(), x0, from, mid);
    let (x0_mid, _) = teacher.estimate(x_mid.clone(), mid);
    let x_to = first_order_step(x_mid, x0_mid, mid, to);
    first_order_target(x, x_to, from, to)
}

#[cfg(test)]
mod tests;
