// One thread of the threaded CPU module's pool (`pool.js`): the module instantiated on the
// shared memory it is sent, then rayon's loop for as long as the pool lives.

self.addEventListener(
  "message",
  async ({ data: { glue, module, memory } }) => {
    const lab = await import(glue);
    await lab.default({ module_or_path: module, memory });
    postMessage("ready");
    lab.joinThreadPool();
  },
  { once: true },
);
