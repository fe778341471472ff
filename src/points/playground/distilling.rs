//! Distillation in the playground: the trained model (its moving average) teaches students
//! that sample in fewer steps ([`crate::distill`]), round after round, in whole steps
//! (natively, on WebGPU) or in parts (the page's CPU path). The students sample through the
//! usual requests with the sampler `student`.

use super::{MAX_TRAIN_STEPS, Playground};
use crate::check::check_range;
use crate::checkpoint;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::schedule::NoiseSchedule;
use crate::distill::{Distillation, RoundConfig, StudentSteps};
use crate::points::{MlpDenoiser, PointsCard};
use crate::sampler::Level;
use burn::tensor::Tensor;

/// What a person chooses for a distillation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistillSettings {
    /// The teacher's steps (DDIM), a power of two: 64 by default.
    pub from_steps: usize,
    /// The last student's steps, a power of two below `from_steps`: 1 by default.
    pub to_steps: usize,
    /// Optimiser steps per round.
    pub steps_per_round: usize,
    /// Adam's peak learning rate.
    pub learning_rate: f64,
    /// Examples per step.
    pub batch_size: usize,
}

impl Default for DistillSettings {
    /// 64 → 32 → … → 1 in rounds of 200 steps of 256 examples, learning rate 10⁻³: in the
    /// page on the CPU, about a minute per round.
    fn default() -> Self {
        Self {
            from_steps: 64,
            to_steps: 1,
            steps_per_round: 200,
            learning_rate: 1e-3,
            batch_size: 256,
        }
    }
}

impl DistillSettings {
    /// The teacher's and the last student's steps.
    pub fn student_steps(&self) -> StudentSteps {
        StudentSteps {
            steps: self.to_steps,
            teacher_steps: self.from_steps,
        }
    }

    /// The number of rounds, after checking every value.
    pub fn rounds(&self) -> Result<u32, String> {
        let rounds = self.student_steps().rounds()?;
        check_range(
            "the steps per round",
            self.steps_per_round,
            &(1..=MAX_TRAIN_STEPS),
        )?;
        self.round_config().validate()?;
        Ok(rounds)
    }

    fn round_config(&self) -> RoundConfig {
        RoundConfig {
            learning_rate: self.learning_rate,
            batch_size: self.batch_size,
            steps: self.steps_per_round,
        }
    }
}

/// Where a distillation stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistillProgress {
    /// The round in progress, 1-based (the last one once done).
    pub round: u32,
    /// The rounds in all.
    pub rounds: u32,
    /// Steps taken in the round in progress.
    pub steps: usize,
    /// Steps per round.
    pub steps_per_round: usize,
    /// The teacher's sampling steps.
    pub from_steps: usize,
    /// Whether every round is done.
    pub done: bool,
}

impl Playground {
    /// Starts distilling the trained model (its moving average) as `settings` say, forgetting
    /// an earlier distillation and its students.
    pub fn start_distillation(&mut self, settings: DistillSettings) -> Result<(), String> {
        let rounds = settings.rounds()?;
        let device = self.device.clone();
        let seed = self.seed;
        let data = Tensor::<2>::from_data(self.data.train_data(), &device);
        let trainer = self.trainer()?;
        if trainer.model_config().words.is_some() {
            return Err(
                "distilling a model of words is not done yet: distil a model of one shape \
                 (guided students come with the image models)"
                    .into(),
            );
        }
        if trainer.steps_done() == 0 {
            return Err("train the model first: an untrained teacher teaches nothing".into());
        }
        let base = settings.student_steps().teacher_plan(trainer.schedule())?;
        let teacher = trainer.ema_model().clone();
        let prediction = trainer.config().prediction;
        self.distillation = Some(Distillation::new(
            &teacher,
            prediction,
            base,
            rounds,
            data,
            settings.round_config(),
            seed,
        )?);
        self.distill_settings = settings;
        self.loaded_student = None;
        Ok(())
    }

    fn distillation(&mut self) -> Result<&mut Distillation<MlpDenoiser, 2>, String> {
        self.distillation
            .as_mut()
            .ok_or_else(|| "there is no distillation: start one after training".to_string())
    }

    /// Part of a distillation step of at most `max_rows` examples (the batch split into parts
    /// of about the same size); the step's loss, not read back, once its last part is done;
    /// nothing once every round is done.
    pub fn distill_part(&mut self, max_rows: usize) -> Result<Option<Tensor<1>>, String> {
        let batch = self.distill_settings.batch_size;
        let parts = batch.div_ceil(max_rows.max(1));
        Ok(self.distillation()?.step_part(batch.div_ceil(parts)))
    }

