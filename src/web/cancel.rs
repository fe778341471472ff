//! Cancelling a running job from JavaScript: an `AbortSignal`, looked at between the job's
//! pieces of work (on the CPU, where the browser gets its turn between them; on WebGPU the work
//! is queued at once, so only before it starts). A cancelled job rejects with an `AbortError`,
//! as `fetch` does, and leaves what it worked on usable.

use super::options;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// A job's way to learn that it was cancelled: an `AbortSignal`, or none.
pub(crate) struct Cancel(Option<AbortSignal>);

impl Cancel {
    /// From a positional argument: `undefined` or `null` for none, else an `AbortSignal`.
    pub(crate) fn from_arg(value: &JsValue) -> Result<Self, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(Self(None));
        }
        value
            .dyn_ref::<AbortSignal>()
            .map(|signal| Self(Some(signal.clone())))
            .ok_or_else(|| "the last argument must be an AbortSignal (or left out)".to_string())
    }

    /// From the field `key` of an options object.
    pub(crate) fn from_option(options: &JsValue, key: &str) -> Result<Self, String> {
        options::signal(options, key).map(Self)
    }

    /// `Err(AbortError)` once the signal was aborted.
    pub(crate) fn check(&self) -> Result<(), JsValue> {
        match &self.0 {
            Some(signal) if signal.aborted() => Err(cancelled()),
            _ => Ok(()),
        }
    }
}

/// The error a cancelled job rejects with: an `Error` named `AbortError`.
fn cancelled() -> JsValue {
    let error = js_sys::Error::new("the job was cancelled");
    error.set_name("AbortError");
    error.into()
}
