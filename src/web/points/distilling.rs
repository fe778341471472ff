//! The `Playground` exports of distillation: start one from the trained model, take its steps
//! (in parts on the CPU, so the page draws between them), follow its progress, or run it all
//! with `distill(options)`, which measures each round's student as it finishes. The students
//! sample through `sample` and `trajectory` with the sampler `"student"`.

use super::jobs::{cpu_train_rows, in_whole_steps, read_loss, steps_and_cancel};
use super::{Playground, reject};
use crate::backend::BackendKind;
use crate::points::playground::{DistillProgress, DistillSettings, Draw};
use crate::web::{OrJs, count, number, options};
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// Samples drawn from each finished round's student to measure it (as the training preview).
const MEASURED_SAMPLES: usize = 2000;

/// Sets `key` on a fresh object (which cannot fail).
fn set(out: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(out, &key.into(), &value.into());
}

/// `{round, rounds, steps, stepsPerRound, fromSteps, done}` for JavaScript.
fn progress_object(p: &DistillProgress) -> Object {
    let out = Object::new();
    set(&out, "round", p.round);
    set(&out, "rounds", p.rounds);
    set(&out, "steps", p.steps as f64);
    set(&out, "stepsPerRound", p.steps_per_round as f64);
    set(&out, "fromSteps", p.from_steps as f64);
    set(&out, "done", p.done);
    out
}

/// The settings JavaScript gave (each may be left out for its default), checked for type;
/// the library checks the ranges.
fn settings(
    from_steps: Option<f64>,
    to_steps: Option<f64>,
    steps_per_round: Option<f64>,
    learning_rate: Option<f64>,
) -> Result<DistillSettings, String> {
    let d = DistillSettings::default();
    let whole = |what, v: Option<f64>, default| v.map_or(Ok(default), |v| count(what, v));
    Ok(DistillSettings {
        from_steps: whole("the teacher's steps", from_steps, d.from_steps)?,
        to_steps: whole("the student's steps", to_steps, d.to_steps)?,
        steps_per_round: whole("the steps per round", steps_per_round, d.steps_per_round)?,
        learning_rate: learning_rate
            .map_or(Ok(d.learning_rate), |v| number("the learning rate", v))?,
        ..d
    })
}

#[wasm_bindgen]
impl Playground {
    /// Starts distilling the trained model (its moving average): its students sample in
    /// `fromSteps / 2`, `fromSteps / 4`, …, `toSteps` steps (powers of two; by default 64 down
    /// to 1), each after a round of `stepsPerRound` optimiser steps (default 200) at
    /// `learningRate` (default 0.001). Forgets an earlier distillation.
    #[wasm_bindgen(js_name = startDistillation)]
    pub fn start_distillation(
        &self,
        from_steps: Option<f64>,
        to_steps: Option<f64>,
        steps_per_round: Option<f64>,
        learning_rate: Option<f64>,
    ) -> Result<(), JsError> {
        let settings = settings(from_steps, to_steps, steps_per_round, learning_rate).js()?;
        self.inner.borrow_mut().start_distillation(settings).js()
    }

    /// Takes up to `steps` distillation steps; resolves with their mean loss, or `undefined`
    /// once every round is done. `signal` cancels as in `train`.
    #[wasm_bindgen(js_name = distillSteps)]
    pub fn distill_steps(&self, steps: f64, signal: JsValue) -> Promise {
        let request = steps_and_cancel(steps, &signal);
        let inner = self.inner.clone();
        let on_cpu = self.backend.kind == BackendKind::Cpu;
        future_to_promise(async move {
            let (steps, cancel) = request?;
            let loss = if on_cpu {
                let over = || inner.borrow().distill_progress().is_some_and(|d| d.done);
                let rows = cpu_train_rows();
                let part = || inner.borrow_mut().distill_part(rows);
                let (sum, done) = in_whole_steps(steps, &cancel, over, part).await?;
                sum.map(|s| s.div_scalar(done as f64))
            } else {
                cancel.check()?;
                inner.borrow_mut().distill(steps).map_err(reject)?
            };
            match loss {
                Some(loss) => read_loss(loss).await,
                None => Ok(JsValue::UNDEFINED),
            }
        })
    }

