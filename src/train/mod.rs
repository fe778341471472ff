//! Training a denoiser: one [`Trainer::step`] is one optimiser update, used unchanged by the
//! command line (a plain loop) and by the page (a few steps per animation frame), for any
//! [`DenoisingNet`]: the 2D MLP on points `[n, 2]` or the U-Net on image latents `[n, c, h, w]`.
//!
//! The loss is the simple objective of Ho et al. 2020 (eq. 14), for ε- or v-prediction:
//! L = E_{x₀, i, ε} ‖f_θ(√ᾱ_i x₀ + √(1-ᾱ_i) ε, t_i) - target‖², with i uniform over the T
//! timesteps, t_i = (i + 1)/T, and target ε or v = √ᾱ ε - √(1-ᾱ) x₀. Adam (Kingma & Ba 2015)
//! with gradient-norm clipping, a linear warm-up, and an optional cosine decay of the learning
//! rate (Loshchilov & Hutter 2017); an exponential moving average of the weights for sampling.
//!
//! A conditional network trains on labelled data: each example's word is fed with it, and with
//! probability `label_dropout` replaced by ∅, so that the same network learns the unconditional
//! model that classifier-free guidance needs (Ho & Salimans 2022, Alg. 1).

use crate::diffusion::schedule::NoiseSchedule;
use crate::nn::ema::Ema;
use crate::nn::words::NO_WORD;
use crate::nn::{DenoisingNet, NetConfig};
use crate::sampler::NetworkDenoiser;
use burn::module::Module;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor, TensorData};
use draws::Draws;
use parts::Parts;

/// A trainer's state at one step (see [`Trainer::snapshot`]).
#[derive(Clone)]
pub struct Snapshot<M> {
    model: M,
    optim: ModuleOptimizer,
    ema: Ema<M>,
    steps_done: usize,
}

impl<M> Snapshot<M> {
    /// The steps taken when it was made.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }
}

/// Trains a network built by a `C` on data of rank `D` (the first axis counts examples).
pub struct Trainer<C: NetConfig<D>, const D: usize> {
    model: Option<C::Net>,
    optim: ModuleOptimizer,
    ema: Ema<C::Net>,
    /// Training examples on the autodiff device: `[n, ...]`.
    data: Tensor<D>,
    /// Each example's word label (1-based) for a conditional network: `[n]`.
    labels: Option<Tensor<1, Int>>,
    /// ᾱ for every timestep, on the autodiff device: `[T]`.
    alphas_cumprod: Tensor<1>,
    schedule: NoiseSchedule,
    config: TrainConfig,
    model_config: C,
    steps_done: usize,
    /// The step in progress when it is taken in parts ([`Trainer::step_part`]).
    parts: Parts<C::Net>,
    /// The draws of the step in progress, when it is taken in parts.
    draws: Option<Draws<D>>,
}

impl<C: NetConfig<D>, const D: usize> Trainer<C, D> {
    /// A fresh model and optimiser for `data` (shape `[n, ...]`, finite) on `device`; the
    /// model's initial weights and the training noise follow `seed`. A conditional network
    /// (one whose config has words) needs `labels`, each example's word (1 for the first word).
    pub fn new(
        device: &Device,
        data: TensorData,
        labels: Option<&[u32]>,
        model_config: C,
        config: TrainConfig,
        seed: u64,
    ) -> Result<Self, String> {
        model_config.validate()?;
        let ad = device.clone().autodiff();
        ad.seed(seed);
        let model = model_config.init(&ad);
        Self::resume(model, data, labels, model_config, config, 0)
    }

