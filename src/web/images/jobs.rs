//! How an `ImageStudio` call runs: the job built from the studio once the models it needs are
//! at hand, taken a step at a time on the CPU (the browser's turn between steps), cancelled by
//! an `AbortSignal`, and read back.

use super::ImageStudio;
use crate::backend::BackendKind;
use crate::images::studio::{Studio, StudioJob, StudioRequest};
use crate::web::cancel::Cancel;
use crate::web::pace::in_pieces;
use crate::web::{read_floats, reject};
use js_sys::Promise;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

impl ImageStudio {
    /// A promise of the job `make` builds from the studio (after fetching what `request`
    /// needs), taken step by step (the browser's turn between steps on the CPU) and `finish`ed.
    /// The option `signal` (an `AbortSignal`) cancels the job: it stops before its next step
    /// (on the CPU; on WebGPU the steps are queued at once) and rejects with an `AbortError`;
    /// the studio stays usable.
    pub(super) fn run(
        &self,
        options: &JsValue,
        request: Result<StudioRequest, String>,
        make: impl FnOnce(&Studio, &StudioRequest) -> Result<StudioJob, String> + 'static,
        finish: impl FnOnce(StudioJob) -> Finished + 'static,
    ) -> Promise {
        let this = self.handle();
        let cancel = Cancel::from_option(options, "signal");
        future_to_promise(async move {
            let request = request.map_err(reject)?;
            let cancel = cancel.map_err(reject)?;
            cancel.check()?;
            this.fetch_missing(&request).await?;
            cancel.check()?;
            let mut job = make(&this.studio.borrow(), &request).map_err(reject)?;
            if this.backend.kind == BackendKind::Cpu {
                in_pieces(|| cancel.check().map(|_| job.step())).await?;
            }
            finish(job).await
        })
    }
}

/// What a finished job resolves its promise with, read back asynchronously.
pub(super) type Finished = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A job's images, as a `Float32Array`.
pub(super) fn images(job: StudioJob) -> Finished {
    Box::pin(read_floats(job.images()))
}
