//! The browser's side of the backend, in both WebAssembly modules: the module's static
//! constructors, and what the browser says of its WebGPU adapter. The page's module goes on to
//! WebGPU ([`super::webgpu`]); the threaded CPU module (built with `+atomics`, which cubecl's
//! WebGPU runtime cannot be) always computes on the CPU, on a pool of web workers.

#[cfg(not(webgpu))]
use super::Backend;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

unsafe extern "C" {
    /// The function wasm-ld synthesises to run every static constructor (cubecl registers
    /// its IR and compiler pieces with `inventory`, whose constructors live here).
    fn __wasm_call_ctors();
}

/// Runs the module's static constructors, once; `init` calls it first.
///
/// wasm-ld treats a module that never calls `__wasm_call_ctors` itself as a "command": it
/// then wraps *every* export in a call to it, so each call from JavaScript (every `train`,
/// every promise callback, every frame's `noised` and draw) re-ran all of cubecl's
/// constructors. In the browser that cost most of a WebGPU training step (5 steps took
/// 8.7 s before, 1.8 s after, batch 256, width 64, SwiftShader). Calling it here makes the
/// module a "reactor" (see the `inventory` crate's notes on WebAssembly), so whatever
/// reaches burn must come through here (or the page's start function) first.
pub fn run_constructors_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    // SAFETY: the constructors are the crate graph's own initialisers; `Once` runs them a
    // single time, before any export that needs them does its work.
    DONE.call_once(|| unsafe { __wasm_call_ctors() });
}

/// The threaded CPU module's backend: `flex` on the pool's threads, with why it is not on WebGPU
/// (the browser's reason where it has none; else that this module has no WebGPU).
#[cfg(not(webgpu))]
pub async fn init() -> Backend {
    run_constructors_once();
    let reason = match probe_adapter().await {
        Ok(adapter) => format!("{adapter} is there, but this is the threaded CPU module"),
        Err(reason) => reason,
    };
    Backend::cpu(Some(reason))
}

/// The threaded CPU module has no WebGPU device to destroy.
#[cfg(not(webgpu))]
pub fn destroy_device() -> bool {
    false
}

/// Asks the browser for its WebGPU adapter (`navigator.gpu.requestAdapter()`): its name for
/// people (wgpu passes on only the often empty `description`), or why it cannot be used.
pub(super) async fn probe_adapter() -> Result<String, String> {
    let gpu = get(&get(&js_sys::global(), "navigator")?, "gpu")?;
    if gpu.is_undefined() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request: Function = get(&gpu, "requestAdapter")?
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
    let promise: Promise = request
        .call0(&gpu)
        .and_then(|p| p.dyn_into::<Promise>())
        .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser offered no WebGPU adapter".into());
    }
    // cubecl-wgpu panics on wasm when it must time work without GPU timestamp queries
    // (it would have to block), so such an adapter is not used.
    let features = get(&adapter, "features")?;
    let has: Function = get(&features, "has")?
        .dyn_into()
        .map_err(|_| "adapter.features.has is not a function".to_string())?;
    let timestamps = has
        .call1(&features, &JsValue::from_str("timestamp-query"))
        .map(|v| v.is_truthy())
        .unwrap_or(false);
    if !timestamps {
        return Err("the WebGPU adapter lacks the timestamp-query feature burn needs".into());
    }
    let info = get(&adapter, "info")?;
    let field = |name| {
        get(&info, name)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    Ok(adapter_label(
        &field("vendor"),
        &field("architecture"),
        &field("description"),
    ))
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    Reflect::get(target, &JsValue::from_str(key)).map_err(|e| format!("reading {key}: {e:?}"))
}

/// `description (vendor architecture)`, leaving out what the browser keeps empty.
fn adapter_label(vendor: &str, architecture: &str, description: &str) -> String {
    let maker = [vendor, architecture]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    match (description.is_empty(), maker.is_empty()) {
        (false, false) => format!("{description} ({maker})"),
        (false, true) => description.to_string(),
        (true, false) => maker,
        (true, true) => "WebGPU adapter (the browser does not tell its name)".to_string(),
    }
}
