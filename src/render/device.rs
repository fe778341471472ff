//! The WebGPU device that draws the page's point canvases (WebAssembly only).

use crate::backend::{self, LostWatch};
use burn::tensor::wgpu::wgpu;
use std::sync::Arc;

/// The WebGPU device that draws: one per page, shared by every canvas, and apart from the
/// device burn computes on, so drawing never waits for burn's queue.
///
/// In Chromium without GPU compositing (headless without Vulkan, some Linux set-ups),
/// presenting a WebGPU canvas drops the page's WebGPU instance: this device and burn's are
/// lost ("A valid external Instance reference no longer exists"). The page watches [`lost`]
/// and draws with Canvas2D from then on; burn asks for a new device (`backend::init`).
///
/// [`lost`]: RenderDevice::lost
pub struct RenderDevice {
    pub(super) instance: wgpu::Instance,
    pub(super) adapter: wgpu::Adapter,
    pub(super) device: wgpu::Device,
    pub(super) queue: wgpu::Queue,
    /// Says when the browser takes the device away.
    pub lost: Arc<LostWatch>,
}

impl RenderDevice {
    /// Asks the browser for a WebGPU adapter and device.
    pub async fn new() -> Result<Self, String> {
        let instance = backend::browser_instance();
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .map_err(|e| format!("no WebGPU adapter to draw with: {e}"))?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("drawing"),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("no WebGPU device to draw with: {e}"))?;
        let lost = backend::watch(&device);
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
            lost,
        })
    }
}
