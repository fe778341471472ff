//! What `ImageStudio` takes in: the shipped files (where they are, fetched with progress, read
//! and checked), the backend an options object asks for, and a request from an options
//! object.

use crate::backend::{self, Backend};
use crate::checkpoint::{self, Card};
use crate::images::studio::{Model, StudioRequest};
use crate::sampler::SamplerKind;
use crate::web::{count, number, options, seed};
use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/web/fetch.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchBytes)]
    fn fetch_bytes(url: &str, on_progress: &JsValue) -> Promise;
}

/// Where the page finds the shipped models, relative to it.
pub(super) const SHIPPED: &str = "www/models/";
/// The shipped autoencoder (its decoder draws; its encoder reads a person's image).
pub(super) const AUTOENCODER: &str = "autoencoder.dlab";
/// The shipped teacher.
pub(super) const TEACHER: &str = "denoiser.dlab";
/// The shipped judge (the classifier `eval-images` judges with).
pub(super) const JUDGE: &str = "judge.dlab";
/// The student a studio opens with.
pub(super) const FIRST_STUDENT: usize = 4;
/// The students shipped, by steps.
pub(super) const SHIPPED_STUDENTS: [usize; 3] = [1, 2, 4];

/// The shipped `steps`-step student's file name.
pub(super) fn student_file(steps: usize) -> String {
    format!("student-{steps}.dlab")
}

/// Fetches `base + file`, reporting `{file, loaded, total}` to `on_progress`.
pub(super) async fn fetch(
    base: &str,
    file: &str,
    on_progress: Option<&Function>,
) -> Result<Vec<u8>, JsValue> {
    let callback = match on_progress {
        Some(f) => {
            let (f, file) = (f.clone(), file.to_string());
            Closure::<dyn Fn(f64, f64)>::new(move |loaded: f64, total: f64| {
                let report = js_sys::Object::new();
                for (key, value) in [
                    ("file", JsValue::from_str(&file)),
                    ("loaded", loaded.into()),
                    ("total", total.into()),
                ] {
                    let _ = js_sys::Reflect::set(&report, &key.into(), &value);
                }
                let _ = f.call1(&JsValue::NULL, &report);
            })
            .into_js_value()
        }
        None => JsValue::UNDEFINED,
    };
    let bytes = JsFuture::from(fetch_bytes(&format!("{base}{file}"), &callback)).await?;
    Ok(Uint8Array::new(&bytes).to_vec())
}

/// A model file read, its format, version and kind checked, named in the message when not.
pub(super) fn read<C: Card>(
    what: &str,
    bytes: &[u8],
    backend: &Backend,
) -> Result<(C::Net, C), String> {
    checkpoint::from_bytes::<C>(bytes, &backend.device).map_err(|e| format!("{what}: {e}"))
}

/// The backend `{device: "cpu"}` asks for, or the page's.
pub(super) async fn backend_of(options: &JsValue) -> Result<Backend, String> {
    match options::string(options, "device")?.as_deref() {
        None | Some("auto") => Ok(backend::init().await),
        Some("cpu") => Ok(Backend::cpu(None)),
        Some(other) => Err(format!(
            "the device is \"cpu\" or \"auto\" (WebGPU when the browser has it), not {other:?}"
        )),
    }
}

/// A request from `{word, n, steps, guidance, seed, model, sampler}` (defaults: 16 images,
/// 4 steps, guidance 3, seed 0, the student; the teacher's sampler DPM-Solver++).
pub(super) fn request(options: &JsValue) -> Result<StudioRequest, String> {
    let word = options::string(options, "word")?
        .ok_or("say which word to draw: the option word, e.g. {word: \"sneaker\"}")?;
    let whole = |key, what, default: usize| {
        options::number(options, key)?.map_or(Ok(default), |v| count(what, v))
    };
    let model = match options::string(options, "model")?.as_deref() {
        None | Some("student") => Model::Student,
        Some("teacher") => {
            let sampler = options::string(options, "sampler")?;
            Model::Teacher(SamplerKind::parse(
                sampler.as_deref().unwrap_or("dpmpp2m"),
                0.0,
            )?)
        }
        Some(other) => {
            return Err(format!(
                "the model is \"student\" or \"teacher\", not {other:?}"
            ));
        }
    };
    Ok(StudioRequest {
        word,
        n: whole("n", "the number of images", 16)?,
        steps: whole("steps", "the number of steps", FIRST_STUDENT)?,
        guidance: number(
            "guidance",
            options::number(options, "guidance")?.unwrap_or(3.0),
        )?,
        seed: seed(options::number(options, "seed")?.unwrap_or(0.0))?,
        model,
    })
}
