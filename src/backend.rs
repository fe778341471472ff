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
/// `+simd128`: the scalar build the benchmarks and the SIMD test compare against), and, in the
/// threaded module, on how many threads it computes.
fn cpu_adapter() -> String {
    if cfg!(not(target_family = "wasm")) {
        return "burn flex (CPU)".into();
    }
    let build = if cfg!(target_feature = "simd128") {
        "WebAssembly SIMD"
    } else {
        "scalar WebAssembly"
    };
    #[cfg(threads)]
    let build = format!("{build}, {} threads", rayon::current_num_threads());
    format!("burn flex (CPU, {build})")
}

impl Backend {
    /// The `flex` CPU backend, used natively and as the browser's fallback.
    pub fn cpu(fallback_reason: Option<String>) -> Self {
        Self {
            device: Device::flex(),
            kind: BackendKind::Cpu,
            adapter: cpu_adapter(),
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
mod browser;
#[cfg(target_family = "wasm")]
pub use browser::run_constructors_once;
#[cfg(all(target_family = "wasm", not(webgpu)))]
pub use browser::{destroy_device, init};
#[cfg(webgpu)]
mod webgpu;
#[cfg(webgpu)]
pub use webgpu::{browser_instance, destroy_device, init, watch};

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
