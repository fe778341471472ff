// One thread of the threaded CPU module's pool (`pool.js`): the module instantiated on the
// shared memory it is sent, then rayon's loop for as long as the pool lives. Says "ready"
// first, or why it could not start.

self.addEventListener(
  "message",
  async ({ data: { glue, module, memory } }) => {
    let lab;
    try {
      lab = await import(glue);
      await lab.default({ module_or_path: module, memory });
    } catch (error) {
      postMessage({ error: String(error?.message ?? error) });
      return;
    }
    postMessage({ ready: true });
    lab.joinThreadPool();
  },
  { once: true },
);
