//! The playground's model to and from `.dlab` files: the moving-average model with its card
//! for export, and a file's model (or student) brought in.

use super::Playground;
use crate::checkpoint;
use crate::points::{MlpDenoiser, PointTrainer, PointsCard};

impl Playground {
    /// The moving-average model and its card, for export.
    pub fn model_and_card(&mut self) -> Result<(&MlpDenoiser, PointsCard), String> {
        self.trainer()?;
        let trainer = self.trainer.as_ref().expect("just made");
        Ok((trainer.ema_model(), self.card(trainer)))
    }

    /// The card of `trainer`'s model, trained on the current data.
    pub(super) fn card(&self, trainer: &PointTrainer) -> PointsCard {
        PointsCard::new(
            trainer.model_config().clone(),
            trainer.config().clone(),
            self.data.label.clone(),
            trainer.steps_done(),
        )
        .with_frame(self.data.frame.clone())
    }

    /// Replaces the model with one from a checkpoint (the schedule, prediction type and
    /// network come from its card); training goes on from it on the current data. A student's
    /// file replaces the students instead ([`Playground::import_student`]) and keeps the model.
    pub fn import(&mut self, bytes: &[u8]) -> Result<Imported, String> {
        if let Some(steps) = self.import_student(bytes)? {
            return Ok(Imported::Student(steps));
        }
        let ad = self.device.clone().autodiff();
        let (model, card) = checkpoint::from_bytes::<PointsCard>(bytes, &ad)?;
        if let Some(words) = &card.model.words
            && words.words != self.data.words()
        {
            return Err(format!(
                "this model was trained on the words {}: name your points with the same \
                 words, in the same order, before loading it",
                words.words.join(", ")
            ));
        }
        let trainer = PointTrainer::resume(
            model,
            self.data.train_data(),
            self.labels_if_grouped(),
            card.model.clone(),
            card.train.clone(),
            card.steps,
        )?;
        self.model_config = card.model;
        self.config = card.train;
        self.forget_model();
        self.train_with(trainer);
        Ok(Imported::Model)
    }
}

/// What a checkpoint brought into the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imported {
    /// A trained model, which replaced the model.
    Model,
    /// A distilled student, sampling in this many steps.
    Student(usize),
}
