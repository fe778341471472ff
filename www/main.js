// Boots the page: waits for trunk to instantiate the wasm module, initialises the compute
// backend, and shows which one was chosen.
//
// Outside scripts and tests drive the app through two globals:
//   window.diffusionLab       the wasm module's exports (set once they can be called)
//   window.diffusionLabReady  a promise that resolves to window.diffusionLab once the backend
//                             is initialised, or rejects with the start-up error.

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
window.diffusionLabReady.catch((error) => {
  show("error", `Diffusion Lab could not start: ${error?.message ?? error}`);
  console.error(error);
});
