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

/// Runs `work` on a thread of rayon's pool, the pool among which `flex`'s matrix products (and
/// [`crate::nn::linear`]'s bands) share their work.
///
/// Work handed to the pool from a thread outside it wakes a pool thread and puts the caller
/// to sleep until it is done: two thread switches for every product, many per training step.
/// Called from inside the pool, the caller takes a share itself and the other threads steal
/// the rest. On this project's 2-core machine, 2D training (width 128) went from 247 to 297
/// steps per second at batch 256 and from 85 to 104 at batch 1,024 (README, "Speed, in one run").
pub fn on_cpu_threads<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| work())
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

    #[test]
    fn work_runs_on_a_thread_of_the_pool() {
        assert_eq!(rayon::current_thread_index(), None);
        assert!(on_cpu_threads(|| rayon::current_thread_index().is_some()));
    }
}
