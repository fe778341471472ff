//! The image studio: one autoencoder and the latent denoisers at hand (the distilled students,
//! by their steps, and the teacher), and what a person does with them: images of a word, the
//! denoising watched step by step, a walk between two seeds, and variations of their own
//! image (SDEdit).

use super::IMAGE_PIXELS;
use super::autoencoder::Autoencoder;
use super::card::{AutoencoderCard, JudgeCard, LatentDenoiserCard};
use super::generate::{ImageGenerator, ImageRequest, MAX_IMAGES, STUDENT_SAMPLER, check_images};
use super::judge::{Judge, image_tensor};
use super::unet::LatentUnet;
use crate::check::check_range;
use crate::sampler::{Level, NoiseSource, Run, SamplerKind};
use burn::tensor::{Device, Int, Tensor, TensorData};
use std::collections::BTreeMap;
use std::rc::Rc;

mod job;
pub use job::StudioJob;

/// Which denoiser draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Model {
    /// The distilled student that samples in the request's steps (with its own sampler).
    Student,
    /// The teacher, with a sampler of the person's choice.
    Teacher(SamplerKind),
}

/// What to draw: a word, how many images, which denoiser in how many steps, how strongly to
/// follow the word, and the seed of the starting noise.
#[derive(Clone, Debug, PartialEq)]
pub struct StudioRequest {
    /// A word of the denoisers' vocabulary.
    pub word: String,
    /// How many images.
    pub n: usize,
    /// Sampling steps (a student's steps choose the student).
    pub steps: usize,
    /// The guidance scale w.
    pub guidance: f64,
    /// Seed of the starting noise.
    pub seed: u64,
    /// Which denoiser.
    pub model: Model,
}

/// What [`Studio::add`] took a denoiser for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Added {
    /// A student that samples in these steps.
    Student(usize),
    /// The teacher.
    Teacher,
}

/// The most images between two seeds in one walk.
pub const MAX_WALK: usize = 64;

/// An autoencoder and the latent denoisers trained on its latents.
pub struct Studio {
    autoencoder: Autoencoder,
    autoencoder_card: AutoencoderCard,
    students: BTreeMap<usize, Rc<ImageGenerator>>,
    teacher: Option<Rc<ImageGenerator>>,
    /// The classifier that says what images show, and its words.
    judge: Option<(Judge, JudgeCard)>,
    /// Images a job computes at once (see [`Studio::with_block_rows`]).
    block_rows: usize,
}

impl Studio {
    /// A studio with `autoencoder` and no denoiser yet.
    pub fn new(autoencoder: Autoencoder, autoencoder_card: AutoencoderCard) -> Self {
        Self {
            autoencoder,
            autoencoder_card,
            students: BTreeMap::new(),
            teacher: None,
            judge: None,
            block_rows: MAX_IMAGES,
        }
    }

    /// This studio with jobs that compute `rows` images at a time (each step of each block,
    /// then each block's decoding, is one [`StudioJob::step`]), so that a page computing on
    /// its own thread can paint between them; the images do not depend on it.
    pub fn with_block_rows(mut self, rows: usize) -> Self {
        self.block_rows = rows.max(1);
        self
    }

    /// Adds a denoiser (replacing one of the same role and steps), checked against the
    /// autoencoder and the words of the denoisers already here.
    pub fn add(&mut self, denoiser: LatentUnet, card: LatentDenoiserCard) -> Result<Added, String> {
        let generator = ImageGenerator::new(
            self.autoencoder.clone(),
            self.autoencoder_card.clone(),
            denoiser,
            card,
        )?;
        if let Some(words) = self.words()
            && words != generator.words()
        {
            return Err(format!(
                "this denoiser knows the words {:?}, the others here {words:?}",
                generator.words()
            ));
        }
        Ok(match generator.card().student {
            Some(student) => {
                self.students.insert(student.steps, Rc::new(generator));
                Added::Student(student.steps)
            }
            None => {
                self.teacher = Some(Rc::new(generator));
                Added::Teacher
            }
        })
    }

    /// The words it draws (none before a denoiser is added).
    pub fn words(&self) -> Option<&[String]> {
        self.any().ok().map(|g| g.words())
    }

    /// The steps of the students at hand, fewest first.
    pub fn student_steps(&self) -> Vec<usize> {
        self.students.keys().copied().collect()
    }

    /// Whether the teacher is at hand.
    pub fn has_teacher(&self) -> bool {
        self.teacher.is_some()
    }

