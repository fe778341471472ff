//! The exported `Playground` class: the 2D playground's only door for the page and for outside
//! scripts. It checks every value JavaScript passes (a panic would kill the page), runs the
//! library's [`crate::points::playground::Playground`], and reads results back asynchronously (WebGPU
//! allows no synchronous reads), one read per call.

use super::cancel::Cancel;
use super::pace::in_pieces;
use super::{OrJs, count, lost_promise, number, options, read_floats, read_values, reject, seed};
use crate::backend::{self, Backend, BackendKind};
use crate::points::playground::{self, Draw, Imported};
use crate::points::quality::Quality;
use burn::tensor::Tensor;
use jobs::{
    cpu_block_rows, cpu_train_rows, in_whole_steps, judged_loss, run_job, steps_and_cancel,
};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The 2D playground: data, schedule, a denoiser in training, and samplers.
///
/// Methods that compute on the GPU return promises. Calls may overlap: each one takes the
/// state it needs when it is made, and only its read-back is awaited.
#[wasm_bindgen]
pub struct Playground {
    inner: Rc<RefCell<playground::Playground>>,
    backend: Backend,
}

/// A promise of the tensor's values as a `Float32Array`, read back once; it rejects with the
/// request's error, if any.
fn floats<const D: usize>(tensor: Result<Tensor<D>, String>) -> Promise {
    future_to_promise(async move { read_floats(tensor.map_err(reject)?).await })
}

/// `{swd, mmd, floorSwd, floorMmd}` for JavaScript.
fn quality_object(q: &Quality) -> Object {
    let out = Object::new();
    for (key, value) in [
        ("swd", q.swd),
        ("mmd", q.mmd),
        ("floorSwd", q.floor_swd),
        ("floorMmd", q.floor_mmd),
    ] {
        // Setting a plain property on a fresh object cannot fail.
        let _ = Reflect::set(&out, &key.into(), &value.into());
    }
    out
}

/// A checked string argument, borrowed (its refusal copied).
fn text_ref(text: &Result<String, String>) -> Result<&str, String> {
    text.as_deref().map_err(Clone::clone)
}

/// Checks the numbers of a sampling request from JavaScript.
fn draw<'a>(
    n: f64,
    sampler: &'a str,
    steps: f64,
    seed_value: f64,
    eta: Option<f64>,
) -> Result<Draw<'a>, String> {
    let n = count("the number of samples", n)?;
    let steps = count("the number of steps", steps)?;
    let eta = number("eta", eta.unwrap_or(0.0))?;
    Ok(Draw::new(n, sampler, steps, seed(seed_value)?).with_eta(eta))
}

mod distilling;
mod jobs;
mod words;

#[wasm_bindgen]
impl Playground {
    /// A playground on the page's backend (WebGPU when the browser has it, else the CPU),
    /// holding 2,000 points of `moons`.
    pub async fn create() -> Playground {
        Self::on(backend::init().await)
    }

    /// A playground on the CPU backend even when WebGPU is there (to compare the two).
    #[wasm_bindgen(js_name = createOnCpu)]
    pub fn create_on_cpu() -> Playground {
        Self::on(Backend::cpu(None))
    }

    fn on(backend: Backend) -> Playground {
        backend::run_constructors_once();
        Playground {
            inner: Rc::new(RefCell::new(playground::Playground::new(
                backend.device.clone(),
            ))),
            backend,
        }
    }

    /// `"webgpu"` or `"cpu"`.
    pub fn backend(&self) -> String {
        self.backend.kind.as_str().to_string()
    }

    /// The backend in words, e.g. `WebGPU: google swiftshader`.
    #[wasm_bindgen(js_name = backendDescription)]
    pub fn backend_description(&self) -> String {
        self.backend.describe()
    }

    /// Resolves with the reason if the browser takes this playground's WebGPU device away
    /// (never, on the CPU). Nothing more can be computed on it then; a playground created
    /// afterwards gets a new device.
    pub fn lost(&self) -> Promise {
        lost_promise(self.backend.lost.clone())
    }

    /// Trains from now on `n` points of the dataset `name` (`moons`, `swissroll`, `8gaussians`,
    /// `rings`, `checkerboard`, `spiral`, `pinwheel`) drawn with `seed`; forgets the model.
    #[wasm_bindgen(js_name = setDataset)]
    pub fn set_dataset(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        n: f64,
        seed_value: f64,
    ) -> Result<(), JsError> {
        let name = options::text("the dataset's name", &name).js()?;
        let n = count("the number of points", n).js()?;
        let s = seed(seed_value).js()?;
        self.inner.borrow_mut().set_dataset(&name, n, s).js()?;
        Ok(())
    }

