// The compute worker: its own instance of the crate's WebAssembly module, and the playgrounds
// (`playground_service.js`) and image studios (`studio_service.js`) made in it, served to the
// page through `serve.js`. Started by `client.js` as `compute.js?glue=URL&wasm=URL` (trunk's
// JavaScript bindings and the module they load).

import { serve } from "./serve.js";
import { playgroundHandlers } from "./playground_service.js";
import { studioHandlers } from "./studio_service.js";

const params = new URL(self.location.href).searchParams;
/** The module's exports, once instantiated. */
const lab = import(params.get("glue")).then(async (bindings) => {
  await bindings.default({ module_or_path: params.get("wasm") });
  return bindings;
});

serve({
  ...playgroundHandlers(lab),
  ...studioHandlers(lab),
  /** Destroys the worker's WebGPU device (see the module's `destroyDevice`). */
  async "device.destroy"() {
    return (await lab).destroyDevice();
  },
});
