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

use super::two_step_target;
use crate::check::check_range;
use crate::diffusion::prediction::Prediction;
use crate::nn::DenoisingNet;
use crate::sampler::{Denoiser, Level, NetworkDenoiser};
use crate::train::{BATCH_SIZES, RateSchedule, SupervisedTrainer};
use burn::tensor::{Distribution, Int, Tensor};
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

/// A student being trained on its teacher, for one round.
pub struct Round<N: DenoisingNet<D>, const D: usize> {
    trainer: SupervisedTrainer<N>,
    /// The frozen teacher, on the plain device.
    teacher: Box<dyn Denoiser<D>>,
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
    ) -> Result<Self, String>
    where
        N: 'static,
    {
        let frozen = Frozen {
            network: teacher.clone(),
            prediction,
        };
        Self::new(
            teacher.clone(),
            prediction,
            Box::new(frozen),
            teacher_plan,
            data,
            config,
            seed,
        )
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
        config.validate()?;
        if prediction != Prediction::V {
            return Err(
                "distillation needs a model that predicts v: one that predicts ε cannot \
                 estimate clean data from pure noise in one step (train the teacher with v)"
                    .into(),
            );
        }
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
            prediction,
            teacher_plan,
            data,
            config,
            rng: StdRng::seed_from_u64(seed),
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

    /// Part of an update on the next (at most) `rows` examples of the batch, all for one
    /// student step picked at random; after the part that completes the batch, the update and
    /// the batch's loss.
    pub fn step_part(&mut self, rows: usize) -> Option<Tensor<1>> {
        let batch = self.config.batch_size;
        let rows = rows.clamp(1, batch - self.trainer.rows_done());
        let k = self.rng.random_range(0..self.student_steps());
        let levels = [
            self.teacher_plan[2 * k],
            self.teacher_plan[2 * k + 1],
            self.teacher_plan[2 * k + 2],
        ];
        let (z, target) = self.example(rows, levels);
        let from = levels[0];
        let prediction = self.prediction;
        // The truncated SNR weight max(α²/σ², 1).
        let weight = (from.alpha_bar / (1.0 - from.alpha_bar)).max(1.0);
        self.trainer.step_part(rows, batch, |student| {
            let z = z.autodiff();
            let t = Tensor::<1>::full([rows], from.t, &z.device());
            let out = student.denoise(z.clone(), t, None);
            let estimate = prediction.to_x0(out, z, &from.alpha(), &from.sigma());
            (estimate - target.autodiff())
                .square()
                .mean()
                .mul_scalar(weight)
        })
    }

    /// `rows` fresh noisy examples at `levels[0]` and their targets: where two teacher steps
    /// through `levels` take them, as a clean estimate (on the plain device).
    fn example(&self, rows: usize, levels: [Level; 3]) -> (Tensor<D>, Tensor<D>) {
        let device = self.data.device();
        let dims = self.data.dims();
        let n = dims[0];
        let idx = Tensor::<1, Int>::random([rows], Distribution::Uniform(0.0, n as f64), &device)
            .clamp(0, n as i64 - 1);
        let x0 = self.data.clone().select(0, idx);
        let mut shape = dims;
        shape[0] = rows;
        let eps = Tensor::<D>::random(shape, Distribution::Normal(0.0, 1.0), &device);
        let from = levels[0];
        let z = x0.mul_scalar(from.alpha()) + eps.mul_scalar(from.sigma());
        let target = two_step_target(self.teacher.as_ref(), z.clone(), levels);
        (z, target)
    }

    /// The student's steps: half the teacher's.
    pub fn student_steps(&self) -> usize {
        (self.teacher_plan.len() - 1) / 2
    }

    /// The levels the student visits: every other level of its teacher's.
    pub fn student_plan(&self) -> Vec<Level> {
        self.teacher_plan.iter().copied().step_by(2).collect()
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

/// A network that owns itself as a denoiser: the teacher a round keeps.
struct Frozen<N> {
    network: N,
    prediction: Prediction,
}

impl<N: DenoisingNet<D>, const D: usize> Denoiser<D> for Frozen<N> {
    fn prediction(&self) -> Prediction {
        self.prediction
    }

    fn predict(&self, x: Tensor<D>, level: Level) -> Tensor<D> {
        NetworkDenoiser::new(&self.network, self.prediction).predict(x, level)
    }
}
