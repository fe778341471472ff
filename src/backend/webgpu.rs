//! burn on the browser's WebGPU: the device it computes on (asked for as burn asks, watched
//! for loss, destroyable on request), and the wgpu instance the point renderer shares.

use super::browser::{probe_adapter, run_constructors_once};
use super::{Backend, BackendKind, LostWatch};
use burn::tensor::Device;
use burn::tensor::wgpu::{WgpuSetup, wgpu};
use std::cell::RefCell;
use std::sync::Arc;

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
