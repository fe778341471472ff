//! How the `Playground`'s computing calls run: sampling jobs and training steps taken a piece at
//! a time on the CPU (the browser's turn between pieces), cancelled by an `AbortSignal` between
//! steps, and their results read back (a training loss judged for divergence on the way).

use super::playground::{self, SamplingJob};
use crate::web::cancel::Cancel;
use crate::web::pace::{in_pieces, in_worker};
use crate::web::{count, read_floats, reject};
use burn::tensor::Tensor;
use js_sys::Promise;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Points in one step of a sampling job on the CPU. On the page's thread 256: a step of the
/// default network (width 128) computes 256 points in about 20-35 ms in Chromium on this
/// project's 2-core machine, so the page paints between blocks (blocks of 512, 50-70 ms each,
/// left frame gaps of 83-100 ms). In a Web Worker, where no frame waits, 2,048: blocks large
/// enough to share among threads, and fewer of them. (On WebGPU a step of the whole batch is
/// only queued.)
pub(super) fn cpu_block_rows() -> usize {
    if in_worker() { 2048 } else { 256 }
}

/// The most examples in one part of a training or distillation step on the CPU.
///
/// On the page's thread, 64: the default batch (512) is then taken in eight parts of about 20
/// ms each with the default network (width 128), in Chromium on this project's 2-core machine,
/// and the page paints every 40-50 ms. Parts of 128 (35 ms, up to 70 on a busy machine) left
/// the longest frame gaps at 100-150 ms; parts of 64 took as many steps in 15 s (34-41 against
/// 38-40, alternated runs; see the README).
///
/// In a Web Worker (where the page computes; the threaded module runs nowhere else), where no
/// frame waits, 512: the default batch in one part, large enough to share among threads, and
/// without the cost of eight (the one-thread SIMD module in a worker trained at 41.1 steps/s
/// in parts of 64 where the threaded module on one thread, in one part, trained at 51.3). A
/// step in parts is the step in one piece, so either way the same network trains from the same
/// seed.
pub(super) fn cpu_train_rows() -> usize {
    if in_worker() { 512 } else { 64 }
}

/// A loss read back, as a JavaScript number.
pub(super) async fn read_loss(loss: Tensor<1>) -> Result<JsValue, JsValue> {
    read_scalar(loss)
        .await
        .map(|value| JsValue::from_f64(value as f64))
}

/// A loss read back.
pub(super) async fn read_scalar(loss: Tensor<1>) -> Result<f32, JsValue> {
    loss.into_scalar_async()
        .await
        .map_err(|e| reject(format!("reading the loss back failed: {e:?}")))
}

/// A training loss read back and judged ([`playground::Playground::judge_loss`]): a diverged
/// training goes back to its last good state and the promise rejects with why.
pub(super) async fn judged_loss(
    inner: &RefCell<playground::Playground>,
    loss: Tensor<1>,
) -> Result<JsValue, JsValue> {
    let value = read_scalar(loss).await?;
    inner.borrow_mut().judge_loss(value).map_err(reject)?;
    Ok(JsValue::from_f64(value as f64))
}

/// A promise of a sampling job's result (as `floats`). On the CPU, where every step computes
/// before it returns, the job yields to the browser between steps, so a long run (2,000 points
/// over 50 steps take seconds) never freezes the page; on WebGPU steps are only queued.
/// Its [`Cancel`] stops it between steps.
pub(super) fn run_job(job: Result<(SamplingJob, Cancel), JsValue>, on_cpu: bool) -> Promise {
    future_to_promise(async move {
        let (mut job, cancel) = job?;
        cancel.check()?;
        if on_cpu {
            in_pieces(|| cancel.check().map(|_| job.step())).await?;
        } else {
            while job.step() {}
        }
        read_floats(job.finish()).await
    })
}

/// Takes `steps` optimiser steps on the CPU, each in parts with the browser's turn between them
/// ([`in_pieces`]): `part` takes the next part and returns the step's loss once its last part
/// is done. `over` says, between two steps, that there is nothing left to do, and `cancel`
/// stops the call there (never in the middle of a step). Returns the sum of the losses and the
/// number of steps taken.
pub(super) async fn in_whole_steps(
    steps: usize,
    cancel: &Cancel,
    over: impl Fn() -> bool,
    mut part: impl FnMut() -> Result<Option<Tensor<1>>, String>,
) -> Result<(Option<Tensor<1>>, usize), JsValue> {
    let mut sum: Option<Tensor<1>> = None;
    let (mut done, mut between_steps) = (0, true);
    in_pieces(|| {
        if between_steps {
            cancel.check()?;
            if over() {
                return Ok(false);
            }
        }
        let loss = part().map_err(reject)?;
        between_steps = loss.is_some();
        if let Some(loss) = loss {
            sum = Some(sum.take().map_or(loss.clone(), |s| s + loss));
            done += 1;
        }
        Ok(done < steps)
    })
    .await?;
    Ok((sum, done))
}

/// Checks a number of training (or distillation) steps to take in one call, and the call's
/// `AbortSignal`.
pub(super) fn steps_and_cancel(steps: f64, signal: &JsValue) -> Result<(usize, Cancel), JsValue> {
    let steps = count("the number of steps", steps)
        .and_then(|steps| playground::Playground::check_train_steps(steps).map(|()| steps));
    Ok((
        steps.map_err(reject)?,
        Cancel::from_arg(signal).map_err(reject)?,
    ))
}