    /// Goes on training `model` (on an autodiff device; e.g. loaded from a checkpoint, whose
    /// card gives the configs and `steps_done`) with a fresh optimiser; the moving average
    /// starts at `model`.
    pub fn resume(
        model: C::Net,
        data: TensorData,
        labels: Option<&[u32]>,
        model_config: C,
        config: TrainConfig,
        steps_done: usize,
    ) -> Result<Self, String> {
        config.validate()?;
        let n = check_data::<D>(&data)?;
        check_labels(labels, n, model_config.words().map(|w| w.words.len()))?;
        let schedule = NoiseSchedule::new(config.schedule.schedule(), config.timesteps)?;
        let ad = model.devices()[0].clone();
        let optim = AdamConfig::new()
            .with_epsilon(1e-8)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(config.grad_clip_norm)))
            .init();
        let alphas: Vec<f32> = schedule.alphas_cumprod.iter().map(|&a| a as f32).collect();
        Ok(Self {
            ema: Ema::new(model.valid(), config.ema_decay),
            model: Some(model),
            optim,
            data: Tensor::from_data(data, &ad),
            labels: labels.map(|l| {
                let l: Vec<i64> = l.iter().map(|&w| w as i64).collect();
                Tensor::from_data(TensorData::new(l, [n]), &ad)
            }),
            alphas_cumprod: Tensor::from_data(TensorData::new(alphas, [config.timesteps]), &ad),
            schedule,
            config,
            model_config,
            steps_done,
            parts: Parts::new(),
            draws: None,
        })
    }

    /// Replaces the moving average by `ema_model` (on the plain device), as saved by an
    /// interrupted run: resuming then goes on from both the trained and the averaged weights.
    pub fn with_ema(mut self, ema_model: C::Net) -> Self {
        self.ema = Ema::resumed(ema_model, self.config.ema_decay, self.steps_done as u64);
        self
    }

    /// The trained (not averaged) weights, on the autodiff device.
    pub fn model(&self) -> &C::Net {
        self.model.as_ref().expect("the model is always put back")
    }

    /// Changes the learning rate and batch size between steps (the page's sliders).
    pub fn set_rate_and_batch(
        &mut self,
        learning_rate: f64,
        batch_size: usize,
    ) -> Result<(), String> {
        self.config = self.config.with_rate_and_batch(learning_rate, batch_size)?;
        // A step in progress was for the old batch size.
        self.drop_step_in_progress();
        Ok(())
    }

    /// One optimiser update on a fresh batch. Returns the batch's loss as a tensor of one
    /// element, not read back (reading it is the caller's choice: synchronous natively,
    /// asynchronous in the browser). A step begun in parts is finished.
    pub fn step(&mut self) -> Tensor<1> {
        loop {
            if let Some(loss) = self.step_part(usize::MAX) {
                return loss;
            }
        }
    }

    /// Part of an optimiser update: the gradient of the loss on the next (at most) `rows`
    /// examples of the batch, added to those of the step's earlier parts; after the part that
    /// completes the batch, the update, and the batch's loss.
    ///
    /// A batch of b examples taken in parts is the same step as in one piece: the loss is the
    /// batch mean, so each part's mean counts rows/b, and the parts take the rows of one batch
    /// of examples, times and noise drawn when the step began ([`draws`]). It is less work at a time: the page takes steps in parts on the CPU,
    /// so that the browser draws between them.
    pub fn step_part(&mut self, rows: usize) -> Option<Tensor<1>> {
        let model = self.model.take().expect("the model is always put back");
        let batch = self.config.batch_size;
        let done = self.parts.rows_done();
        let rows = rows.clamp(1, batch - done);
        if self.draws.is_none() {
            self.draws = Some(self.draw(batch));
        }
        let draws = self.draws.as_ref().expect("drawn when the step began");
        let loss = self.batch_loss(&model, draws.rows(done, rows));
        match self.parts.add(&model, loss, rows, batch) {
            Some((grads, loss)) => {
                self.draws = None;
                Some(self.update(model, grads, loss))
            }
            None => {
                self.model = Some(model);
                None
            }
        }
    }

    /// Forgets the step in progress: its gradients so far and its draws.
    fn drop_step_in_progress(&mut self) {
        self.parts.clear();
        self.draws = None;
    }

    /// A batch's draws of `b` examples, their words dropped or not, timesteps and noise.
    fn draw(&self, b: usize) -> Draws<D> {
        let dropout = self.labels.as_ref().map(|_| self.config.label_dropout);
        Draws::new(
            b,
            self.data.dims(),
            self.config.timesteps,
            dropout,
            &self.data.device(),
        )
    }

    /// Applies `grads` to `model` and updates the moving average: the end of a step, whose
    /// loss was `loss`.
    fn update(&mut self, model: C::Net, grads: GradientsParams, loss: Tensor<1>) -> Tensor<1> {
        let lr = self.config.learning_rate_at(self.steps_done);
        let model = self.optim.step(lr, model, grads);
        self.ema.update(&model.valid());
        self.model = Some(model);
        self.steps_done += 1;
        loss
    }

    /// The mean loss of `model` on the examples, times and noise of `draws` (on the autodiff
    /// device, to be differentiated).
    fn batch_loss(&self, model: &C::Net, draws: Draws<D>) -> Tensor<1> {
        let Draws {
            idx,
            dropped,
            steps,
            eps,
        } = draws;
        let b = idx.dims()[0];
        let t_count = self.config.timesteps;
        let x0 = self.data.clone().select(0, idx.clone());
        let labels = self.labels.as_ref().zip(dropped).map(|(labels, dropped)| {
            labels
                .clone()
                .select(0, idx)
                .mask_fill(dropped, NO_WORD as i64)
        });
        let t = steps
            .clone()
            .float()
            .add_scalar(1.0)
            .div_scalar(t_count as f64);
        // ᾱ per example, shaped [b, 1, ...] to broadcast over the example's values.
        let mut per_example = [1; D];
        per_example[0] = b;
        let abar = self
            .alphas_cumprod
            .clone()
            .select(0, steps)
            .reshape(per_example);
        let (alpha, sigma) = (abar.clone().sqrt(), abar.neg().add_scalar(1.0).sqrt());
        // Noise the data (q(x_t | x₀)) and regress the target.
        let x_t = crate::diffusion::forward::add_noise(x0.clone(), eps.clone(), &alpha, &sigma);
        let target = self.config.prediction.target(x0, eps, &alpha, &sigma);
        (model.denoise(x_t, t, labels) - target).square().mean()
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }

    /// What training changes (the weights, the optimiser's moments, the moving average, the
    /// step count), to go back to with [`Trainer::restore`]. Cheap: tensors are shared, and
    /// later steps make new ones rather than change these.
    pub fn snapshot(&self) -> Snapshot<C::Net> {
        Snapshot {
            model: self.model().clone(),
            optim: self.optim.clone(),
            ema: self.ema.clone(),
            steps_done: self.steps_done,
        }
    }

    /// Goes back to `snapshot` (a step in progress is dropped).
    pub fn restore(&mut self, snapshot: Snapshot<C::Net>) {
        self.model = Some(snapshot.model);
        self.optim = snapshot.optim;
        self.ema = snapshot.ema;
        self.steps_done = snapshot.steps_done;
        self.drop_step_in_progress();
    }

    /// The learning rate the next step will use.
    pub fn learning_rate(&self) -> f64 {
        self.config.learning_rate_at(self.steps_done)
    }

    /// The moving-average weights, the ones to sample with.
    pub fn ema_model(&self) -> &C::Net {
        &self.ema.model
    }

    /// The noise schedule trained on.
    pub fn schedule(&self) -> &NoiseSchedule {
        &self.schedule
    }

    /// The training hyper-parameters.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The network's hyper-parameters.
    pub fn model_config(&self) -> &C {
        &self.model_config
    }

    /// The sampling-side view of the moving-average model (unconditional).
    pub fn denoiser(&self) -> NetworkDenoiser<'_, C::Net> {
        NetworkDenoiser::new(&self.ema.model, self.config.prediction)
    }
}