    /// The denoiser a request names and the request in its terms, or why there is none.
    fn generator(
        &self,
        request: &StudioRequest,
    ) -> Result<(Rc<ImageGenerator>, ImageRequest), String> {
        let (generator, sampler) = match request.model {
            Model::Student => {
                let generator = self.students.get(&request.steps).ok_or_else(|| {
                    format!(
                        "no student samples in {} steps here: the students at hand take {}",
                        request.steps,
                        listed(&self.student_steps())
                    )
                })?;
                (generator, STUDENT_SAMPLER)
            }
            Model::Teacher(sampler) => {
                let generator = self
                    .teacher
                    .as_ref()
                    .ok_or("the teacher is not loaded: load it to compare it with the students")?;
                (generator, sampler)
            }
        };
        let image_request = ImageRequest {
            word: request.word.clone(),
            n: request.n,
            sampler,
            steps: request.steps,
            guidance: request.guidance,
            seed: request.seed,
        };
        Ok((generator.clone(), image_request))
    }

    /// Images of a word from fresh noise (those of [`ImageGenerator::generate`] for the same
    /// request), as a job.
    pub fn generate(&self, request: &StudioRequest, device: &Device) -> Result<StudioJob, String> {
        let (generator, request) = self.generator(request)?;
        let (condition, plan) = generator.checked(&request)?;
        let [c, h, w] = generator.latent_shape();
        let runs = self
            .noise(&request, device)
            .into_iter()
            .map(|(rows, mut noise)| {
                let x = noise.normal([rows, c, h, w]);
                Run::from_state(request.sampler, plan.clone(), x, noise)
            })
            .collect();
        Ok(StudioJob::new(generator, condition, runs))
    }

    /// One noise source per block of rows of `request` (see [`Studio::with_block_rows`]),
    /// with the block's rows: together they draw what one source of the request's seed draws.
    fn noise(&self, request: &ImageRequest, device: &Device) -> Vec<(usize, NoiseSource)> {
        let rows = self.block_rows;
        let sizes = (0..request.n)
            .step_by(rows)
            .map(|start| rows.min(request.n - start));
        sizes
            .zip(NoiseSource::blocks(request.seed, request.n, rows, device))
            .collect()
    }

    /// The runs of `x` (`[n, c, 8, 8]` at `plan[0]`) in blocks of rows, with `noise`'s sources.
    fn runs(
        &self,
        request: &ImageRequest,
        plan: &[Level],
        x: Tensor<4>,
        noise: Vec<(usize, NoiseSource)>,
    ) -> Vec<Run<4>> {
        let mut start = 0;
        noise
            .into_iter()
            .map(|(rows, noise)| {
                let block = x.clone().narrow(0, start, rows);
                start += rows;
                Run::from_state(request.sampler, plan.to_vec(), block, noise)
            })
            .collect()
    }

    /// A walk from the noise of `request.seed` to that of `seed_b` in `request.n` images
    /// (spherical interpolation, which keeps the noise's norm; Shoemake 1985, as used for
    /// latents by White 2016, "Sampling generative networks"). The ends are the first image
    /// that each seed gives alone.
    pub fn interpolate(
        &self,
        request: &StudioRequest,
        seed_b: u64,
        device: &Device,
    ) -> Result<StudioJob, String> {
        check_range("the number of images in a walk", request.n, &(2..=MAX_WALK))?;
        let (generator, request) = self.generator(request)?;
        let (condition, plan) = generator.checked(&request)?;
        let [c, h, w] = generator.latent_shape();
        let draw = |seed| -> Vec<f32> {
            let first = NoiseSource::new(seed, device).normal([1, c, h, w]);
            first.into_data().try_to_vec::<f32>().expect("f32 noise")
        };
        let (a, b) = (draw(request.seed), draw(seed_b));
        let n = request.n;
        let values: Vec<f32> = (0..n)
            .flat_map(|i| slerp(&a, &b, i as f64 / (n - 1) as f64))
            .collect();
        let x = Tensor::from_data(TensorData::new(values, [n, c, h, w]), device);
        let runs = self.runs(&request, &plan, x, self.noise(&request, device));
        Ok(StudioJob::new(generator, condition, runs))
    }

