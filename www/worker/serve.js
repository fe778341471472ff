// The worker's side of the message layer (the page's side is `channel.js`): runs each request
// with its own AbortSignal and progress callback, answers in the order requests finish, moves
// result arrays back instead of copying them, and reports a trapped WebAssembly instance as a
// crash so the page starts a new worker.

/**
 * Serves `handlers` in this worker: `handlers[method](args, {signal, progress})` may return a
 * value or a promise; what it throws goes back as an `Error` with its message.
 */
export function serve(handlers) {
  /** Requests running: id → AbortController. */
  const running = new Map();
  self.addEventListener("message", async ({ data }) => {
    if ("cancel" in data) {
      running.get(data.cancel)?.abort();
      return;
    }
    const { id, method, args } = data;
    const controller = new AbortController();
    running.set(id, controller);
    try {
      const handler = Object.hasOwn(handlers, method) ? handlers[method] : null;
      if (!handler) throw new Error(`the compute worker has no method ${JSON.stringify(method)}`);
      const progress = (value) => self.postMessage({ id, progress: value });
      const result = await handler(args, { signal: controller.signal, progress });
      if (!controller.signal.aborted) self.postMessage({ id, result }, ownedBuffers(result));
    } catch (error) {
      // A trap (a Rust panic, `unreachable`) leaves the WebAssembly instance unusable.
      if (error instanceof WebAssembly.RuntimeError) {
        self.postMessage({ crashed: `${error.name}: ${error.message}` });
        return;
      }
      const name = error?.name ?? "Error";
      self.postMessage({ id, error: { name, message: error?.message ?? String(error) } });
    } finally {
      running.delete(id);
    }
  });
}

/**
 * The buffers of typed arrays in `value` (itself, or up to two levels into objects and
 * arrays) that own their whole buffer, so they can be moved to the page. Views into a larger
 * buffer (such as the WebAssembly memory) are copied instead.
 */
function ownedBuffers(value, depth = 2) {
  if (ArrayBuffer.isView(value)) {
    const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
    return whole && value.buffer instanceof ArrayBuffer ? [value.buffer] : [];
  }
  if (!value || typeof value !== "object" || depth === 0) return [];
  return [...new Set(Object.values(value).flatMap((v) => ownedBuffers(v, depth - 1)))];
}
