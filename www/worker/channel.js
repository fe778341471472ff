// The page's side of the message layer to a Web Worker: requests with ids, answered in the
// order they finish, progress events, cancellation, and a crashed worker reported and started
// again. The worker's side is `serve.js`.
//
// Messages to the worker:   {id, method, args}   {cancel: id}
// Messages from the worker: {id, result}   {id, error: {name, message}}   {id, progress}
//                           {crashed: message}   (its WebAssembly trapped: start a new one)

/** Why a request failed because its worker stopped: the worker is started again. */
export class WorkerCrash extends Error {
  constructor(message) {
    super(message);
    this.name = "WorkerCrash";
  }
}

export class WorkerChannel {
  /**
   * @param {() => Worker} start makes a new worker (first at once, again at the first request
   *     after a crash)
   * @param {{onCrash?: (message: string) => void}} hooks `onCrash` hears of each crash, after
   *     the requests it interrupted were rejected with a `WorkerCrash`
   */
  constructor(start, { onCrash } = {}) {
    this.start = start;
    this.onCrash = onCrash ?? (() => {});
    /** Counts the workers, crashed ones too: a model opened in an earlier one is gone. */
    this.generation = 1;
    this.nextId = 1;
    /** Requests waiting for their answer: id → {resolve, reject, onProgress}. */
    this.pending = new Map();
    this.worker = null;
    this.spawn();
  }

  /** The worker, started again if the last one crashed. */
  running() {
    if (!this.worker) this.spawn();
    return this.worker;
  }

  spawn() {
    const worker = this.start();
    worker.addEventListener("message", ({ data }) => this.receive(worker, data));
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.crashed(worker, event.message || "it failed to load or threw outside a request");
    });
    worker.addEventListener("messageerror", () => this.crashed(worker, "a message could not be read"));
    this.worker = worker;
  }

  /**
   * Calls `method` in the worker with `args` (structured-cloned; `transfer` lists buffers to
   * move instead of copying). Resolves with its result or rejects with an `Error` carrying the
   * worker's message. `onProgress(value)` hears what the method reports as it goes; aborting
   * `signal` asks the worker to cancel (the method decides where it can stop) and rejects at
   * once with an `AbortError`.
   */
  request(method, args, { transfer = [], onProgress, signal } = {}) {
    if (signal?.aborted) return Promise.reject(aborted());
    const id = this.nextId++;
    const worker = this.running();
    return new Promise((resolve, reject) => {
      const settle = () => {
        this.pending.delete(id);
        signal?.removeEventListener("abort", cancel);
      };
      const cancel = () => {
        if (!this.pending.has(id)) return;
        settle();
        worker.postMessage({ cancel: id });
        reject(aborted());
      };
      this.pending.set(id, {
        resolve: (value) => (settle(), resolve(value)),
        reject: (error) => (settle(), reject(error)),
        onProgress,
      });
      signal?.addEventListener("abort", cancel, { once: true });
      worker.postMessage({ id, method, args }, transfer);
    });
  }

  receive(worker, data) {
    if (worker !== this.worker) return;
    if ("crashed" in data) return this.crashed(worker, data.crashed);
    const waiting = this.pending.get(data.id);
    if (!waiting) return; // cancelled meanwhile
    if ("progress" in data) waiting.onProgress?.(data.progress);
    else if ("error" in data) waiting.reject(asError(data.error));
    else waiting.resolve(data.result);
  }

  /**
   * Rejects what `worker` still owed, and reports the crash; the next request starts a new
   * worker (not at once: a worker that cannot even load would be started again forever).
   */
  crashed(worker, message) {
    if (worker !== this.worker) return;
    worker.terminate();
    this.worker = null;
    this.generation += 1;
    const text = `the compute worker stopped: ${message}`;
    for (const { reject } of [...this.pending.values()]) reject(new WorkerCrash(text));
    this.pending.clear();
    this.onCrash(text);
  }

  /** Stops the worker for good; what it still owed is rejected. */
  close() {
    this.worker?.terminate();
    this.worker = null;
    for (const { reject } of [...this.pending.values()]) reject(new Error("the compute worker was closed"));
    this.pending.clear();
  }
}

function aborted() {
  const error = new Error("the job was cancelled");
  error.name = "AbortError";
  return error;
}

/** An `Error` from its name and message, as the worker sent them. */
function asError({ name, message }) {
  const error = new Error(message);
  error.name = name;
  return error;
}