/// The number of examples in `data` (shape `[n, ...]` of rank `D`, at least one example, every
/// value finite), or why it cannot be trained on.
fn check_data<const D: usize>(data: &TensorData) -> Result<usize, String> {
    if data.shape().len() != D {
        return Err(format!(
            "training data must have {D} axes, not {} (shape {:?})",
            data.shape().len(),
            data.shape()
        ));
    }
    let n = data.shape()[0];
    if n == 0 || data.shape().iter().any(|&d| d == 0) {
        return Err(format!(
            "training data are empty (shape {:?})",
            data.shape()
        ));
    }
    let values = data
        .as_slice::<f32>()
        .map_err(|e| format!("training data must be 32-bit floats: {e:?}"))?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "training data must be finite numbers: value {i} is {}",
            values[i]
        ));
    }
    Ok(n)
}

/// Errors unless `labels` fit `n` examples and a vocabulary of `words` words (and are there
/// exactly when the network has one).
fn check_labels(labels: Option<&[u32]>, n: usize, words: Option<usize>) -> Result<(), String> {
    match (labels, words) {
        (None, None) => Ok(()),
        (Some(_), None) => Err("labelled data need a network with a vocabulary".into()),
        (None, Some(_)) => Err("a network with a vocabulary needs labelled data".into()),
        (Some(labels), Some(max)) => {
            if labels.len() != n {
                return Err(format!(
                    "there are {} labels for {n} examples: give one label per example",
                    labels.len()
                ));
            }
            let max = max as u32;
            match labels.iter().find(|&&l| l == NO_WORD || l > max) {
                Some(bad) => Err(format!(
                    "label {bad} names no word: labels go from 1 to {max}, one per word"
                )),
                None => Ok(()),
            }
        }
    }
}

mod config;
mod draws;
mod parts;
mod rate;
mod supervised;
pub use config::{BATCH_SIZES, TrainConfig};
pub use rate::{FINAL_RATE_FRACTION, RateSchedule};
pub use supervised::SupervisedTrainer;

#[cfg(test)]
pub(crate) mod tests;