    /// Takes up to `steps` distillation steps (fewer if the last round ends first); returns
    /// their mean loss, not read back, or nothing if every round was already done.
    pub fn distill(&mut self, steps: usize) -> Result<Option<Tensor<1>>, String> {
        Self::check_train_steps(steps)?;
        let distillation = self.distillation()?;
        let mut taken: Vec<Tensor<1>> = Vec::new();
        while taken.len() < steps {
            match distillation.step() {
                Some(loss) => taken.push(loss),
                None => break,
            }
        }
        let n = taken.len();
        Ok((n > 0).then(|| Tensor::cat(taken, 0).sum().div_scalar(n as f64)))
    }

    /// Where the distillation stands, if one was started.
    pub fn distill_progress(&self) -> Option<DistillProgress> {
        let d = self.distillation.as_ref()?;
        let (round, steps) = d.progress();
        Some(DistillProgress {
            round,
            rounds: d.rounds(),
            steps,
            steps_per_round: self.distill_settings.steps_per_round,
            from_steps: self.distill_settings.from_steps,
            done: d.is_done(),
        })
    }

    /// The students at hand, first round first, each with the levels it samples on: the
    /// distillation's finished rounds, or the student loaded from a file.
    fn students(&self) -> Result<Vec<(&MlpDenoiser, Vec<Level>)>, String> {
        if let Some((student, card)) = &self.loaded_student {
            let steps = card.student.ok_or("a loaded student has its steps")?;
            let schedule =
                NoiseSchedule::new(card.train.schedule.schedule(), card.train.timesteps)?;
            return Ok(vec![(student, steps.plan(&schedule)?)]);
        }
        Ok(self
            .distillation
            .as_ref()
            .map_or(Vec::new(), |d| d.students().collect()))
    }

    /// The sampling steps of the students at hand, first round first.
    pub fn student_steps(&self) -> Vec<usize> {
        self.students().map_or(Vec::new(), |students| {
            students.iter().map(|(_, plan)| plan.len() - 1).collect()
        })
    }

    /// The student that samples in `steps` steps, its levels and what it predicts.
    pub(super) fn student(
        &self,
        steps: usize,
    ) -> Result<(MlpDenoiser, Vec<Level>, Prediction), String> {
        let students = self.students()?;
        let found = students
            .into_iter()
            .find(|(_, plan)| plan.len() - 1 == steps);
        match found {
            Some((student, plan)) => Ok((
                student.clone(),
                plan,
                self.student_card(steps)?.train.prediction,
            )),
            None => Err(match self.student_steps()[..] {
                [] if self.distillation.is_some() => {
                    "no student is ready yet: the first round of distillation is not done".into()
                }
                [] => "there is no student yet: train the model, then distil it".into(),
                ref have => format!(
                    "no student samples in {steps} steps: the students at hand take {}",
                    have.iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// The card of the student that samples in `steps` steps (as `distill-2d` writes it).
    fn student_card(&self, steps: usize) -> Result<PointsCard, String> {
        if let Some((_, card)) = &self.loaded_student {
            return Ok(card.clone());
        }
        let trainer = self.trainer.as_ref().ok_or("there is no model")?;
        Ok(self.card(trainer).with_student(Some(StudentSteps {
            steps,
            teacher_steps: self.distill_settings.from_steps,
        })))
    }

    /// The student that samples in `steps` steps and its card, for export: a file that
    /// `sample-2d` samples from and [`Playground::import`] loads back.
    pub fn student_and_card(&self, steps: usize) -> Result<(MlpDenoiser, PointsCard), String> {
        let (student, _, _) = self.student(steps)?;
        Ok((student, self.student_card(steps)?))
    }

    /// Loads a student's file (as [`Playground::student_and_card`] or `distill-2d` write it)
    /// in place of the students at hand, keeping the model; its steps, or `None` when the
    /// file holds a trained model rather than a student. A bad file changes nothing.
    pub(super) fn import_student(&mut self, bytes: &[u8]) -> Result<Option<usize>, String> {
        let (network, card) = checkpoint::from_bytes::<PointsCard>(bytes, &self.device)?;
        let Some(steps) = card.student else {
            return Ok(None);
        };
        if card.model.words.is_some() {
            return Err("this student draws words, which the playground's students do not".into());
        }
        self.distillation = None;
        self.loaded_student = Some((network, card));
        Ok(Some(steps.steps))
    }
}

#[cfg(test)]
mod tests;