    /// Variations of `image` (784 values in [0, 1]) under a word (SDEdit: Meng et al. 2022,
    /// "SDEdit: Guided image synthesis and editing with stochastic differential equations"):
    /// the image is encoded, noised to the level of the sampling plan nearest `strength` (of
    /// the plan's steps, the last `round(strength × steps)` are taken), and denoised into
    /// `request.n` images. Strength 0 gives the image back through the autoencoder; strength 1
    /// starts from (almost) pure noise and ignores it.
    pub fn variations(
        &self,
        request: &StudioRequest,
        image: &[f32],
        strength: f64,
        device: &Device,
    ) -> Result<StudioJob, String> {
        check_range("the strength", strength, &(0.0..=1.0))?;
        let (generator, request) = self.generator(request)?;
        let (condition, plan) = generator.checked(&request)?;
        if image.len() != IMAGE_PIXELS {
            return Err(format!(
                "variations start from one image, 28×28 = {IMAGE_PIXELS} values, not {}",
                image.len()
            ));
        }
        let start = generator.encode(image, device)?.repeat_dim(0, request.n);
        let steps = plan.len() - 1;
        let skip = steps - (strength * steps as f64).round() as usize;
        let level = plan[skip];
        let mut noise = self.noise(&request, device);
        let [_, c, h, w] = start.dims();
        let eps = Tensor::cat(
            noise
                .iter_mut()
                .map(|(rows, n)| n.normal([*rows, c, h, w]))
                .collect(),
            0,
        );
        let x = start.mul_scalar(level.alpha()) + eps.mul_scalar(level.sigma());
        let runs = self.runs(&request, &plan[skip..], x, noise);
        Ok(StudioJob::new(generator, condition, runs))
    }

    /// Sets the judge (the classifier `eval-images` judges with), which names what images show.
    pub fn set_judge(&mut self, judge: Judge, card: JudgeCard) {
        self.judge = Some((judge, card));
    }

    /// Whether the judge is at hand.
    pub fn has_judge(&self) -> bool {
        self.judge.is_some()
    }

    /// The judge's class of each image (`n × 784` values in [0, 1]), `[n]`, not read back, and
    /// its words (class k is `words[k]`).
    pub fn judge(
        &self,
        images: &[f32],
        device: &Device,
    ) -> Result<(Tensor<1, Int>, &[String]), String> {
        let (judge, card) = self.judge.as_ref().ok_or("the judge is not loaded")?;
        check_images(images)?;
        let classes = judge.forward(image_tensor(images, device)).argmax(1);
        let n = classes.dims()[0];
        Ok((classes.reshape([n]), &card.words))
    }

    /// Images (`n × 784` values in [0, 1]) to standardised latents `[n, c, 8, 8]`.
    pub fn encode(&self, images: &[f32], device: &Device) -> Result<Tensor<4>, String> {
        self.any()?.encode(images, device)
    }

    /// Standardised latents (`n × c × 8 × 8` values) to images `[n, 1, 28, 28]`.
    pub fn decode(&self, latents: &[f32], device: &Device) -> Result<Tensor<4>, String> {
        let [c, h, w] = self.autoencoder_card.model.latent_shape();
        let size = c * h * w;
        if latents.is_empty() || !latents.len().is_multiple_of(size) {
            return Err(format!(
                "latents are {c}×{h}×{w} = {size} values each, so not {}",
                latents.len()
            ));
        }
        let n = latents.len() / size;
        check_range("the number of latents", n, &(1..=MAX_IMAGES))?;
        if let Some(bad) = latents.iter().find(|v| !v.is_finite()) {
            return Err(format!("latents must be finite numbers, not {bad}"));
        }
        let x = Tensor::from_data(TensorData::new(latents.to_vec(), [n, c, h, w]), device);
        Ok(self.any()?.decode(x))
    }

    /// Any denoiser's generator (they share the autoencoder).
    fn any(&self) -> Result<&Rc<ImageGenerator>, String> {
        self.students
            .values()
            .chain(&self.teacher)
            .next()
            .ok_or_else(|| "no denoiser is loaded yet".to_string())
    }
}

/// Spherical interpolation from `a` (u = 0) to `b` (u = 1): sin((1 - u)Ω)/sin Ω · a +
/// sin(uΩ)/sin Ω · b, Ω the angle between them; linear where they are (nearly) parallel.
pub fn slerp(a: &[f32], b: &[f32], u: f64) -> Vec<f32> {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let norm = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let cos = (dot / (norm(a) * norm(b)).max(f64::MIN_POSITIVE)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let (wa, wb) = if omega.sin() < 1e-6 {
        (1.0 - u, u)
    } else {
        (
            ((1.0 - u) * omega).sin() / omega.sin(),
            (u * omega).sin() / omega.sin(),
        )
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| (wa * *x as f64 + wb * *y as f64) as f32)
        .collect()
}

/// `[4, 2, 1]` as "1, 2 and 4" (or "none").
fn listed(steps: &[usize]) -> String {
    match steps {
        [] => "none".into(),
        [one] => one.to_string(),
        [rest @ .., last] => format!(
            "{} and {last}",
            rest.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests;
