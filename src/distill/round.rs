//! One round of progressive distillation (Salimans & Ho 2022, Algorithm 2): a student,
//! initialised from its teacher, learns to take in one step what the teacher takes in two.
//!
//! Each example: clean data x, a student step from level t to level s picked at random from
//! the student's grid, z_t = α_t x + σ_t ε, and the target x̃ whose single DDIM step from z_t
//! lands where two teacher steps land ([`two_step_target`]). The loss is
//! max(α_t²/σ_t², 1) ‖x̂_student(z_t) − x̃‖², the paper's "truncated SNR" weighting, which
//! stays finite at t = 1 where a v-predicting student still sees the data weighted by σ_t ≈ 1.
//! A round ends after a fixed number of steps, the learning rate warming up then decaying
//! along a cosine (the paper decays linearly to zero; [`RateSchedule`] keeps a small floor).
//!
//! For a model of words ([`Words`]) each example is also given its word and each part a
//! guidance scale w drawn from a range; the teacher is guided with it and the student, which
//! takes w as an input, learns the guided result (Meng et al. 2023, "On Distillation of Guided
//! Diffusion Models"). Their first stage, a student that matches its guided teacher at the
//! same levels in one pass instead of two, is a round that does not halve
//! ([`Round::matching`]).

use super::teacher::{GuidedRows, Teacher, Words};
use super::two_step_target;
use crate::check::check_range;
use crate::diffusion::guidance::MAX_GUIDANCE;
use crate::diffusion::prediction::Prediction;
use crate::nn::DenoisingNet;
use crate::sampler::{Denoiser, Level, NetworkDenoiser};
use crate::train::{BATCH_SIZES, RateSchedule, SupervisedTrainer};
use burn::tensor::{Int, Tensor};
use draws::StepDraws;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The most training steps a round may take.
pub const MAX_ROUND_STEPS: usize = 1_000_000;

/// How each round of distillation trains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundConfig {
    /// Adam's peak learning rate.
    pub learning_rate: f64,
    /// Examples per step.
    pub batch_size: usize,
    /// Optimiser steps per round.
    pub steps: usize,
}

impl RoundConfig {
    /// Checks the values, for configs that come from people.
    pub fn validate(&self) -> Result<(), String> {
        check_range("the learning rate", self.learning_rate, &(1e-6..=1.0))?;
        check_range("the batch size", self.batch_size, &BATCH_SIZES)?;
        check_range("the steps per round", self.steps, &(1..=MAX_ROUND_STEPS))?;
        Ok(())
    }

    /// The learning rate over a round: a warm-up of a twentieth of it, then the cosine decay.
    fn rate(&self) -> RateSchedule {
        RateSchedule {
            peak: self.learning_rate,
            warmup_steps: (self.steps / 20).max(1),
            total_steps: Some(self.steps),
        }
    }
}

mod draws;

/// A student being trained on its teacher, for one round.
pub struct Round<N: DenoisingNet<D>, const D: usize> {
    trainer: SupervisedTrainer<N>,
    teacher: Teacher<N, D>,
    /// The examples' words and the guidance to distil, for a model of words.
    words: Option<Words>,
    /// Whether the student halves the teacher's steps (else it matches the teacher at the same
    /// levels: guidance distillation's first stage).
    halves: bool,
    /// What the student predicts.
    prediction: Prediction,
    /// The teacher's levels, an even number of steps: the student steps from each even-numbered
    /// level to the next.
    teacher_plan: Vec<Level>,
    /// The clean data, on the plain device: `[n, ...]`.
    data: Tensor<D>,
    config: RoundConfig,
    /// Picks each part's student step.
    rng: StdRng,
    /// The draws of the step in progress, when it is taken in parts.
    pub(super) draws: Option<StepDraws<D>>,
}

impl<N: DenoisingNet<D>, const D: usize> Round<N, D> {
    /// A student initialised from `teacher` (on a plain device, predicting `prediction`), to
    /// halve `teacher_plan` (an even number of steps) on `data` (`[n, ...]`, on the teacher's
    /// device).
    pub fn from_teacher(
        teacher: &N,
        prediction: Prediction,
        teacher_plan: Vec<Level>,
        data: Tensor<D>,
        config: RoundConfig,
        seed: u64,
    ) -> Result<Self, String> {
        Self::halving(
            teacher.clone(),
            teacher.clone(),
            prediction,
            teacher_plan,
            data,
            config,
            seed,
        )
    }

