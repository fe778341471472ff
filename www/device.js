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


let warmedUp = false;

/**
 * Runs the CPU code paths the page uses (training, sampling, quality) once, on a small
 * throwaway playground. The browser compiles each WebAssembly function when it is first called,
 * which made the first training steps and the first samples about twice as slow as later
 * ones (single tasks of 120 to 180 ms, frames lost); done at start-up instead, it takes a few
 * hundred milliseconds (a second on a slow machine), once per page.
 */
export async function warmUpCpu(lab) {
  if (warmedUp) return;
  warmedUp = true;
  const pg = lab.Playground.createOnCpu();
  try {
    pg.setDataset("moons", 256, 0);
    pg.setTraining(0.003, 64, 16);
    await pg.train(2);
    const samples = await pg.sample(64, "ddim", 2, 0);
    await pg.quality(samples);
  } finally {
    pg.free();
  }
}
