//! The compute backend: burn's wgpu runtime on WebGPU in the browser, or burn's pure-Rust `flex`
//! CPU backend (natively, and in the browser when WebGPU is not available).
//!
//! burn 0.22 picks the backend at run time through a [`Device`]: every model and tensor is built
//! on the device held by the [`Backend`] returned here, never on `Device::default()`.

use burn::tensor::Device;
use event_listener::Event;
use std::sync::{Arc, OnceLock};

/// Which kind of backend a [`Backend`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// burn's wgpu runtime on the browser's WebGPU.
    WebGpu,
    /// burn's `flex` CPU backend.
    Cpu,
    /// burn's wgpu runtime natively (Vulkan, Metal, DX12): the command line's `--device gpu`.
    NativeGpu,
}

impl BackendKind {
    /// The short name the page and the exported API use: `"webgpu"` or `"cpu"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebGpu => "webgpu",
            Self::Cpu => "cpu",
            Self::NativeGpu => "gpu",
        }
    }
}

/// The device every tensor is created on, with a description of it for people.
#[derive(Clone, Debug)]
pub struct Backend {
    /// The burn device; clone it into models and tensors.
    pub device: Device,
    /// WebGPU or CPU.
    pub kind: BackendKind,
    /// The adapter's name as the browser reports it (WebGPU), or a name for the CPU backend.
    pub adapter: String,
    /// Why the CPU was chosen, when WebGPU was wanted but could not be used.
    pub fallback_reason: Option<String>,
    /// Says when the device is lost (a WebGPU device can be; the CPU never is).
    pub lost: Arc<LostWatch>,
}

/// Whether a device was lost, and a way to wait for it.
///
/// A browser can take a WebGPU device away at any time: a driver reset, or (in Chromium
/// without GPU compositing) presenting a WebGPU canvas, which drops the page's whole WebGPU
/// instance and with it every device, burn's included. Everything computed on a lost device
/// fails from then on ("The device is poisoned"), so whoever holds one watches it.
#[derive(Debug, Default)]
pub struct LostWatch {
    reason: OnceLock<String>,
    event: Event,
}

impl LostWatch {
    /// Records that the device was lost, and why; the first reason is kept.
    pub fn mark(&self, reason: String) {
        if self.reason.set(reason).is_ok() {
            self.event.notify(usize::MAX);
        }
    }

    /// Why the device was lost, if it was.
    pub fn reason(&self) -> Option<&str> {
        self.reason.get().map(String::as_str)
    }

    /// Waits until the device is lost (forever, for one that never is), then says why.
    pub async fn wait(&self) -> String {
        loop {
            if let Some(reason) = self.reason() {
                return reason.to_string();
            }
            let listener = self.event.listen();
            // Marked between the check and the listening: the listener would miss it.
            if let Some(reason) = self.reason() {
                return reason.to_string();
            }
            listener.await;
        }
    }
}

/// The CPU backend's name for people. In the browser it says whether the module was built with
/// WebAssembly's 128-bit SIMD (the shipped page) or without (`--no-default-features` and no
/// `+simd128`: the scalar build the benchmarks and the SIMD test compare against).
const CPU_ADAPTER: &str = if cfg!(not(target_family = "wasm")) {
    "burn flex (CPU)"
} else if cfg!(target_feature = "simd128") {
    "burn flex (CPU, WebAssembly SIMD)"
} else {
    "burn flex (CPU, scalar WebAssembly)"
};

impl Backend {
    /// The `flex` CPU backend, used natively and as the browser's fallback.
    pub fn cpu(fallback_reason: Option<String>) -> Self {
        Self {
            device: Device::flex(),
            kind: BackendKind::Cpu,
            adapter: CPU_ADAPTER.to_string(),
            fallback_reason,
            lost: Arc::default(),
        }
    }

    /// One line for people: `WebGPU: <adapter>` or `CPU (...), because <reason>`.
    pub fn describe(&self) -> String {
        match (self.kind, &self.fallback_reason) {
            (BackendKind::WebGpu, _) => format!("WebGPU: {}", self.adapter),
            (BackendKind::NativeGpu, _) => format!("GPU (wgpu): {}", self.adapter),
            (BackendKind::Cpu, None) => format!("CPU: {}", self.adapter),
            (BackendKind::Cpu, Some(reason)) => {
                format!("CPU: {} (WebGPU unavailable: {reason})", self.adapter)
            }
        }
    }
}

#[cfg(not(target_family = "wasm"))]
mod native;
#[cfg(not(target_family = "wasm"))]
pub use native::on_cpu_threads;

#[cfg(target_family = "wasm")]
mod browser {
    use super::{Backend, BackendKind, LostWatch};
    use burn::tensor::Device;
    use burn::tensor::wgpu::{WgpuSetup, wgpu};
    use js_sys::{Function, Promise, Reflect};
    use std::cell::RefCell;
    use std::sync::Arc;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    thread_local! {
        /// The WebGPU backend [`init`] started, kept until its device is lost.
        static CHOSEN: RefCell<Option<Backend>> = const { RefCell::new(None) };
        /// The wgpu device under the latest backend [`init`] started (to destroy it on request).
        static CURRENT_DEVICE: RefCell<Option<wgpu::Device>> = const { RefCell::new(None) };
    }

