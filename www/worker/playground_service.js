// The playgrounds of the compute worker: `Playground`s of the crate's module made and called
// here for the page (see `remote_playground.js`, their handle there). Each answer carries the
// playground's state that the page reads synchronously.

import { Handles } from "./handles.js";

/** The methods the page may call here (the rest it answers from its own copy of the data). */
const METHODS = new Set([
  // The setup, repeated here after the page's copy accepted it.
  "setDataset", "setPoints", "setSchedule", "setTraining", "reset", "setLabeledPoints",
  "setDatasets", "setConditioning", "importWeights",
  // The computing.
  "train", "sample", "trajectory", "quality", "exportWeights", "exportStudent",
  "startDistillation", "distillSteps", "sampleWord", "trajectoryWord", "embeddings",
  "embeddingMap",
]);

/** What the page reads of a playground without waiting. */
const state = (pg) => ({
  stepsDone: pg.stepsDone(),
  studentSteps: Array.from(pg.studentSteps()),
  distillProgress: pg.distillProgress(),
  backend: pg.backend(),
  backendDescription: pg.backendDescription(),
});

/** The handlers of `serve` for playgrounds, with `lab` the promise of the module's exports. */
export function playgroundHandlers(lab) {
  const playgrounds = new Handles("playground");
  return {
    /** A playground on WebGPU when the worker has it (`gpu: true`), else on the CPU. */
    async "playground.create"({ gpu }) {
      const { Playground } = await lab;
      const pg = gpu ? await Playground.create() : Playground.createOnCpu();
      const handle = playgrounds.reserve();
      playgrounds.set(handle, pg);
      return { handle, state: state(pg) };
    },

    async "playground.call"({ handle, method, args }, { progress }) {
      const pg = playgrounds.get(handle);
      let result;
      if (method === "distill") result = await pg.distill({ ...args[0], onProgress: progress });
      else if (METHODS.has(method)) result = await pg[method](...args);
      else throw new Error(`a playground has no method ${JSON.stringify(method)} to call here`);
      return { result, state: state(pg) };
    },

    /** Resolves with the reason once the playground's WebGPU device is lost. */
    "playground.lost"({ handle }) {
      return playgrounds.get(handle).lost();
    },

    "playground.free"({ handle }) {
      playgrounds.free(handle);
    },
  };
}
