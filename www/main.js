// Boots the page: waits for trunk to instantiate the wasm module, initialises the compute
// backend, shows which one was chosen, and starts the playground.
//
// Outside scripts and tests drive the app through these globals:
//   window.diffusionLab       the wasm module's exports (set once they can be called)
//   window.diffusionLabReady  a promise that resolves to window.diffusionLab once the backend
//                             is initialised, or rejects with the start-up error.
//   window.diffusionLabPage   a promise that resolves to the playground page once it is drawn;
//                             its `pg` is the page's Playground.
//   window.diffusionLabUi     that page, set once it is drawn (for synchronous checks).
//   window.diffusionLabImages a promise that resolves to the images panel once its first grid
//                             is drawn; its `studio` is the page's ImageStudio.

import { startPlayground } from "./playground.js";
import { startImages } from "./images_panel.js";
import { readState, saveState } from "./url_state.js";

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

/** The link's setup, shared by the playground and the images panel. */
const state = readState(location.hash);
window.diffusionLabReady = boot();
window.diffusionLabPage = window.diffusionLabReady.then((lab) => startPlayground(lab, state)).then((ui) => {
  window.diffusionLabUi = ui;
  return ui;
});
// The images panel starts beside the playground, once the backend is chosen.
window.diffusionLabImages = window.diffusionLabReady.then((lab) => startImages(lab, state, () => saveState(state)));
window.diffusionLabImages.catch((error) => console.error(error));
window.diffusionLabPage.catch((error) => {
  show("error", `Diffusion Lab could not start: ${error?.message ?? error}`);
  console.error(error);
});
