//! The devices of the command line and the benchmarks: burn's `flex` on the CPU, or (built
//! with the `gpu` feature, or `gpu-unfused`) burn's wgpu runtime on the machine's GPU through
//! Vulkan, Metal or DX12, compiling the same WGSL kernels a browser's WebGPU compiles.

use super::Backend;
#[cfg(any(test, feature = "gpu-unfused"))]
use super::BackendKind;
#[cfg(feature = "gpu-unfused")]
use burn::tensor::Device;
#[cfg(feature = "gpu-unfused")]
use std::sync::Arc;

/// The names [`Backend::native`] accepts.
const NATIVE_DEVICES: [&str; 2] = ["cpu", "gpu"];

impl Backend {
    /// The backend named `name`: `"cpu"` (burn `flex`) or `"gpu"` (burn wgpu, when built
    /// with the `gpu` feature). Errors say what to do instead.
    pub fn native(name: &str) -> Result<Self, String> {
        match name {
            "cpu" => Ok(Self::cpu(None)),
            "gpu" => Self::native_gpu(),
            other => Err(format!(
                "unknown device {other:?}: use one of {}",
                NATIVE_DEVICES.join(", ")
            )),
        }
    }

    /// The benchmarks' backend: the one `DIFFUSION_LAB_DEVICE` names (`cpu` or `gpu`), the CPU
    /// when it is unset.
    pub fn from_env() -> Result<Self, String> {
        Self::native(&std::env::var("DIFFUSION_LAB_DEVICE").unwrap_or_else(|_| "cpu".into()))
    }

    #[cfg(feature = "gpu-unfused")]
    fn native_gpu() -> Result<Self, String> {
        let (device, setup) = Device::wgpu_options()
            .init_with_setup()
            .map_err(|e| format!("burn could not start on a GPU through wgpu: {e}"))?;
        let info = setup.adapter.get_info();
        Ok(Self {
            device,
            kind: BackendKind::NativeGpu,
            adapter: format!("{} ({:?}, {})", info.name, info.backend, info.driver),
            fallback_reason: None,
            lost: Arc::default(),
        })
    }

    #[cfg(not(feature = "gpu-unfused"))]
    fn native_gpu() -> Result<Self, String> {
        Err(
            "this build has no GPU support: build it with `cargo build --release --features gpu`"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_and_unknown_names_refused() {
        assert_eq!(Backend::native("cpu").unwrap().kind, BackendKind::Cpu);
        let unknown = Backend::native("tpu").unwrap_err();
        assert!(
            unknown.contains("\"tpu\"") && unknown.contains("cpu, gpu"),
            "{unknown}"
        );
        #[cfg(not(feature = "gpu-unfused"))]
        assert!(
            Backend::native("gpu")
                .unwrap_err()
                .contains("--features gpu")
        );
    }
}
