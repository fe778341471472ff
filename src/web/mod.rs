//! The page's door into the crate: the `wasm-bindgen` exports, camelCase for JavaScript.
//!
//! A thin facade: it converts between JavaScript values and the library's types and holds no
//! maths. `www/main.js` exposes these exports as `window.diffusionLab`.

use crate::backend::{self, Backend};
use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated: route Rust panics to the browser console.
#[wasm_bindgen(start)]
pub fn start() {
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
