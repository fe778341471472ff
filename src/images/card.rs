//! What each kind of image model's checkpoint says about it ([`crate::checkpoint`]).

use super::autoencoder::{Autoencoder, AutoencoderConfig, LatentStats};
use super::judge::{Judge, JudgeConfig};
use super::unet::{LatentUnet, LatentUnetConfig};
use crate::check::check_range;
use crate::checkpoint::Card;
use crate::diffusion::guidance::MAX_GUIDANCE;
use crate::distill::StudentSteps;
use crate::nn::NetConfig;
use crate::train::TrainConfig;
use burn::config::Config;
use burn::tensor::Device;

/// A trained autoencoder.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderCard {
    /// The network's sizes.
    pub model: AutoencoderConfig,
    /// The latents' statistics over the training images (set once training ends).
    pub latent: LatentStats,
    /// What it was trained on, for people.
    pub data: String,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Reconstruction PSNR on the test split, in dB, when measured.
    #[config(default = "None")]
    pub test_psnr: Option<f64>,
}

impl Card for AutoencoderCard {
    const KIND: &'static str = "image-autoencoder";
    const DESCRIPTION: &'static str = "an image autoencoder";
    type Net = Autoencoder;

    fn validate(&self) -> Result<(), String> {
        self.model.validate()?;
        self.latent.validate(self.model.latent_channels)
    }

    fn init(&self, device: &Device) -> Autoencoder {
        self.model.init(device)
    }
}

/// A trained latent denoiser.
#[derive(Config, Debug, PartialEq)]
pub struct LatentDenoiserCard {
    /// The network's sizes and words.
    pub model: LatentUnetConfig,
    /// How it was trained (schedule, prediction type, ...).
    pub train: TrainConfig,
    /// The statistics of the autoencoder's latents it was trained on: it only fits an
    /// autoencoder with the same ones.
    pub latent: LatentStats,
    /// What it was trained on, for people.
    pub data: String,
    /// Optimiser steps taken.
    pub steps: usize,
    /// For a distilled student, the steps it samples in and its first teacher's (it samples
    /// only so, with DDIM); none for a trained model.
    #[config(default = "None")]
    pub student: Option<StudentSteps>,
    /// For a network with the guidance scale as an input (guidance distilled into it), the
    /// scales it learnt, lowest and highest.
    #[config(default = "None")]
    pub guidance: Option<[f64; 2]>,
}

impl LatentDenoiserCard {
    /// Errors unless this denoiser was trained on the latents of the autoencoder `autoencoder`.
    pub fn check_pair(&self, autoencoder: &AutoencoderCard) -> Result<(), String> {
        if self.latent != autoencoder.latent {
            return Err(
                "this denoiser was trained on another autoencoder's latents: use the \
                 autoencoder it was trained with"
                    .into(),
            );
        }
        Ok(())
    }
}

impl Card for LatentDenoiserCard {
    const KIND: &'static str = "latent-denoiser";
    const DESCRIPTION: &'static str = "a latent image denoiser";
    type Net = LatentUnet;

    fn validate(&self) -> Result<(), String> {
        NetConfig::validate(&self.model)?;
        self.train.validate()?;
        if let Some(student) = self.student {
            student.rounds()?;
        }
        let takes_guidance = self.model.guidance_features.is_some();
        match self.guidance {
            Some([lo, hi]) if takes_guidance => {
                check_range("the lowest guidance", lo, &(0.0..=MAX_GUIDANCE))?;
                check_range("the highest guidance", hi, &(lo..=MAX_GUIDANCE))?;
            }
            None if !takes_guidance => {}
            _ => {
                return Err(
                    "the card and the network disagree on whether the guidance is an input".into(),
                );
            }
        }
        self.latent.validate(self.model.latent_channels)
    }

    fn init(&self, device: &Device) -> LatentUnet {
        NetConfig::init(&self.model, device)
    }
}

/// A trained judge classifier.
#[derive(Config, Debug, PartialEq)]
pub struct JudgeCard {
    /// The network's sizes.
    pub model: JudgeConfig,
    /// The class names, in label order.
    pub words: Vec<String>,
    /// Its accuracy on each class of the real test split (the ceiling for generated images).
    pub test_accuracy: Vec<f64>,
    /// Optimiser steps taken.
    pub steps: usize,
}

impl Card for JudgeCard {
    const KIND: &'static str = "image-judge";
    const DESCRIPTION: &'static str = "an image judge";
    type Net = Judge;

    fn validate(&self) -> Result<(), String> {
        self.model.validate()?;
        if self.words.len() != self.model.classes {
            return Err(format!(
                "the judge names {} words for {} classes",
                self.words.len(),
                self.model.classes
            ));
        }
        Ok(())
    }

    fn init(&self, device: &Device) -> Judge {
        self.model.init(device)
    }
}
