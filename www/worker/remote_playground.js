// A Playground that computes in the compute worker, with the crate's Playground methods, so
// the page's panels drive it as they drive a local one while training, sampling, measuring and
// distilling (and WebGPU's kernel compiling) happen off the main thread.
//
// The page keeps a copy of the data and settings: a CPU Playground (`mirror`) that never
// trains. A change of setup goes to the mirror first, which checks it and throws at once as a
// local playground does, then to the worker (requests run there in order, so the worker's
// setup always follows the page's). What is only data (the points, the noised points, the
// words, the settings) the mirror answers at once; what training changes (steps done, the
// students, the distillation's progress) comes back with every answer of the worker.

/** Changes of setup: checked and applied by the mirror, then repeated in the worker. */
const SETTERS = [
  "setDataset", "setPoints", "setSchedule", "setTraining", "reset", "setLabeledPoints",
  "setDatasets", "setConditioning",
];
/** What the mirror answers at once. */
const DATA = ["points", "dataLabel", "noised", "words", "labels", "settings", "wordQuality"];
/** What the worker computes (each returns a promise). */
const COMPUTE = [
  "train", "sample", "trajectory", "quality", "exportWeights", "exportStudent",
  "startDistillation", "distillSteps", "distill", "sampleWord", "trajectoryWord", "embeddings",
  "embeddingMap",
];

export class RemotePlayground {
  /**
   * A playground in the worker of `channel`, on WebGPU when `gpu` and the worker has it, else
   * on the CPU; `lab` is the page's module (for the mirror).
   */
  static async create(channel, lab, gpu) {
    const { handle, state } = await channel.request("playground.create", { gpu });
    return new RemotePlayground(channel, lab, handle, state);
  }

  constructor(channel, lab, handle, state) {
    this.channel = channel;
    this.lab = lab;
    const mirror = lab.Playground.createOnCpu();
    this.mirror = mirror;
    this.handle = handle;
    this.state = state;
    this.generation = channel.generation;
  }

  /**
   * Calls `method` in the worker; its answer brings the playground's state. Aborting `signal`
   * cancels the call there (and rejects here at once).
   */
  async call(method, args, { onProgress, signal } = {}) {
    if (this.generation !== this.channel.generation) {
      throw new Error("the compute worker stopped, and this playground with it: choose the device again to start afresh");
    }
    try {
      const { result, state } = await this.channel.request(
        "playground.call",
        { handle: this.handle, method, args },
        { onProgress, signal },
      );
      this.state = state;
      return result;
    } catch (error) {
      // A call that failed or was cancelled may still have changed the state (steps taken
      // before a cancel, training rolled back after a divergence).
      if (error.name !== "WorkerCrash") {
        this.state = await this.channel.request("playground.state", { handle: this.handle }).catch(() => this.state);
      }
      throw error;
    }
  }

  /** Repeats in the worker a change the mirror accepted (nothing to wait for). */
  repeat(method, args) {
    this.call(method, args).catch((error) => console.error(`the worker refused ${method}, which the page accepted:`, error));
  }

  /**
   * A change of setup: made on the mirror (which throws on bad input), then repeated in the
   * worker. When the mirror forgot or replaced its model, so did the worker: the state is then
   * the mirror's.
   */
  change(method, args) {
    const version = this.mirror.modelVersion();
    const result = this.mirror[method](...args);
    this.repeat(method, args);
    if (this.mirror.modelVersion() !== version) this.adopt({ model: true });
    return result;
  }

  /** The students and the distillation (and with `model` the steps done) as the mirror has them. */
  adopt({ model }) {
    this.state = {
      ...this.state,
      ...(model ? { stepsDone: this.mirror.stepsDone() } : {}),
      studentSteps: Array.from(this.mirror.studentSteps()),
      distillProgress: this.mirror.distillProgress(),
    };
  }

  backend() { return this.state.backend; }
  backendDescription() { return this.state.backendDescription; }
  stepsDone() { return this.state.stepsDone; }
  studentSteps() { return Uint32Array.from(this.state.studentSteps); }
  distillProgress() { return this.state.distillProgress; }

  /** A model or a student from a `.dlab` file: checked by the mirror, then loaded in the worker. */
  importWeights(bytes) {
    const kind = this.change("importWeights", [bytes]);
    // A student replaces the students and keeps the model.
    if (kind !== "model") this.adopt({ model: false });
    return kind;
  }

  /**
   * Resolves with the reason once the worker's WebGPU device is lost, or once the worker
   * itself stopped (the playground is then gone as with a lost device).
   */
  lost() {
    return this.channel.request("playground.lost", { handle: this.handle }).catch((error) => error.message);
  }

  /**
   * Destroys the worker's WebGPU device, as a driver reset would (every playground and studio
   * on it is lost): how the page's recovery can be tried, from the console too
   * (`diffusionLabUi.pg.destroyDevice()`).
   */
  destroyDevice() {
    return this.channel.request("device.destroy", {});
  }

  /** Another playground on the same device in the same worker (for warming it up). */
  spare() {
    return RemotePlayground.create(this.channel, this.lab, this.state.backend === "webgpu");
  }

  free() {
    this.mirror.free();
    if (this.generation === this.channel.generation) {
      this.channel.request("playground.free", { handle: this.handle }).catch(() => {});
    }
  }
}

for (const method of SETTERS) {
  RemotePlayground.prototype[method] = function (...args) {
    return this.change(method, args);
  };
}
for (const method of DATA) {
  RemotePlayground.prototype[method] = function (...args) {
    return this.mirror[method](...args);
  };
}
// What cannot cross to the worker stays here: the callback and the AbortSignal of `distill`'s
// options, and the AbortSignal the other calls take last.
for (const method of COMPUTE) {
  RemotePlayground.prototype[method] = function (...args) {
    if (method === "distill") {
      const { onProgress, signal, ...options } = args[0] ?? {};
      return this.call(method, [options], { onProgress, signal });
    }
    const signal = args.at(-1) instanceof AbortSignal ? args.pop() : undefined;
    return this.call(method, args, { signal });
  };
}
