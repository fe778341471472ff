//! Sampling in the playground: a request ([`Draw`]), checked against the model, becomes a
//! [`SamplingJob`] that owns a copy of the moving-average network and is advanced one sampler
//! step at a time, of the whole batch or of one block of its rows (on the CPU the page yields
//! to the browser between steps, and blocks keep each step short).

use super::{MAX_SAMPLES, MAX_TRAJECTORY_POINTS, Playground};
use crate::check::check_range;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::spacing::Spacing;
use crate::points::MlpDenoiser;
use crate::sampler::{self, Condition, NetworkDenoiser, NoiseSource, SamplerKind};
use burn::tensor::Tensor;

impl Playground {
    /// The sampler, plan, network and condition of a request, checked: the moving-average
    /// model, or for `student` the student that samples in the steps asked for (with DDIM,
    /// η = 0, on its own levels).
    fn prepare(&mut self, draw: &Draw) -> Result<Prepared, String> {
        check_range("the number of samples", draw.n, &(1..=MAX_SAMPLES))?;
        if draw.sampler == STUDENT {
            if draw.word.is_some() {
                return Err("the students draw no words yet".into());
            }
            let (network, plan, prediction) = self.student(draw.steps)?;
            return Ok(Prepared {
                kind: SamplerKind::Ddim { eta: 0.0 },
                plan,
                network,
                prediction,
                condition: None,
            });
        }
        let kind = SamplerKind::parse(draw.sampler, draw.eta)
            .map_err(|e| format!("{e}, or {STUDENT} (a distilled student)"))?;
        let trainer = self.trainer()?;
        let plan = sampler::plan(trainer.schedule(), Spacing::Trailing, draw.steps)?;
        let condition = draw
            .word
            .map(|(word, w)| Condition::for_word(trainer.model_config().words.as_ref(), word, w))
            .transpose()?;
        Ok(Prepared {
            kind,
            plan,
            network: trainer.ema_model().clone(),
            prediction: trainer.config().prediction,
            condition,
        })
    }

    /// Samples from the moving-average model as `draw` asks. Shape `[n, 2]`, not read back.
    pub fn sample(&mut self, draw: &Draw) -> Result<Tensor<2>, String> {
        Ok(self
            .start(draw, false, usize::MAX)?
            .finish()
            .reshape([draw.n, 2]))
    }

    /// Like [`Playground::sample`], keeping every state: `[steps + 1, n, 2]`, from the noise
    /// (frame 0) to the samples (frame `steps`), which equal `sample`'s for the same request.
    pub fn trajectory(&mut self, draw: &Draw) -> Result<Tensor<3>, String> {
        Ok(self.start(draw, true, usize::MAX)?.finish())
    }

    /// A sampling job for `draw` that owns what it needs (a copy of the moving-average model,
    /// whose tensors are shared, not duplicated), to be advanced step by step while training
    /// goes on; with `keep_frames`, it keeps every state. Each of its steps takes one sampler
    /// step of a block of at most `block_rows` points (all of them: `usize::MAX`); the
    /// samples do not depend on the blocks (the noise is drawn for the whole batch, see
    /// [`NoiseSource::blocks`]).
    pub fn start(
        &mut self,
        draw: &Draw,
        keep_frames: bool,
        block_rows: usize,
    ) -> Result<SamplingJob, String> {
        let (n, steps) = (draw.n, draw.steps);
        if keep_frames && n.saturating_mul(steps.saturating_add(1)) > MAX_TRAJECTORY_POINTS {
            return Err(format!(
                "a trajectory of {n} points over {steps} steps is too large: keep points × \
                 (steps + 1) under {MAX_TRAJECTORY_POINTS}"
            ));
        }
        let Prepared {
            kind,
            plan,
            network,
            prediction,
            condition,
        } = self.prepare(draw)?;
        let block_rows = block_rows.max(1);
        let runs: Vec<sampler::Run<2>> =
            NoiseSource::blocks(draw.seed, n, block_rows, &self.device)
                .into_iter()
                .enumerate()
                .map(|(k, noise)| {
                    let rows = block_rows.min(n - k * block_rows);
                    sampler::Run::with_noise(kind, plan.clone(), [rows, 2], noise)
                })
                .collect();
        let mut job = SamplingJob {
            network,
            prediction,
            condition,
            runs,
            next: 0,
            frames: None,
        };
        job.frames = keep_frames.then(|| vec![job.state()]);
        Ok(job)
    }
}

/// The sampler name of the distilled students.
pub const STUDENT: &str = "student";

/// What a checked request samples with.
struct Prepared {
    kind: SamplerKind,
    plan: Vec<sampler::Level>,
    network: MlpDenoiser,
    prediction: Prediction,
    condition: Option<Condition>,
}

/// A sampling run with its own copy of the network, over one or more blocks of rows that step
/// in turn: [`SamplingJob::step`] takes one sampler step of one block, [`SamplingJob::finish`]
/// the rest.
pub struct SamplingJob {
    network: MlpDenoiser,
    prediction: Prediction,
    condition: Option<Condition>,
    /// One run per block of rows, all at the same step or the ones before `next` one ahead.
    runs: Vec<sampler::Run<2>>,
    /// The block to step next.
    next: usize,
    frames: Option<Vec<Tensor<2>>>,
}

impl SamplingJob {
    /// Takes the next step of the next block; false once there is none left.
    pub fn step(&mut self) -> bool {
        let denoiser = NetworkDenoiser::new(&self.network, self.prediction).guided(self.condition);
        if !self.runs[self.next].step(&denoiser) {
            return false;
        }
        self.next = (self.next + 1) % self.runs.len();
        if self.next == 0 && self.frames.is_some() {
            let state = self.state();
            self.frames
                .iter_mut()
                .for_each(|frames| frames.push(state.clone()));
        }
        true
    }

    /// The current state of every block, `[n, 2]`.
    fn state(&self) -> Tensor<2> {
        Tensor::cat(self.runs.iter().map(|r| r.state().clone()).collect(), 0)
    }

    /// Takes the steps left; the frames `[steps + 1, n, 2]` when kept, else the samples as
    /// `[1, n, 2]`.
    pub fn finish(mut self) -> Tensor<3> {
        while self.step() {}
        match self.frames.take() {
            Some(frames) => Tensor::stack(frames, 0),
            None => self.state().unsqueeze(),
        }
    }
}

/// A request for samples: how many, how (sampler, steps, η), from which noise, and towards
/// which word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw<'a> {
    /// Number of points.
    pub n: usize,
    /// The sampler's name (`ddpm`, `ddim`, `euler`, `heun`, `dpmpp2m`, or `student`).
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
