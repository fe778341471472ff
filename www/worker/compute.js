// The compute worker: its own instance of the crate's WebAssembly module, and the playgrounds
// (`playground_service.js`) and image studios (`studio_service.js`) made in it, served to the
// page through `serve.js`. Started by `client.js` as `compute.js?glue=URL&wasm=URL` (trunk's
// JavaScript bindings and the module they load; `&threads=URL`: the threaded CPU module's
// bindings, where the page is cross-origin isolated).

import { serve } from "./serve.js";
import { startThreadPool } from "./pool.js";
import { playgroundHandlers } from "./playground_service.js";
import { studioHandlers } from "./studio_service.js";

const params = new URL(self.location.href).searchParams;
/** The module's exports, once instantiated. */
const lab = instantiate();

/**
 * The page's module (`glue`, `wasm`): burn on WebGPU, or on one CPU thread where WebGPU is
 * missing. Where it is missing and the page is cross-origin isolated (`threads` given), the
 * threaded CPU module instead: flex on a pool of one thread per core, this worker the first. A threaded module that
 * cannot start (not built, or the browser refuses shared memory) leaves the page's module.
 */
async function instantiate() {
  const threads = params.get("threads");
  if (threads && !(await webgpuAdapter())) {
    try {
      const bindings = await import(threads);
      await bindings.default({ module_or_path: threads.replace(/\.js$/, "_bg.wasm") });
      await startThreadPool(bindings, threads, navigator.hardwareConcurrency || 2);
      return bindings;
    } catch (error) {
      console.warn("the threaded CPU module could not start; computing on one thread:", error);
    }
  }
  const bindings = await import(params.get("glue"));
  await bindings.default({ module_or_path: params.get("wasm") });
  return bindings;
}

/**
 * Whether the browser offers a WebGPU adapter burn can use (it needs timestamp queries): the
 * test of `probe_adapter` in src/backend/browser.rs, asked here before either module is loaded
 * (loading the page's module only to ask would compile its 11 MB for nothing).
 */
async function webgpuAdapter() {
  try {
    const adapter = await navigator.gpu?.requestAdapter();
    return Boolean(adapter?.features.has("timestamp-query"));
  } catch {
    return false;
  }
}

serve({
  ...playgroundHandlers(lab),
  ...studioHandlers(lab),
  /** Destroys the worker's WebGPU device (see the module's `destroyDevice`). */
  async "device.destroy"() {
    return (await lab).destroyDevice();
  },
});
