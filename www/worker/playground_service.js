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

/** The methods that take an AbortSignal as their last argument. */
const CANCELLABLE = new Set(["train", "sample", "trajectory", "distillSteps", "sampleWord", "trajectoryWord"]);

/**
 * `args` for `method` with the request's `signal` in the method's last place (the bindings
 * declare every argument, so a function's `length` is where it goes).
 */
function withSignal(method, args, signal) {
  const padded = args.slice(0, method.length - 1);
  padded.length = method.length - 1;
  return [...padded, signal];
}

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

    async "playground.call"({ handle, method, args }, { progress, signal }) {
      const pg = playgrounds.get(handle);
      let result;
      if (method === "distill") result = await pg.distill({ ...args[0], onProgress: progress, signal });
      else if (CANCELLABLE.has(method)) result = await pg[method](...withSignal(pg[method], args, signal));
      else if (METHODS.has(method)) result = await pg[method](...args);
      else throw new Error(`a playground has no method ${JSON.stringify(method)} to call here`);
      return { result, state: state(pg) };
    },

    /** The playground's state (after a call that failed, which may have changed it). */
    "playground.state"({ handle }) {
      return state(playgrounds.get(handle));
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
