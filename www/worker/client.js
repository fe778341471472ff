// The page's handle on the compute worker (`compute.js`): started once, with the same
// WebAssembly module the page loaded, and image studios that live in it behind the
// ImageStudio's own methods, so the main thread only draws.

import { WorkerChannel } from "./channel.js";
export { RemotePlayground } from "./remote_playground.js";

/** Where the threaded CPU module's bindings are, relative to the page. */
const THREADS_GLUE = "threads/diffusion_lab.js";

let channel = null;
/** Who hears of a crash of the compute worker (the panels, to say so). */
const crashListeners = new Set();

/** Calls `listener(message)` whenever the compute worker crashes (it is started again). */
export function onWorkerCrash(listener) {
  crashListeners.add(listener);
}

/**
 * The URLs of trunk's JavaScript bindings and of the WebAssembly module, from the links trunk
 * puts in the page's head (its `modulepreload` of the bindings, its `preload` of the module).
 */
function moduleUrls() {
  const links = [...document.querySelectorAll("link[rel=modulepreload], link[rel=preload]")];
  const glue = links.find((l) => l.rel === "modulepreload" && /\/[^/]*-[0-9a-f]+\.js$/.test(l.href));
  const wasm = links.find((l) => l.rel === "preload" && /_bg\.wasm$/.test(l.href));
  return glue && wasm ? { glue: glue.href, wasm: wasm.href } : null;
}

/**
 * The compute worker's channel, started at the first call; `null` where the page must compute
 * on the main thread: no module workers, the address has `?inline`, or the page was not built
 * by trunk.
 */
export function computeChannel() {
  if (channel) return channel;
  const urls = moduleUrls();
  if (!urls || typeof Worker === "undefined" || new URLSearchParams(location.search).has("inline")) return null;
  const script = new URL("./compute.js", import.meta.url);
  script.searchParams.set("glue", urls.glue);
  script.searchParams.set("wasm", urls.wasm);
  // The threaded CPU module (scripts/build-threads.sh puts it in threads/ beside the page) can
  // share its memory with the workers of its pool only where the page is cross-origin
  // isolated (served with COOP and COEP; see the README's hosting notes).
  if (self.crossOriginIsolated) script.searchParams.set("threads", new URL(THREADS_GLUE, document.baseURI).href);
  channel = new WorkerChannel(() => new Worker(script, { type: "module", name: "diffusion-lab compute" }), {
    onCrash: (message) => crashListeners.forEach((listener) => listener(message)),
  });
  return channel;
}

/**
 * What `remote(channel)` makes in the compute worker, or what `local()` makes on the page's
 * thread where there is no worker or it cannot start.
 */
export async function inWorkerOr(remote, local) {
  const channel = computeChannel();
  if (channel) {
    try {
      return await remote(channel);
    } catch (error) {
      if (error.name !== "WorkerCrash") throw error;
      console.warn("the compute worker could not start, computing on the page's thread:", error);
    }
  }
  return local();
}

/**
 * An ImageStudio in the compute worker, with the methods of the crate's ImageStudio: those
 * that compute resolve in the worker's time (and take `signal` to cancel); `words()`,
 * `backend()`, `backendDescription()`, `studentSteps()` and `hasTeacher()` answer at once
 * from what the worker said last. After a crash of the worker, the next call opens the studio
 * again in the new worker (the files come from the browser's HTTP cache).
 */
export class RemoteStudio {
  /** Opens a studio in the worker of `channel`: options as `ImageStudio.open`. */
  static async open(channel, options) {
    const studio = new RemoteStudio(channel, options);
    await studio.reopen();
    return studio;
  }

  constructor(channel, options) {
    this.channel = channel;
    const { onProgress, ...rest } = options;
    // Relative to the page, not to the worker's script.
    this.options = { ...rest, base: new URL(rest.base ?? "www/models/", document.baseURI).href };
    this.onProgress = onProgress;
    this.handle = null;
    this.generation = 0;
    this.info = null;
  }

  async reopen() {
    this.generation = this.channel.generation;
    const { handle, info } = await this.channel.request(
      "studio.open",
      { options: this.options },
      { onProgress: this.onProgress },
    );
    this.handle = handle;
    this.info = info;
  }

  async call(method, options) {
    if (this.handle === null) throw new Error("this image studio was freed");
    if (this.generation !== this.channel.generation) await this.reopen();
    const { signal, ...rest } = options ?? {};
    const { result, info } = await this.channel.request(
      "studio.call",
      { handle: this.handle, method, options: rest },
      { signal, onProgress: this.onProgress },
    );
    this.info = info;
    return result;
  }

  words() { return this.info.words; }
  backend() { return this.info.backend; }
  backendDescription() { return this.info.backendDescription; }
  studentSteps() { return this.info.studentSteps; }
  hasTeacher() { return this.info.hasTeacher; }

  generate(options) { return this.call("generate", options); }
  denoising(options) { return this.call("denoising", options); }
  denoisingWithLatents(options) { return this.call("denoisingWithLatents", options); }
  interpolate(options) { return this.call("interpolate", options); }
  variations(options) { return this.call("variations", options); }
  judge(images) { return this.call("judge", { images }); }

  /**
   * Resolves with the reason once the studio's WebGPU device is lost. (A crashed worker is not
   * a loss: the next call opens the studio again by itself.)
   */
  lost() {
    return this.channel
      .request("studio.lost", { handle: this.handle })
      .catch((error) => (error.name === "WorkerCrash" ? new Promise(() => {}) : error.message));
  }

  free() {
    if (this.handle !== null && this.generation === this.channel.generation) {
      this.channel.request("studio.free", { handle: this.handle }).catch(() => {});
    }
    this.handle = null;
  }
}
