// Which device the page computes on: WebGPU or burn's CPU backend (WebAssembly), with the
// reason shown under the "Compute on" selector. The playground computes in the compute worker
// (www/worker/) when there is one, else on the page's thread.

import { inWorkerOr, RemotePlayground } from "./worker/client.js";

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
 * A playground, on WebGPU (`gpu`, where there is one) or on the CPU: in the compute worker,
 * or on the page's thread where there is no worker or it cannot start.
 */
function playgroundOn(lab, gpu) {
  return inWorkerOr(
    (channel) => RemotePlayground.create(channel, lab, gpu),
    () => (gpu ? lab.Playground.create() : lab.Playground.createOnCpu()),
  );
}

/**
 * A Playground on the chosen device. "auto" takes WebGPU unless the adapter is a software
 * renderer (SwiftShader computes about a hundred times slower than burn's CPU backend).
 * `#playground[data-compute]` says where it computes ("worker" or "main").
 */
export async function makePlayground(lab, device) {
  const gpu = await playgroundOn(lab, true);
  const hasGpu = gpu.backend() === "webgpu";
  offered = hasGpu;
  const software = SOFTWARE_ADAPTER.test(gpu.backendDescription());
  const why = gpu.backendDescription().match(/WebGPU unavailable: (.*)\)$/)?.[1];
  const useGpu = hasGpu && (device === "webgpu" || (device === "auto" && !software));
  const pg = useGpu ? gpu : await playgroundOn(lab, false);
  if (!useGpu) gpu.free();
  $("playground").dataset.compute = pg instanceof RemotePlayground ? "worker" : "main";
  $("device").value = pg.backend();
  $("device").querySelector("option[value=webgpu]").disabled = !hasGpu;
  // The threaded CPU module says on how many threads it computes.
  const threads = pg.backendDescription().match(/(\d+) threads/)?.[1];
  const cpu = threads ? `the CPU's ${threads} threads` : "the CPU";
  $("device-hint").textContent = !hasGpu
    ? `This browser has no usable WebGPU${why ? ` (${why})` : ""}: computing on ${cpu}, slower.`
    : software && !useGpu
      ? "Your WebGPU adapter is a software renderer, slower than the CPU: computing on the CPU. Drawing still uses WebGPU."
      : "";
  return pg;
}


let cpuWarmedUp = false;

/**
 * Runs the code paths the page uses (training, sampling, quality) on a throwaway playground of
 * the page's own sizes (`batch`, `width` and `n`, the defaults unless the link says otherwise)
 * on the device `pg` computes on, so that the first click is as fast as the hundredth.
 * `say(text)` hears what is being prepared ("1 of 3", ...).
 *
 * On WebGPU, burn compiles a kernel the first time it runs one: the first training call took
 * 13.3 s instead of 2.9 s, the first sampling 6.0 s instead of 3.5 s
 * (SwiftShader, headless Chromium, 2 cores). The throwaway playground shares the page's
 * device, so its kernels are the page's; each new WebGPU device (a switch, a lost device)
 * compiles them again. On the CPU, V8 first compiles a WebAssembly function quickly when it is
 * first called, then compiles the functions that turn out hot again, optimised, on background
 * threads: on a 2-core machine those threads took the cores from the page for a few hundred
 * milliseconds (frame gaps of 120 to 200 ms after pressing Train): once per page, about a
 * second.
 */
export async function warmUp(lab, pg, { batch, width, n }, say = () => {}) {
  // The line is painted before the work that follows (a kernel compiling blocks the page when
  // the playground computes on the page's thread).
  const tell = async (text) => {
    say(text);
    await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok)));
  };
  const gpu = pg.backend() === "webgpu";
  if (!gpu && cpuWarmedUp) return;
  cpuWarmedUp ||= !gpu;
  const what = gpu ? "Preparing your GPU" : "Preparing the CPU code";
  const spare = pg instanceof RemotePlayground
    ? await pg.spare()
    : gpu ? await lab.Playground.create() : lab.Playground.createOnCpu();
  try {
    if (spare.backend() !== pg.backend()) return;
    spare.setDataset("moons", 1000, 0);
    spare.setTraining(0.003, batch, width);
    await tell(`${what}: training (1 of 3)…`);
    await spare.train(2);
    await tell(`${what}: sampling (2 of 3)…`);
    const samples = await spare.sample(n, "ddim", 2, 0);
    await tell(`${what}: measuring (3 of 3)…`);
    await spare.quality(samples);
  } catch (error) {
    // Only an optimisation: a setup the playground refuses is reported by the panels.
    console.warn("warming up the compute paths failed:", error);
  } finally {
    spare.free();
  }
}
