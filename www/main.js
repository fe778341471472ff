// Boots the page: waits for trunk to instantiate the wasm module, initialises the compute
// backend, shows which one was chosen, and starts the playground.
//
// Outside scripts and tests drive the app through three globals:
//   window.diffusionLab       the wasm module's exports (set once they can be called)
//   window.diffusionLabReady  a promise that resolves to window.diffusionLab once the backend
//                             is initialised, or rejects with the start-up error.
//   window.diffusionLabPage   a promise that resolves to the playground page once it is drawn;
//                             its `pg` is the page's Playground.
//   window.diffusionLabUi     that page, set once it is drawn (for synchronous checks).

import { startPlayground } from "./playground.js";

const backendLine = document.getElementById("backend");

/** Resolves with trunk's wasm bindings once the module is instantiated. */
function wasmBindings() {
  if (window.wasmBindings) return Promise.resolve(window.wasmBindings);
  return new Promise((resolve) => {
    addEventListener("TrunkApplicationStarted", () => resolve(window.wasmBindings), {
      once: true,
    });
  });
}

function show(state, text) {
  backendLine.dataset.state = state;
  backendLine.textContent = text;
}

async function boot() {
  show("loading", "Initialising the compute backend…");
  const lab = await wasmBindings();
  const backend = await lab.initBackend();
  show(backend.kind, backend.description);
  window.diffusionLab = lab;
  return lab;
}

window.diffusionLabReady = boot();
window.diffusionLabPage = window.diffusionLabReady.then(startPlayground).then((ui) => {
  window.diffusionLabUi = ui;
  return ui;
});
window.diffusionLabPage.catch((error) => {
  show("error", `Diffusion Lab could not start: ${error?.message ?? error}`);
  console.error(error);
});
