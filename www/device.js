// Which device the page computes on: WebGPU or burn's CPU backend (WebAssembly), with the
// reason shown under the "Compute on" selector.

const $ = (id) => document.getElementById(id);

/** WebGPU adapters that run on the CPU, where burn's CPU backend is much faster. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

/**
 * A Playground on the chosen device. "auto" takes WebGPU unless the adapter is a software
 * renderer (SwiftShader computes about a hundred times slower than burn's CPU backend).
 */
export async function makePlayground(lab, device) {
  const gpu = await lab.Playground.create();
  const hasGpu = gpu.backend() === "webgpu";
  const software = SOFTWARE_ADAPTER.test(gpu.backendDescription());
  const useGpu = hasGpu && (device === "webgpu" || (device === "auto" && !software));
  const pg = useGpu ? gpu : lab.Playground.createOnCpu();
  if (!useGpu) gpu.free();
  $("device").value = pg.backend();
  $("device").querySelector("option[value=webgpu]").disabled = !hasGpu;
  $("device-hint").textContent = !hasGpu
    ? "This browser has no usable WebGPU: computing on the CPU."
    : software && !useGpu
      ? "Your WebGPU adapter is a software renderer, slower than the CPU: computing on the CPU. Drawing still uses WebGPU."
      : "";
  return pg;
}

