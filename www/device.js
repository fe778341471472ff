// Which device the page computes on: WebGPU or burn's CPU backend (WebAssembly), with the
// reason shown under the "Compute on" selector.

const $ = (id) => document.getElementById(id);

/** WebGPU adapters that run on the CPU, where burn's CPU backend is much faster. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

/** Whether an adapter described so (e.g. "WebGPU: google swiftshader") runs on the CPU. */
export const softwareAdapter = (description) => SOFTWARE_ADAPTER.test(description);

/** Whether the browser offered a usable WebGPU device the last time one was asked for. */
let offered = false;

/** Whether the last makePlayground found a usable WebGPU device (whichever it chose). */
export const webgpuOffered = () => offered;

/**
 * A Playground on the chosen device. "auto" takes WebGPU unless the adapter is a software
 * renderer (SwiftShader computes about a hundred times slower than burn's CPU backend).
 */
export async function makePlayground(lab, device) {
  const gpu = await lab.Playground.create();
  const hasGpu = gpu.backend() === "webgpu";
  offered = hasGpu;
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
 * Runs the CPU code paths the page uses (training, sampling, quality) on a throwaway
 * playground of the page's own sizes (`batch` and `width`, the defaults unless the link says
 * otherwise), long enough for the browser to finish compiling them. V8 first compiles a
 * WebAssembly function quickly when it is first called, then compiles the functions that
 * turn out hot again, optimised, on background threads: on a 2-core machine those threads
 * take the cores from the page and from the GPU process for a few hundred milliseconds, which
 * made the first training steps half as fast and lost frames (gaps of 120 to 200 ms after
 * pressing Train, 130 to 180 ms at the first preview). Done at start-up, once per page, it
 * takes about a second on such a machine.
 */
export async function warmUpCpu(lab, { batch, width }) {
  if (warmedUp) return;
  warmedUp = true;
  const pg = lab.Playground.createOnCpu();
  try {
    pg.setDataset("moons", 1000, 0);
    pg.setTraining(0.003, batch, width);
    await pg.train(2);
    const samples = await pg.sample(1024, "ddim", 2, 0);
    await pg.quality(samples);
  } catch (error) {
    // Only an optimisation: a setup the playground refuses is reported by the panels.
    console.warn("warming up the CPU paths failed:", error);
  } finally {
    pg.free();
  }
}