    /// Trains from now on your points, `[x0, y0, x1, y1, ...]` in any units (they are centred
    /// and scaled); forgets the model.
    #[wasm_bindgen(js_name = setPoints)]
    pub fn set_points(&self, points: &[f32]) -> Result<(), JsError> {
        self.inner.borrow_mut().set_points(points).js()?;
        Ok(())
    }

    /// The training points as the model sees them (standardised).
    pub fn points(&self) -> Vec<f32> {
        self.inner.borrow().points().to_vec()
    }

    /// What the data is, e.g. `dataset moons` or `your points`.
    #[wasm_bindgen(js_name = dataLabel)]
    pub fn data_label(&self) -> String {
        self.inner.borrow().data_label().to_string()
    }

    /// The training points at time `t` ∈ [0, 1] of the forward process, with noise from
    /// `seed` (the same noise for every `t`).
    pub fn noised(&self, t: f64, seed_value: f64) -> Result<Vec<f32>, JsError> {
        let s = seed(seed_value).js()?;
        self.inner.borrow().noised(t, s).js()
    }

    /// Uses the noise schedule `linear`, `cosine` or `sigmoid` with `timesteps` steps (T);
    /// forgets the model when this changes anything.
    #[wasm_bindgen(js_name = setSchedule)]
    pub fn set_schedule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        timesteps: f64,
    ) -> Result<(), JsError> {
        let name = options::text("the schedule's name", &name).js()?;
        let t = count("T", timesteps).js()?;
        self.inner.borrow_mut().set_schedule(&name, t).js()?;
        Ok(())
    }

    /// Sets Adam's learning rate and the batch size (a model in training keeps going) and the
    /// network's width (a new width starts a new model).
    #[wasm_bindgen(js_name = setTraining)]
    pub fn set_training(
        &self,
        learning_rate: f64,
        batch_size: f64,
        width: f64,
    ) -> Result<(), JsError> {
        let lr = number("the learning rate", learning_rate).js()?;
        let batch = count("the batch size", batch_size).js()?;
        let width = count("the width", width).js()?;
        self.inner
            .borrow_mut()
            .set_training(lr, batch, width)
            .js()?;
        Ok(())
    }

    /// Forgets the model: training starts again from fresh weights.
    pub fn reset(&self) {
        self.inner.borrow_mut().reset();
    }

    /// Which model the playground holds: changes whenever the model is forgotten (a change of
    /// data, schedule, width, words; `reset`) or replaced (`importWeights`).
    #[wasm_bindgen(js_name = modelVersion)]
    pub fn model_version(&self) -> f64 {
        self.inner.borrow().model_version() as f64
    }

    /// Optimiser steps taken by the current model.
    #[wasm_bindgen(js_name = stepsDone)]
    pub fn steps_done(&self) -> u32 {
        self.inner.borrow().steps_done() as u32
    }

    /// Takes `steps` optimiser steps; resolves to their mean loss.
    ///
    /// On WebGPU the steps are queued at once. On the CPU, where a step computes before it
    /// returns, each step is taken in parts of at most [`cpu_train_rows`] examples with the
    /// browser's turn between them, so the page keeps drawing; the steps are the same.
    /// `signal` (an `AbortSignal`, optional) stops the call between two steps, keeping those
    /// taken, and rejects with an `AbortError` (on WebGPU, only before the steps are queued).
    /// When the loss is not a number or explodes (see `LOSS_JUMP`), training goes back to
    /// its last good state (the steps before the last call whose loss was sound) and the
    /// promise rejects with why.
    pub fn train(&self, steps: f64, signal: JsValue) -> Promise {
        let request = steps_and_cancel(steps, &signal);
        if self.backend.kind == BackendKind::Cpu {
            let inner = self.inner.clone();
            return future_to_promise(async move {
                let (steps, cancel) = request?;
                inner.borrow_mut().prepare_training().map_err(reject)?;
                let rows = cpu_train_rows();
                let part = || inner.borrow_mut().train_part(rows);
                let (sum, done) = in_whole_steps(steps, &cancel, || false, part).await?;
                judged_loss(
                    &inner,
                    sum.expect("at least one step").div_scalar(done as f64),
                )
                .await
            });
        }
        let loss = request.and_then(|(steps, cancel)| {
            cancel.check()?;
            self.inner.borrow_mut().train(steps).map_err(reject)
        });
        let inner = self.inner.clone();
        future_to_promise(async move { judged_loss(&inner, loss?).await })
    }

    /// Starts the sampling job `request` asks for (every state with `frames`), which `signal`
    /// (an `AbortSignal`, optional) cancels between steps.
    fn run(&self, request: Result<Draw, String>, frames: bool, signal: &JsValue) -> Promise {
        let on_cpu = self.backend.kind == BackendKind::Cpu;
        let rows = if on_cpu { cpu_block_rows() } else { usize::MAX };
        let job = (|| {
            let cancel = Cancel::from_arg(signal)?;
            let job = self.inner.borrow_mut().start(&request?, frames, rows)?;
            Ok((job, cancel))
        })();
        run_job(job.map_err(reject), on_cpu)
    }

    /// `n` samples, `[x0, y0, ...]`, from `sampler` (`ddpm`, `ddim`, `euler`, `heun`,
    /// `dpmpp2m`) in `steps` steps from noise drawn with `seed`; `eta` (DDIM only, default 0)
    /// adds DDPM-like noise. `signal` (an `AbortSignal`, optional) cancels the call between
    /// steps: it rejects with an `AbortError`.
    pub fn sample(
        &self,
        n: f64,
        #[wasm_bindgen(unchecked_param_type = "string")] sampler: JsValue,
        steps: f64,
        seed_value: f64,
        eta: Option<f64>,
        signal: JsValue,
    ) -> Promise {
        let sampler = options::text("the sampler", &sampler);
        let request = text_ref(&sampler).and_then(|s| draw(n, s, steps, seed_value, eta));
        self.run(request, false, &signal)
    }

    /// Like `sample`, keeping every state: `steps + 1` frames of `n` points, frame 0 the
    /// noise and the last frame the samples, one after the other in one array.
    pub fn trajectory(
        &self,
        n: f64,
        #[wasm_bindgen(unchecked_param_type = "string")] sampler: JsValue,
        steps: f64,
        seed_value: f64,
        eta: Option<f64>,
        signal: JsValue,
    ) -> Promise {
        let sampler = options::text("the sampler", &sampler);
        let request = text_ref(&sampler).and_then(|s| draw(n, s, steps, seed_value, eta));
        self.run(request, true, &signal)
    }

    /// SWD and MMD of `samples` against held-out data, with their floors (the same distances
    /// between two draws of the data): `{swd, mmd, floorSwd, floorMmd}`.
    ///
    /// Measuring takes a few hundred milliseconds (on the CPU of the browser, whatever the
    /// backend), so it is done in pieces of a few milliseconds with the browser's turn between
    /// them.
    pub fn quality(&self, samples: &[f32]) -> Promise {
        let job = self.inner.borrow().quality_job(samples);
        future_to_promise(async move {
            let mut job = job.map_err(reject)?;
            in_pieces(|| Ok(job.step())).await?;
            Ok(quality_object(&job.finish()).into())
        })
    }

    /// The moving-average model with its card, as the bytes of a `.dlab` file.
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            // The model is copied (its tensors are shared, not duplicated) so that no borrow
            // is held across the read.
            let (model, card) = {
                let mut p = inner.borrow_mut();
                let (model, card) = p.model_and_card().map_err(reject)?;
                (model.clone(), card)
            };
            let bytes = crate::checkpoint::to_bytes_async(&model, &card)
                .await
                .map_err(reject)?;
            Ok(Uint8Array::from(&bytes[..]).into())
        })
    }

    /// Replaces the model with one from a `.dlab` file; the schedule, network and training
    /// settings come from the file. A student's file (from `exportStudent` or `distill-2d`)
    /// replaces the students instead and keeps the model. Returns what was loaded, `"model"`
    /// or `"student"`. A bad file changes nothing.
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&self, bytes: &[u8]) -> Result<String, JsError> {
        Ok(match self.inner.borrow_mut().import(bytes).js()? {
            Imported::Model => "model",
            Imported::Student(_) => "student",
        }
        .into())
    }

    /// The current settings (an imported model brings its own): `{schedule, timesteps,
    /// learningRate, batchSize, width, wordDim, labelDropout}`.
    pub fn settings(&self) -> Result<Object, JsValue> {
        let s = self.inner.borrow().settings();
        let out = Object::new();
        for (key, value) in [
            ("schedule", JsValue::from_str(s.schedule)),
            ("timesteps", (s.timesteps as f64).into()),
            ("learningRate", s.learning_rate.into()),
            ("batchSize", (s.batch_size as f64).into()),
            ("width", (s.width as f64).into()),
            ("wordDim", (s.word_dim as f64).into()),
            ("labelDropout", s.label_dropout.into()),
        ] {
            Reflect::set(&out, &key.into(), &value)?;
        }
        Ok(out)
    }
}