    /// Destroys the WebGPU device this page (or worker) computes on, as a driver reset or
    /// `GPUDevice.destroy()` would: everything on it is lost, and its [`LostWatch`] says so.
    /// Returns whether there was one. For trying how the page recovers.
    pub fn destroy_device() -> bool {
        CURRENT_DEVICE
            .with(|d| d.borrow_mut().take())
            .map(|device| device.destroy())
            .is_some()
    }

    unsafe extern "C" {
        /// The function wasm-ld synthesises to run every static constructor (cubecl registers
        /// its IR and compiler pieces with `inventory`, whose constructors live here).
        fn __wasm_call_ctors();
    }

    /// Runs the module's static constructors, once; [`init`] calls it first.
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

    /// Initialise burn on the browser's WebGPU, or fall back to the CPU with the reason.
    ///
    /// Asynchronous because a browser cannot create a wgpu device synchronously. Later calls
    /// return the WebGPU backend a call started, until its device is lost: then the next call
    /// asks for a new device. After a fallback to the CPU, the next call asks WebGPU again.
    pub async fn init() -> Backend {
        run_constructors_once();
        if let Some(chosen) = CHOSEN.with(|c| c.borrow().clone())
            && chosen.lost.reason().is_none()
        {
            return chosen;
        }
        let chosen = match probe_adapter().await {
            Ok(adapter) => match acquire().await {
                Ok((device, lost)) => Backend {
                    device,
                    kind: BackendKind::WebGpu,
                    adapter,
                    fallback_reason: None,
                    lost,
                },
                Err(err) => Backend::cpu(Some(format!("burn could not start on WebGPU: {err}"))),
            },
            Err(reason) => Backend::cpu(Some(reason)),
        };
        // A fallback is not kept: WebGPU may be offered again a moment later (Chromium, just
        // after it took a device away, can refuse an adapter or a device for a while).
        if chosen.kind == BackendKind::WebGpu {
            CHOSEN.with(|c| *c.borrow_mut() = Some(chosen.clone()));
        }
        chosen
    }

    /// A WebGPU device for burn, asked for as burn's runtime asks (every feature of the
    /// adapter but mappable primary buffers, the adapter's limits) and handed to burn as an
    /// existing setup. burn acquires a device of its own only once per page; a setup can be
    /// registered again, so a lost device can be replaced.
    async fn acquire() -> Result<(Device, Arc<LostWatch>), String> {
        let instance = browser_instance();
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("no WebGPU adapter: {e}"))?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("burn"),
                required_features: adapter
                    .features()
                    .difference(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS),
                required_limits: adapter.limits(),
                memory_hints: wgpu::MemoryHints::MemoryUsage,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("no WebGPU device: {e}"))?;
        let lost = watch(&device);
        CURRENT_DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
        let setup = WgpuSetup {
            instance,
            adapter,
            device,
            queue,
            backend: wgpu::Backend::BrowserWebGpu,
        };
        let device = Device::wgpu_options()
            .setup(setup)
            .init()
            .map_err(|e| e.to_string())?;
        Ok((device, lost))
    }

    /// A wgpu instance on the browser's WebGPU (`navigator.gpu`).
    pub fn browser_instance() -> wgpu::Instance {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::BROWSER_WEBGPU;
        wgpu::Instance::new(desc)
    }

    /// A [`LostWatch`] marked when the browser loses `device`.
    pub fn watch(device: &wgpu::Device) -> Arc<LostWatch> {
        let lost = Arc::new(LostWatch::default());
        let marker = lost.clone();
        device.set_device_lost_callback(move |kind, message| {
            marker.mark(format!(
                "the WebGPU device was lost ({kind:?}): {}",
                message.trim_end_matches('.')
            ))
        });
        lost
    }

    /// Asks the browser for its WebGPU adapter (`navigator.gpu.requestAdapter()`): its name for
    /// people (wgpu passes on only the often empty `description`), or why it cannot be used.
    async fn probe_adapter() -> Result<String, String> {
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
}

#[cfg(target_family = "wasm")]
pub use browser::{browser_instance, destroy_device, init, run_constructors_once, watch};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_backend_says_what_it_is_and_why() {
        let native = Backend::cpu(None);
        assert_eq!(native.kind, BackendKind::Cpu);
        assert_eq!(native.kind.as_str(), "cpu");
        assert_eq!(native.describe(), "CPU: burn flex (CPU)");
        let fallback = Backend::cpu(Some("no adapter".into()));
        assert_eq!(
            fallback.describe(),
            "CPU: burn flex (CPU) (WebGPU unavailable: no adapter)"
        );
        assert_eq!(native.lost.reason(), None);
    }

    #[test]
    fn a_lost_device_says_why_once_and_wakes_whoever_waits() {
        let lost = Arc::new(LostWatch::default());
        let waiting = std::thread::spawn({
            let lost = lost.clone();
            move || futures_lite::future::block_on(lost.wait())
        });
        lost.mark("driver reset".into());
        lost.mark("a later reason".into());
        assert_eq!(waiting.join().unwrap(), "driver reset");
        assert_eq!(lost.reason(), Some("driver reset"));
        // Already lost: waiting returns at once.
        assert_eq!(futures_lite::future::block_on(lost.wait()), "driver reset");
    }
}
