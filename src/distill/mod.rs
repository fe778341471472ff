//! Distillation: students that sample in a few steps what their teacher samples in many.
//!
//! Progressive distillation (Salimans & Ho 2022, "Progressive distillation for fast sampling of
//! diffusion models"): a student, initialised from its teacher, learns to take in one
//! deterministic step what the teacher takes in two, so each round halves the number of steps
//! (64 → 32 → … → 1), and the student of one round teaches the next. Both sample on levels of
//! the first teacher's grid: the student of round r on every 2^r-th of them
//! ([`student_plan`]), so its steps are fixed by its rounds.
//!
//! - [`round`]: one round, a student trained on its frozen teacher;
//! - [`teacher`]: what a round learns from, with the words and guidance of a model of words;
//! - [`Distillation`]: the rounds one after the other, keeping every round's student.

mod round;
mod teacher;

pub use round::{MAX_ROUND_STEPS, Round, RoundConfig};
pub use teacher::Words;

use crate::check::check_range;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::schedule::NoiseSchedule;
use crate::diffusion::spacing::Spacing;
use crate::nn::DenoisingNet;
use crate::sampler::{Denoiser, Level, first_order_step, first_order_target, plan};
use burn::config::Config;
use burn::tensor::Tensor;

/// The most rounds: 2^6 = 64 teacher steps down to 1.
pub const MAX_ROUNDS: u32 = 6;

/// The steps a student samples in, and its first teacher's: the student samples with DDIM on
/// every (`teacher_steps` / `steps`)-th level of its teacher's grid (the schedule's trailing
/// spacing), after log₂ of that many rounds. A student's card says it.
#[derive(Config, Copy, Debug, PartialEq)]
pub struct StudentSteps {
    /// The student's sampling steps, a power of two.
    pub steps: usize,
    /// The first teacher's, a larger power of two (at most 2^[`MAX_ROUNDS`]).
    pub teacher_steps: usize,
}

impl StudentSteps {
    /// The rounds from the teacher to the student, after checking both step counts.
    pub fn rounds(&self) -> Result<u32, String> {
        let most = 1usize << MAX_ROUNDS;
        check_range("the teacher's steps", self.teacher_steps, &(2..=most))?;
        check_range("the student's steps", self.steps, &(1..=most / 2))?;
        if !self.teacher_steps.is_power_of_two() || !self.steps.is_power_of_two() {
            return Err(format!(
                "each round halves the steps: the teacher's ({}) and the student's ({}) must \
                 be powers of two",
                self.teacher_steps, self.steps
            ));
        }
        if self.steps >= self.teacher_steps {
            return Err(format!(
                "the student ({} steps) must take fewer steps than its teacher ({})",
                self.steps, self.teacher_steps
            ));
        }
        Ok((self.teacher_steps / self.steps).ilog2())
    }

    /// The first teacher's levels on `schedule`.
    pub fn teacher_plan(&self, schedule: &NoiseSchedule) -> Result<Vec<Level>, String> {
        plan(schedule, Spacing::Trailing, self.teacher_steps)
    }

    /// The levels the student samples on.
    pub fn plan(&self, schedule: &NoiseSchedule) -> Result<Vec<Level>, String> {
        student_plan(&self.teacher_plan(schedule)?, self.rounds()?)
    }
}

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

/// Progressive distillation of a network over several rounds: the teacher samples on `base`
/// (N steps), the student of round r (1-based) on N / 2^r of them.
pub struct Distillation<N: DenoisingNet<D>, const D: usize> {
    base: Vec<Level>,
    rounds: u32,
    round: Round<N, D>,
    /// Each finished round's student, on the plain device.
    students: Vec<N>,
    prediction: Prediction,
    data: Tensor<D>,
    config: RoundConfig,
    seed: u64,
}

impl<N: DenoisingNet<D> + 'static, const D: usize> Distillation<N, D> {
    /// Distils `teacher` (on a plain device, predicting `prediction`, sampled on `base`) for
    /// `rounds` rounds of `config` on `data` (`[n, ...]`, on the teacher's device).
    pub fn new(
        teacher: &N,
        prediction: Prediction,
        base: Vec<Level>,
        rounds: u32,
        data: Tensor<D>,
        config: RoundConfig,
        seed: u64,
    ) -> Result<Self, String> {
        check_range("the rounds of distillation", rounds, &(1..=MAX_ROUNDS))?;
        student_plan(&base, rounds)?;
        let round = Round::from_teacher(
            teacher,
            prediction,
            base.clone(),
            data.clone(),
            config,
            seed,
        )?;
        Ok(Self {
            base,
            rounds,
            round,
            students: Vec::new(),
            prediction,
            data,
            config,
            seed,
        })
    }

    /// Part of a step of the round in progress ([`Round::step_part`]); after the step that
    /// ends a round, its student teaches the next. Nothing once every round is done.
    pub fn step_part(&mut self, rows: usize) -> Option<Tensor<1>> {
        if self.is_done() {
            return None;
        }
        let loss = self.round.step_part(rows)?;
        if self.round.is_done() {
            let student = self.round.student();
            let r = self.students.len() as u32 + 1;
            if r < self.rounds {
                self.round = Round::from_teacher(
                    &student,
                    self.prediction,
                    student_plan(&self.base, r).expect("checked for every round at the start"),
                    self.data.clone(),
                    self.config,
                    self.seed + r as u64,
                )
                .expect("the same settings as the first round");
            }
            self.students.push(student);
        }
        Some(loss)
    }

    /// One step of the round in progress, whole; nothing once every round is done.
    pub fn step(&mut self) -> Option<Tensor<1>> {
        loop {
            if self.is_done() {
                return None;
            }
            if let Some(loss) = self.step_part(usize::MAX) {
                return Some(loss);
            }
        }
    }

    /// Whether every round is done.
    pub fn is_done(&self) -> bool {
        self.students.len() as u32 >= self.rounds
    }

    /// The rounds in all.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// The round in progress (1-based; the last one once all are done) and its steps taken.
    pub fn progress(&self) -> (u32, usize) {
        if self.is_done() {
            (self.rounds, self.config.steps)
        } else {
            (self.students.len() as u32 + 1, self.round.steps_done())
        }
    }

    /// The students of the finished rounds, first round first, each with the levels it
    /// samples on.
    pub fn students(&self) -> impl Iterator<Item = (&N, Vec<Level>)> {
        self.students.iter().zip(1..).map(|(student, r)| {
            let plan = student_plan(&self.base, r).expect("checked at the start");
            (student, plan)
        })
    }
}

#[cfg(test)]
mod tests;
