// The threaded CPU module's pool of threads (src/web/threads.rs): the calling worker and one
// more web worker per remaining core, all on the module's shared memory.

/**
 * Starts the pool of the threaded module `lab` (its bindings at `glue`, an absolute URL) with
 * `threads` threads: the calling worker (which joins the pool) and `threads - 1` workers of
 * `pool_thread.js`. Resolves once every worker runs the module; rejects if one cannot (and
 * stops the others).
 */
export async function startThreadPool(lab, glue, threads) {
  const [module, memory] = lab.threadPoolParts();
  const script = new URL("./pool_thread.js", import.meta.url);
  const workers = [];
  const started = Array.from({ length: threads - 1 }, (_, i) => new Promise((resolve, reject) => {
    const worker = new Worker(script, { type: "module", name: `diffusion-lab pool thread ${i + 1}` });
    workers.push(worker);
    const failed = (why) => reject(new Error(`a thread of the pool could not start: ${why}`));
    worker.addEventListener("message", ({ data }) => (data.ready ? resolve() : failed(data.error)), { once: true });
    worker.addEventListener("error", (event) => failed(event.message));
    worker.postMessage({ glue, module, memory });
  }));
  try {
    await Promise.all(started);
  } catch (error) {
    workers.forEach((worker) => worker.terminate());
    throw error;
  }
  lab.startThreadPool(threads);
  return workers;
}