    /// `student` (on a plain device) trained to halve the steps of the network `teacher` (as
    /// [`Round::from_teacher`], with a student of its own: one resumed from a file).
    pub fn halving(
        student: N,
        teacher: N,
        prediction: Prediction,
        teacher_plan: Vec<Level>,
        data: Tensor<D>,
        config: RoundConfig,
        seed: u64,
    ) -> Result<Self, String> {
        Self::with_teacher(
            student,
            prediction,
            Teacher::Network(teacher),
            teacher_plan,
            data,
            config,
            seed,
        )
    }

    /// This round resumed after `steps` of its steps (an interrupted run's): the learning rate
    /// goes on from there, with a fresh optimiser (its moments are not saved).
    pub fn resumed_at(mut self, steps: usize) -> Self {
        let student = self.trainer.model().clone();
        self.trainer = SupervisedTrainer::new(student, self.config.rate(), steps);
        self.rng = StdRng::seed_from_u64(self.rng.random::<u64>() ^ steps as u64);
        self.draws = None;
        self
    }

    /// `student` (on a plain device) trained to match the network `teacher` at the levels of
    /// `plan` rather than to halve its steps: with [`Round::with_words`], the first stage of
    /// guidance distillation, where `student` (the teacher with a guidance input) learns in
    /// one pass the teacher's guided output, which takes two.
    pub fn matching(
        student: N,
        teacher: N,
        prediction: Prediction,
        plan: Vec<Level>,
        data: Tensor<D>,
        config: RoundConfig,
        seed: u64,
    ) -> Result<Self, String> {
        let mut round = Self::halving(student, teacher, prediction, plan, data, config, seed)?;
        round.halves = false;
        Ok(round)
    }

    /// This round on a model of words: each example given its word (`words.labels`, one per
    /// row of the data), each part a guidance scale drawn from `words.guidance`.
    pub fn with_words(mut self, words: Words) -> Result<Self, String> {
        let n = self.data.dims()[0];
        if words.labels.dims()[0] != n {
            return Err(format!(
                "{} word labels for {n} examples: give one per example",
                words.labels.dims()[0]
            ));
        }
        let (lo, hi) = (*words.guidance.start(), *words.guidance.end());
        check_range("the lowest guidance", lo, &(0.0..=MAX_GUIDANCE))?;
        check_range("the highest guidance", hi, &(lo..=MAX_GUIDANCE))?;
        if let Teacher::Denoiser(_) = self.teacher {
            return Err("a closed-form teacher knows no words".into());
        }
        self.words = Some(words);
        Ok(self)
    }

    /// `student` (on a plain device, predicting `prediction`) trained on any `teacher`: a
    /// network, or a closed form. v-prediction only: an ε-predicting student's clean estimate at
    /// t ≈ 1 divides by α ≈ 0, which is why the paper distils v (its section 4).
    pub fn new(
        student: N,
        prediction: Prediction,
        teacher: Box<dyn Denoiser<D>>,
        teacher_plan: Vec<Level>,
        data: Tensor<D>,
        config: RoundConfig,
        seed: u64,
    ) -> Result<Self, String> {
        Self::with_teacher(
            student,
            prediction,
            Teacher::Denoiser(teacher),
            teacher_plan,
            data,
            config,
            seed,
        )
    }

    fn with_teacher(
        student: N,
        prediction: Prediction,
        teacher: Teacher<N, D>,
        teacher_plan: Vec<Level>,
        data: Tensor<D>,
        config: RoundConfig,
        seed: u64,
    ) -> Result<Self, String> {
        config.validate()?;
        if prediction != Prediction::V {
            return Err(
                "distillation needs a model that predicts v: one that predicts ε cannot \
                 estimate clean data from pure noise in one step (train the teacher with v)"
                    .into(),
            );
        }
        // A student that halves needs an even number of teacher steps (checked here for every
        // round: `matching` turns halving off after).
        let steps = teacher_plan.len().saturating_sub(1);
        if steps < 2 || !steps.is_multiple_of(2) {
            return Err(format!(
                "a student halves its teacher's steps: the teacher's {steps} steps must be even"
            ));
        }
        let device = data.device();
        device.seed(seed);
        let student = student.to_device(&device.clone().autodiff()).train();
        Ok(Self {
            trainer: SupervisedTrainer::new(student, config.rate(), 0),
            teacher,
            words: None,
            halves: true,
            prediction,
            teacher_plan,
            data,
            config,
            rng: StdRng::seed_from_u64(seed),
            draws: None,
        })
    }

    /// One optimiser update; returns its loss, not read back.
    pub fn step(&mut self) -> Tensor<1> {
        loop {
            if let Some(loss) = self.step_part(usize::MAX) {
                return loss;
            }
        }
    }

