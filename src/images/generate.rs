//! Words to images: noise in the standardised latent space, taken down by any sampler with
//! the latent denoiser (guided towards the word with classifier-free guidance), then
//! un-standardised and decoded (Rombach et al. 2022, "High-Resolution Image Synthesis with
//! Latent Diffusion Models", at the scale of Fashion-MNIST).

use super::autoencoder::Autoencoder;
use super::card::{AutoencoderCard, LatentDenoiserCard};
use super::unet::LatentUnet;
use crate::check::check_range;
use crate::diffusion::schedule::NoiseSchedule;
use crate::diffusion::spacing::Spacing;
use crate::sampler::{self, Condition, NetworkDenoiser, SamplerKind};
use burn::tensor::{Device, Tensor};

/// The most images one request may ask for.
pub const MAX_IMAGES: usize = 1024;

/// The sampler of a distilled student: DDIM (η = 0) on its own levels.
pub const STUDENT_SAMPLER: SamplerKind = SamplerKind::Ddim { eta: 0.0 };

/// What to draw and how.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageRequest {
    /// A word of the denoiser's vocabulary.
    pub word: String,
    /// How many images.
    pub n: usize,
    /// The sampler.
    pub sampler: SamplerKind,
    /// Sampling steps.
    pub steps: usize,
    /// The guidance scale w (0 ignores the word).
    pub guidance: f64,
    /// Seed of the starting noise (image i's noise depends on the seed and on n).
    pub seed: u64,
}

/// A trained autoencoder and latent denoiser that belong together.
pub struct ImageGenerator {
    autoencoder: Autoencoder,
    autoencoder_card: AutoencoderCard,
    denoiser: LatentUnet,
    card: LatentDenoiserCard,
    schedule: NoiseSchedule,
}

impl ImageGenerator {
    /// Pairs the two models, checking that the denoiser was trained on this autoencoder's
    /// latents and knows words.
    pub fn new(
        autoencoder: Autoencoder,
        autoencoder_card: AutoencoderCard,
        denoiser: LatentUnet,
        card: LatentDenoiserCard,
    ) -> Result<Self, String> {
        card.check_pair(&autoencoder_card)?;
        if card.model.words.is_none() {
            return Err("this denoiser knows no words, so it cannot draw by word".into());
        }
        let schedule = NoiseSchedule::new(card.train.schedule.schedule(), card.train.timesteps)?;
        Ok(Self {
            autoencoder,
            autoencoder_card,
            denoiser,
            card,
            schedule,
        })
    }

    /// The words it draws.
    pub fn words(&self) -> &[String] {
        &self
            .card
            .model
            .words
            .as_ref()
            .expect("checked in new")
            .words
    }

    /// The denoiser's card.
    pub fn card(&self) -> &LatentDenoiserCard {
        &self.card
    }

    /// The denoiser.
    pub fn denoiser(&self) -> &LatentUnet {
        &self.denoiser
    }

    /// The autoencoder's card.
    pub fn autoencoder_card(&self) -> &AutoencoderCard {
        &self.autoencoder_card
    }

    /// The autoencoder.
    pub fn autoencoder(&self) -> &Autoencoder {
        &self.autoencoder
    }

    /// The sampling run a request asks for, checked: every number of a request is checked
    /// here and nowhere else.
    pub fn start(&self, request: &ImageRequest, device: &Device) -> Result<LatentRun<'_>, String> {
        check_range("the number of images", request.n, &(1..=MAX_IMAGES))?;
        let condition = Condition::for_word(
            self.card.model.words.as_ref(),
            &request.word,
            request.guidance,
        )?;
        let plan = match self.card.student {
            Some(student) => {
                if request.steps != student.steps || request.sampler != STUDENT_SAMPLER {
                    return Err(format!(
                        "this denoiser is a student distilled to {} steps: it samples only in \
                         those, with its own sampler (DDIM)",
                        student.steps
                    ));
                }
                student.plan(&self.schedule)?
            }
            None => sampler::plan(&self.schedule, Spacing::Trailing, request.steps)?,
        };
        if let Some([lo, hi]) = self.card.guidance
            && !(lo..=hi).contains(&request.guidance)
        {
            return Err(format!(
                "this student learnt guidance scales from {lo} to {hi}, not {}",
                request.guidance
            ));
        }
        let [c, h, w] = self.autoencoder_card.model.latent_shape();
        let run = sampler::Run::new(
            request.sampler,
            plan,
            [request.n, c, h, w],
            request.seed,
            device,
        );
        Ok(LatentRun {
            generator: self,
            condition,
            run,
        })
    }

    /// Images for `request`: `[n, 1, 28, 28]` in [0, 1], not read back.
    pub fn generate(&self, request: &ImageRequest, device: &Device) -> Result<Tensor<4>, String> {
        let mut run = self.start(request, device)?;
        while run.step() {}
        Ok(self.decode(run.latents()))
    }

    /// Standardised latents `[n, c, 8, 8]` to images `[n, 1, 28, 28]`.
    pub fn decode(&self, standard: Tensor<4>) -> Tensor<4> {
        let latents = self.autoencoder_card.latent.unstandardize(standard);
        self.autoencoder.decoder.forward(latents)
    }
}

/// A sampling run in the latent space, one step at a time (the page shows each step).
pub struct LatentRun<'a> {
    generator: &'a ImageGenerator,
    condition: Condition,
    run: sampler::Run<4>,
}

impl LatentRun<'_> {
    /// Takes the next step; false once there is none left.
    pub fn step(&mut self) -> bool {
        let g = self.generator;
        let denoiser =
            NetworkDenoiser::new(&g.denoiser, g.card.train.prediction).guided(Some(self.condition));
        self.run.step(&denoiser)
    }

    /// The current standardised latents.
    pub fn latents(&self) -> Tensor<4> {
        self.run.state().clone()
    }
}