    /// Where the distillation stands: `{round, rounds, steps, stepsPerRound, fromSteps, done}`
    /// (the round in progress, 1-based, and its steps), or `undefined` before one starts.
    #[wasm_bindgen(js_name = distillProgress)]
    pub fn distill_progress(&self) -> JsValue {
        self.inner
            .borrow()
            .distill_progress()
            .map_or(JsValue::UNDEFINED, |p| progress_object(&p).into())
    }

    /// The sampling steps of the students of the rounds done so far, first round first: the
    /// step counts `sample(n, "student", steps, seed)` accepts.
    #[wasm_bindgen(js_name = studentSteps)]
    pub fn student_steps(&self) -> Vec<u32> {
        self.inner
            .borrow()
            .student_steps()
            .into_iter()
            .map(|s| s as u32)
            .collect()
    }

    /// The student that samples in `steps` steps, as the bytes of a `.dlab` file (which
    /// `importWeights` loads back and `diffusion-lab sample-2d` samples from).
    #[wasm_bindgen(js_name = exportStudent)]
    pub fn export_student(&self, steps: f64) -> Promise {
        let found = count("the student's steps", steps)
            .and_then(|steps| self.inner.borrow().student_and_card(steps));
        future_to_promise(async move {
            let (student, card) = found.map_err(reject)?;
            let bytes = crate::checkpoint::to_bytes_async(&student, &card)
                .await
                .map_err(reject)?;
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// Distils the trained model in one call: `options` may give `fromSteps`, `toSteps`,
    /// `stepsPerRound`, `learningRate` (as `startDistillation`), `onProgress`, a function
    /// called with `distillProgress()` every 10 steps, and `signal`, an `AbortSignal` that
    /// stops it between two steps (as `distillSteps`; it can go on later with `distillSteps`).
    /// After each round its student draws
    /// 2,000 samples, measured against the data (as `quality`). Resolves with `{rounds:
    /// [{steps, swd, mmd, floorSwd, floorMmd, loss}], seconds}`, `loss` the mean loss of the
    /// round's last ten steps.
    pub fn distill(&self, options: JsValue) -> Promise {
        let this = Playground {
            inner: self.inner.clone(),
            backend: self.backend.clone(),
        };
        let started = (|| {
            let progress = options::function(&options, "onProgress")?;
            let signal =
                options::signal(&options, "signal")?.map_or(JsValue::UNDEFINED, Into::into);
            let settings = settings(
                options::number(&options, "fromSteps")?,
                options::number(&options, "toSteps")?,
                options::number(&options, "stepsPerRound")?,
                options::number(&options, "learningRate")?,
            )?;
            this.inner.borrow_mut().start_distillation(settings)?;
            Ok::<_, String>((progress, signal))
        })();
        future_to_promise(async move {
            let (on_progress, signal) = started.map_err(reject)?;
            let start = js_sys::Date::now();
            let rounds = Array::new();
            let mut measured = 0;
            loop {
                let loss = JsFuture::from(this.distill_steps(10.0, signal.clone())).await?;
                let progress = this.inner.borrow().distill_progress();
                if let (Some(f), Some(p)) = (&on_progress, progress) {
                    f.call1(&JsValue::NULL, &progress_object(&p))?;
                }
                let students = this.inner.borrow().student_steps();
                for &steps in &students[measured..] {
                    let draw = Draw::new(MEASURED_SAMPLES, "student", steps, 0);
                    let samples = JsFuture::from(this.run(Ok(draw), false, &signal)).await?;
                    let samples = read_values_of(samples)?;
                    let quality = JsFuture::from(this.quality(&samples)).await?;
                    let round: Object = quality.dyn_into()?;
                    set(&round, "steps", steps as f64);
                    set(&round, "loss", loss.clone());
                    rounds.push(&round);
                }
                measured = students.len();
                if loss.is_undefined() || progress.is_none_or(|p| p.done) {
                    break;
                }
            }
            let out = Object::new();
            set(&out, "rounds", rounds);
            set(&out, "seconds", (js_sys::Date::now() - start) / 1000.0);
            Ok(out.into())
        })
    }
}

/// The values of a `Float32Array` a sampling promise resolved with.
fn read_values_of(samples: JsValue) -> Result<Vec<f32>, JsValue> {
    let array: js_sys::Float32Array = samples.dyn_into()?;
    Ok(array.to_vec())
}