    /// Part of an update on the next (at most) `rows` examples of the batch; after the part
    /// that completes the batch, the update and the batch's loss. A step draws when it begins
    /// one student step (and, for words, one guidance scale) and its batch's examples and
    /// noise, and each part takes the next rows of them ([`StepDraws`]): a step in parts is the
    /// step in one piece, whatever the parts.
    pub fn step_part(&mut self, rows: usize) -> Option<Tensor<1>> {
        let batch = self.config.batch_size;
        let done = self.trainer.rows_done();
        let rows = rows.clamp(1, batch - done);
        if self.draws.is_none() {
            self.draws = Some(self.draw(batch));
        }
        let draws = self.draws.as_ref().expect("drawn when the step began");
        let (k, scale) = (draws.k, draws.scale);
        let idx = draws.idx.clone().narrow(0, done, rows);
        let eps = draws.eps.clone().narrow(0, done, rows);
        let stride = self.stride();
        let from = self.teacher_plan[stride * k];
        let (z, labels, target) = self.example(idx, eps, stride * k, scale);
        let prediction = self.prediction;
        // The truncated SNR weight max(α²/σ², 1).
        let weight = (from.alpha_bar / (1.0 - from.alpha_bar)).max(1.0);
        let loss = self.trainer.step_part(rows, batch, |student| {
            let z = z.autodiff();
            let device = z.device();
            let t = Tensor::<1>::full([rows], from.t, &device);
            let out = match (labels, scale) {
                (Some(labels), Some(w)) => student.denoise_guided(
                    z.clone(),
                    t,
                    labels.autodiff(),
                    Tensor::full([rows], w, &device),
                ),
                _ => student.denoise(z.clone(), t, None),
            };
            let estimate = prediction.to_x0(out, z, &from.alpha(), &from.sigma());
            (estimate - target.autodiff())
                .square()
                .mean()
                .mul_scalar(weight)
        });
        if loss.is_some() {
            self.draws = None;
        }
        loss
    }

    /// The examples `idx` noised by `eps` to the teacher's level `at`, their words (for a
    /// model of words) and their targets, on the plain device: where two teacher steps from
    /// `at` take them (the teacher guided with `scale`), as a clean estimate; or for a round
    /// that does not halve, the teacher's own estimate.
    fn example(
        &self,
        idx: Tensor<1, Int>,
        eps: Tensor<D>,
        at: usize,
        scale: Option<f64>,
    ) -> (Tensor<D>, Option<Tensor<1, Int>>, Tensor<D>) {
        let x0 = self.data.clone().select(0, idx.clone());
        let labels = self.words.as_ref().map(|w| w.labels.clone().select(0, idx));
        let from = self.teacher_plan[at];
        let z = x0.mul_scalar(from.alpha()) + eps.mul_scalar(from.sigma());
        let guided;
        let plain;
        let teacher: &dyn Denoiser<D> = match (&self.teacher, &labels, scale) {
            (Teacher::Network(network), Some(labels), Some(scale)) => {
                guided = GuidedRows {
                    network,
                    prediction: self.prediction,
                    labels: labels.clone(),
                    scale,
                };
                &guided
            }
            (Teacher::Network(network), _, _) => {
                plain = NetworkDenoiser::new(network, self.prediction);
                &plain
            }
            (Teacher::Denoiser(denoiser), _, _) => denoiser.as_ref(),
        };
        let target = if self.halves {
            let levels = [from, self.teacher_plan[at + 1], self.teacher_plan[at + 2]];
            two_step_target(teacher, z.clone(), levels)
        } else {
            teacher.estimate(z.clone(), from).0
        };
        (z, labels, target)
    }

    /// The student's steps: half the teacher's (or as many, for a round that does not halve).
    pub fn student_steps(&self) -> usize {
        (self.teacher_plan.len() - 1) / self.stride()
    }

    /// The levels the student visits: every other level of its teacher's (or all of them).
    pub fn student_plan(&self) -> Vec<Level> {
        self.teacher_plan
            .iter()
            .copied()
            .step_by(self.stride())
            .collect()
    }

    /// Teacher levels per student step: 2 for a round that halves, else 1.
    fn stride(&self) -> usize {
        if self.halves { 2 } else { 1 }
    }

    /// The student as trained so far, on the plain device (to sample with, or to teach the
    /// next round).
    pub fn student(&self) -> N {
        self.trainer.model().valid()
    }

    /// Optimiser steps taken this round.
    pub fn steps_done(&self) -> usize {
        self.trainer.steps_done()
    }

    /// Whether the round has taken its steps.
    pub fn is_done(&self) -> bool {
        self.steps_done() >= self.config.steps
    }
}
