//! Sampling in the playground: a request ([`Draw`]), checked against the model, becomes a
//! [`SamplingJob`] that owns a copy of the moving-average network and is advanced one sampler
//! step at a time (the page yields to the browser between steps on the CPU).

use super::{MAX_SAMPLES, MAX_TRAJECTORY_POINTS, Playground, check_range};
use crate::diffusion::prediction::Prediction;
use crate::diffusion::spacing::Spacing;
use crate::points::MlpDenoiser;
use crate::sampler::{self, Condition, NetworkDenoiser, SamplerKind};
use burn::tensor::Tensor;

impl Playground {
    /// The sampler, plan and condition of a request, checked.
    fn prepare(
        &mut self,
        draw: &Draw,
    ) -> Result<(SamplerKind, Vec<sampler::Level>, Option<Condition>), String> {
        check_range("the number of samples", draw.n, 1, MAX_SAMPLES)?;
        let kind = SamplerKind::parse(draw.sampler, draw.eta)?;
        let trainer = self.trainer()?;
        let plan = sampler::plan(trainer.schedule(), Spacing::Trailing, draw.steps)?;
        let condition = draw
            .word
            .map(|(word, w)| Condition::for_word(trainer.model_config().words.as_ref(), word, w))
            .transpose()?;
        Ok((kind, plan, condition))
    }

    /// Samples from the moving-average model as `draw` asks. Shape `[n, 2]`, not read back.
    pub fn sample(&mut self, draw: &Draw) -> Result<Tensor<2>, String> {
        Ok(self.start(draw, false)?.finish().reshape([draw.n, 2]))
    }

    /// Like [`Playground::sample`], keeping every state: `[steps + 1, n, 2]`, from the noise
    /// (frame 0) to the samples (frame `steps`), which equal `sample`'s for the same request.
    pub fn trajectory(&mut self, draw: &Draw) -> Result<Tensor<3>, String> {
        Ok(self.start(draw, true)?.finish())
    }

    /// A sampling job for `draw` that owns what it needs (a copy of the moving-average model,
    /// whose tensors are shared, not duplicated), to be advanced step by step while training
    /// goes on; with `keep_frames`, it keeps every state.
    pub fn start(&mut self, draw: &Draw, keep_frames: bool) -> Result<SamplingJob, String> {
        let (n, steps) = (draw.n, draw.steps);
        if keep_frames && n.saturating_mul(steps.saturating_add(1)) > MAX_TRAJECTORY_POINTS {
            return Err(format!(
                "a trajectory of {n} points over {steps} steps is too large: keep points × \
                 (steps + 1) under {MAX_TRAJECTORY_POINTS}"
            ));
        }
        let (kind, plan, condition) = self.prepare(draw)?;
        let trainer = self.trainer.as_ref().expect("prepared");
        let run = sampler::Run::new(kind, plan, [n, 2], draw.seed, &self.device);
        Ok(SamplingJob {
            network: trainer.ema_model().clone(),
            prediction: trainer.config().prediction,
            condition,
            frames: keep_frames.then(|| vec![run.state().clone()]),
            run,
        })
    }
}

/// A sampling run with its own copy of the network: [`SamplingJob::step`] takes one sampler
/// step, [`SamplingJob::finish`] the rest.
pub struct SamplingJob {
    network: MlpDenoiser,
    prediction: Prediction,
    condition: Option<Condition>,
    run: sampler::Run<2>,
    frames: Option<Vec<Tensor<2>>>,
}

impl SamplingJob {
    /// Takes the next step; false once there is none left.
    pub fn step(&mut self) -> bool {
        let denoiser = NetworkDenoiser::new(&self.network, self.prediction).guided(self.condition);
        let stepped = self.run.step(&denoiser);
        if let (true, Some(frames)) = (stepped, &mut self.frames) {
            frames.push(self.run.state().clone());
        }
        stepped
    }

    /// Takes the steps left; the frames `[steps + 1, n, 2]` when kept, else the samples as
    /// `[1, n, 2]`.
    pub fn finish(mut self) -> Tensor<3> {
        while self.step() {}
        match self.frames {
            Some(frames) => Tensor::stack(frames, 0),
            None => self.run.into_state().unsqueeze(),
        }
    }
}

/// A request for samples: how many, how (sampler, steps, η), from which noise, and towards
/// which word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw<'a> {
    /// Number of points.
    pub n: usize,
    /// The sampler's name (`ddpm`, `ddim`, `euler`, `heun`, `dpmpp2m`).
    pub sampler: &'a str,
    /// Sampling steps.
    pub steps: usize,
    /// DDIM's η (0 deterministic).
    pub eta: f64,
    /// Seed of the starting noise.
    pub seed: u64,
    /// A word of the model's vocabulary and the guidance scale w ∈ [0, 10]; `None` samples
    /// without a word.
    pub word: Option<(&'a str, f64)>,
}

impl<'a> Draw<'a> {
    /// `n` points from `sampler` in `steps` steps from noise drawn with `seed` (η = 0, no word).
    pub fn new(n: usize, sampler: &'a str, steps: usize, seed: u64) -> Self {
        Self {
            n,
            sampler,
            steps,
            eta: 0.0,
            seed,
            word: None,
        }
    }

    /// The same request with DDIM's η.
    pub fn with_eta(self, eta: f64) -> Self {
        Self { eta, ..self }
    }

    /// The same request towards `word` with guidance scale `guidance`.
    pub fn with_word(self, word: &'a str, guidance: f64) -> Self {
        Self {
            word: Some((word, guidance)),
            ..self
        }
    }
}
