//! Words to images: noise in the standardised latent space, taken down by any sampler with
//! the latent denoiser (guided towards the word with classifier-free guidance), then
//! un-standardised and decoded (Rombach et al. 2022, "High-Resolution Image Synthesis with
//! Latent Diffusion Models", at the scale of Fashion-MNIST).

use super::autoencoder::Autoencoder;
use super::card::{AutoencoderCard, LatentDenoiserCard};
use super::unet::LatentUnet;
use super::{IMAGE_PIXELS, IMAGE_SIDE, PADDED_SIDE, pad_images};
use crate::check::check_range;
use crate::diffusion::schedule::NoiseSchedule;
use crate::diffusion::spacing::Spacing;
use crate::sampler::{self, Condition, Level, NetworkDenoiser, SamplerKind, first_order_target};
use burn::tensor::{Device, Tensor, TensorData};

/// The most images one request may ask for.
pub const MAX_IMAGES: usize = 1024;

/// The sampler of a distilled student: DDIM (η = 0) on its own levels.
pub const STUDENT_SAMPLER: SamplerKind = SamplerKind::Ddim { eta: 0.0 };

/// Checks images from a person (`n × 784` values in [0, 1], row by row, no ink = 0): whole
/// images, at most [`MAX_IMAGES`], values in range; returns n.
pub fn check_images(images: &[f32]) -> Result<usize, String> {
    if images.is_empty() || !images.len().is_multiple_of(IMAGE_PIXELS) {
        return Err(format!(
            "images are {IMAGE_SIDE}×{IMAGE_SIDE} = {IMAGE_PIXELS} values each, so not {} values",
            images.len()
        ));
    }
    let n = images.len() / IMAGE_PIXELS;
    check_range("the number of images", n, &(1..=MAX_IMAGES))?;
    if let Some(bad) = images.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(format!(
            "pixel values go from 0 (no ink) to 1 (full ink), not {bad}"
        ));
    }
    Ok(n)
}

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

    /// The condition and the levels a request asks for, checked: every number of a request
    /// is checked here and nowhere else.
    pub fn checked(&self, request: &ImageRequest) -> Result<(Condition, Vec<Level>), String> {
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
        Ok((condition, plan))
    }

    /// The shape of one standardised latent, `[c, h, w]`.
    pub fn latent_shape(&self) -> [usize; 3] {
        self.autoencoder_card.model.latent_shape()
    }

    /// The sampling run a request asks for, from fresh noise, checked.
    pub fn start(&self, request: &ImageRequest, device: &Device) -> Result<LatentRun, String> {
        let (condition, plan) = self.checked(request)?;
        let [c, h, w] = self.latent_shape();
        let run = sampler::Run::new(
            request.sampler,
            plan,
            [request.n, c, h, w],
            request.seed,
            device,
        );
        Ok(LatentRun::new(condition, run))
    }

    /// Images for `request`: `[n, 1, 28, 28]` in [0, 1], not read back.
    pub fn generate(&self, request: &ImageRequest, device: &Device) -> Result<Tensor<4>, String> {
        let mut run = self.start(request, device)?;
        while run.step(self) {}
        Ok(self.decode(run.latents()))
    }

    /// Standardised latents `[n, c, 8, 8]` to images `[n, 1, 28, 28]`.
    pub fn decode(&self, standard: Tensor<4>) -> Tensor<4> {
        let latents = self.autoencoder_card.latent.unstandardize(standard);
        self.autoencoder.decoder.forward(latents)
    }

    /// Images (`n × 784` values in [0, 1], row by row, no ink = 0) to standardised latents
    /// `[n, c, 8, 8]`, checked.
    pub fn encode(&self, images: &[f32], device: &Device) -> Result<Tensor<4>, String> {
        let n = check_images(images)?;
        let padded = Tensor::from_data(
            TensorData::new(pad_images(images), [n, 1, PADDED_SIDE, PADDED_SIDE]),
            device,
        );
        let latents = self.autoencoder.encoder.forward(padded);
        Ok(self.autoencoder_card.latent.standardize(latents))
    }
}

/// A sampling run in the latent space, guided towards a word, one step at a time (the page
/// shows each step) with the denoiser of an [`ImageGenerator`].
pub struct LatentRun {
    condition: Condition,
    run: sampler::Run<4>,
    /// The state before the last step, and that step's levels.
    before: Option<(Tensor<4>, Level, Level)>,
}

impl LatentRun {
    /// `run` (of standardised latents) guided by `condition`.
    pub fn new(condition: Condition, run: sampler::Run<4>) -> Self {
        Self {
            condition,
            run,
            before: None,
        }
    }

    /// Takes the next step with `g`'s denoiser (the one the run was made for); false once
    /// there is none left.
    pub fn step(&mut self, g: &ImageGenerator) -> bool {
        let Some((from, to)) = self.run.next_levels() else {
            return false;
        };
        let x = self.run.state().clone();
        let denoiser =
            NetworkDenoiser::new(&g.denoiser, g.card.train.prediction).guided(Some(self.condition));
        self.run.step(&denoiser);
        self.before = Some((x, from, to));
        true
    }

    /// The current standardised latents.
    pub fn latents(&self) -> Tensor<4> {
        self.run.state().clone()
    }

    /// The clean estimate the last step moved towards (x̂₀ of DDIM and of a student; the
    /// combined estimate of a multistep solver), found from the step itself with no further
    /// network pass: the first-order step solved for x̂₀ ([`first_order_target`]); `None`
    /// before the first step. For samplers that add noise it also carries that noise.
    pub fn estimate(&self) -> Option<Tensor<4>> {
        let (x, from, to) = self.before.clone()?;
        Some(first_order_target(x, self.latents(), from, to))
    }
}
