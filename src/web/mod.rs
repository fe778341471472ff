//! The page's door into the crate: the `wasm-bindgen` exports, camelCase for JavaScript.
//!
//! A thin facade: it converts between JavaScript values and the library's types and holds no
//! maths. `www/main.js` exposes these exports as `window.diffusionLab`.
//!
//! - this file: start-up, the backend, the schedule curve (JavaScript numbers are checked by
//!   `crate::check`);
//! - `points.rs`: the `Playground` class (the 2D playground's API);
//! - `images.rs`: the `ImageStudio` class (images of a word), `fetch.js` its downloads;
//! - `options.rs`: strings from JavaScript, and the fields of the options objects it passes;
//! - `point_canvas.rs`: the `PointCanvas` class (drawing points with wgpu);
//! - `pace.rs`: the browser's turn between pieces of CPU work;
//! - `cancel.rs`: jobs cancelled by an `AbortSignal`;
//! - `threads.rs` (the threaded CPU module only): its pool of threads on web workers.

mod cancel;
mod images;
mod options;
mod pace;
#[cfg(webgpu)]
mod point_canvas;
mod points;
#[cfg(not(webgpu))]
mod threads;

pub use images::ImageStudio;
#[cfg(webgpu)]
pub use point_canvas::PointCanvas;
pub use points::Playground;
#[cfg(not(webgpu))]
pub use threads::{join_thread_pool, start_thread_pool, thread_pool_parts};

use crate::backend::{self, Backend, LostWatch};
pub(crate) use crate::check::{count, number, seed};
use burn::tensor::Tensor;
use js_sys::{Float32Array, Promise};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Runs once when the module is instantiated: route Rust panics to the browser console, and run
/// the static constructors.
#[wasm_bindgen(start)]
pub fn start() {
    backend::run_constructors_once();
    console_error_panic_hook::set_once();
}

/// The crate's version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Which backend the page computes on, as JavaScript sees it.
#[wasm_bindgen]
pub struct BackendInfo(Backend);

#[wasm_bindgen]
impl BackendInfo {
    /// `"webgpu"` or `"cpu"`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.0.kind.as_str().to_string()
    }

    /// The WebGPU adapter's name, or the CPU backend's.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> String {
        self.0.adapter.clone()
    }

    /// Why WebGPU was not used, when it was not.
    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.0.fallback_reason.clone()
    }

    /// One line for people, e.g. `WebGPU: google swiftshader`.
    #[wasm_bindgen(getter)]
    pub fn description(&self) -> String {
        self.0.describe()
    }
}

/// Initialise the compute backend: WebGPU when the browser has it, else the CPU.
///
/// Call it (and await it) before anything else; later calls return the same backend.
#[wasm_bindgen(js_name = initBackend)]
pub async fn init_backend() -> BackendInfo {
    BackendInfo(backend::init().await)
}

/// Destroys the WebGPU device this page (or worker) computes on, as a driver reset would:
/// playgrounds and studios on it are lost (their `lost()` promises resolve), which is how the
/// page's recovery can be tried. Returns whether there was a device to destroy.
#[wasm_bindgen(js_name = destroyDevice)]
pub fn destroy_device() -> bool {
    backend::destroy_device()
}

/// ᾱ(t) of the schedule `name` with `timesteps` steps at `points` evenly spaced times from 0 to
/// 1, for the page's schedule chart.
#[wasm_bindgen(js_name = alphaBarCurve)]
pub fn alpha_bar_curve(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    timesteps: f64,
    points: f64,
) -> Result<Vec<f32>, JsError> {
    let name = options::text("the schedule's name", &name).js()?;
    let steps = count("T", timesteps).js()?;
    let points = count("the number of points", points).js()?;
    crate::diffusion::schedule::alpha_bar_curve(&name, steps, points).js()
}

/// `n` points of the built-in dataset `name` drawn with `seed`, `[x0, y0, ...]` (the page
/// names datasets with words for the conditional playground this way).
#[wasm_bindgen(js_name = datasetPoints)]
pub fn dataset_points(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    n: f64,
    seed_value: f64,
) -> Result<Vec<f32>, JsError> {
    let name = options::text("the dataset's name", &name).js()?;
    let n = count("the number of points", n).js()?;
    crate::points::data::sample_named(&name, n, seed(seed_value).js()?).js()
}

/// A promise that resolves with the reason once the device `lost` watches is lost.
pub(crate) fn lost_promise(lost: Arc<LostWatch>) -> Promise {
    future_to_promise(async move { Ok(JsValue::from_str(&lost.wait().await)) })
}

/// A `JsError` as the `JsValue` a promise rejects with.
pub(crate) fn reject(message: String) -> JsValue {
    JsError::new(&message).into()
}

/// The tensor's values as a `Float32Array`, read back asynchronously.
pub(crate) async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<JsValue, JsValue> {
    Ok(Float32Array::from(&read_values(tensor).await?[..]).into())
}

/// The tensor's values, read back asynchronously.
pub(crate) async fn read_values<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, JsValue> {
    tensor
        .into_data_async()
        .await
        .map_err(|e| reject(format!("reading the result back failed: {e:?}")))?
        .try_into_vec::<f32>()
        .map_err(|e| reject(format!("the result has an unexpected type: {e:?}")))
}

/// Turns the library's `String` errors into JavaScript errors.
pub(crate) trait OrJs<T> {
    /// `Err(message)` becomes a `JsError` with that message.
    fn js(self) -> Result<T, JsError>;
}

impl<T> OrJs<T> for Result<T, String> {
    fn js(self) -> Result<T, JsError> {
        self.map_err(|e| JsError::new(&e))
    }
}
