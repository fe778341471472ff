// The message layer between the page and its compute worker (www/worker/channel.js and
// serve.js), in headless Chromium with a test worker: answers in order of completion with the
// right ids, errors as `Error`s with their messages, progress, a cancelled job stopped with its
// state usable, typed arrays moved back, and a crashed worker reported and started again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withPage } from "./harness.mjs";

/** The test worker's handlers, served by the page's own serve.js. */
const WORKER = (origin) => `
import { serve } from "${origin}www/worker/serve.js";
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
let counted = 0;
serve({
  wait: async ({ ms, value }) => (await sleep(ms), value),
  count: async ({ steps }, { signal, progress }) => {
    for (let k = 0; k < steps; k++) {
      if (signal.aborted) throw Object.assign(new Error("stopped at " + k), { name: "AbortError" });
      counted += 1;
      progress(counted);
      await sleep(5);
    }
    return counted;
  },
  counted: () => counted,
  fail: ({ message }) => { throw new RangeError(message); },
  trap: () => { throw new WebAssembly.RuntimeError("unreachable"); },
  throwOutside: () => { setTimeout(() => { throw new Error("boom"); }); return new Promise(() => {}); },
  ones: ({ n }) => ({ values: new Float32Array(n).fill(1) }),
});
`;

test("the compute worker's message layer", { timeout: 120_000 }, () =>
  withPage(async (page, { url, errors, served }) => {
    // Any page of the origin will do: the test imports the page's modules by URL.
    await page.goto(`${url}www/favicon.svg`);
    const report = await page.evaluate(async ([origin, source]) => {
      const { WorkerChannel } = await import(`${origin}www/worker/channel.js`);
      const script = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const crashes = [];
      let started = 0;
      const channel = new WorkerChannel(() => (started++, new Worker(script, { type: "module" })), {
        onCrash: (message) => crashes.push(message),
      });
      const out = {};
      const failure = (p) => p.then(() => null, (e) => ({ isError: e instanceof Error, name: e.name, message: e.message }));

      // Answers come in the order the jobs finish, each with its own value.
      const order = [];
      await Promise.all([
        channel.request("wait", { ms: 300, value: "slow" }).then((v) => order.push(v)),
        channel.request("wait", { ms: 10, value: "fast" }).then((v) => order.push(v)),
        channel.request("wait", { ms: 100, value: "middle" }).then((v) => order.push(v)),
      ]);
      out.order = order;

      // Errors keep their name and message; an unknown method is an error too.
      out.fail = await failure(channel.request("fail", { message: "n must be at least 1, not 0" }));
      out.unknown = await failure(channel.request("nothing", {}));

      // Progress, then a cancellation: the job stops, its state stays usable.
      const controller = new AbortController();
      const seen = [];
      const job = channel.request("count", { steps: 100_000 }, {
        signal: controller.signal,
        onProgress: (k) => {
          seen.push(k);
          if (seen.length === 20) controller.abort();
        },
      });
      out.cancelled = await failure(job);
      await new Promise((ok) => setTimeout(ok, 100));
      const stopped = await channel.request("counted", {});
      await new Promise((ok) => setTimeout(ok, 100));
      out.stopped = [stopped, await channel.request("counted", {})];
      out.afterCancel = await channel.request("count", { steps: 3 });
      out.progress = seen.slice(0, 3);

      // Typed arrays come back whole.
      const { values } = await channel.request("ones", { n: 1000 });
      out.ones = [values.constructor.name, values.length, values[999]];

      // A trapped WebAssembly instance, then an error thrown outside any request: each crash
      // rejects what was waiting, is reported, and the next request runs in a new worker.
      const waiting = failure(channel.request("wait", { ms: 5_000, value: "never" }));
      out.trap = await failure(channel.request("trap", {}));
      out.waiting = await waiting;
      out.afterTrap = [await channel.request("counted", {}), started, channel.generation];
      out.outside = await failure(channel.request("throwOutside", {}));
      out.afterOutside = [await channel.request("wait", { ms: 1, value: "alive" }), started, channel.generation];
      out.crashes = crashes;
      channel.close();
      return out;
    }, [url, WORKER(url)]);
    console.log(JSON.stringify(report));

    assert.deepEqual(report.order, ["fast", "middle", "slow"]);
    assert.deepEqual(report.fail, { isError: true, name: "RangeError", message: "n must be at least 1, not 0" });
    assert.equal(report.unknown.isError, true);
    assert.match(report.unknown.message, /no method "nothing"/);
    assert.deepEqual(report.progress, [1, 2, 3]);
    assert.equal(report.cancelled.name, "AbortError");
    const [stopped, later] = report.stopped;
    assert.equal(stopped, later, "the cancelled job went on counting");
    assert.ok(stopped >= 20 && stopped < 100, `counted ${stopped} before stopping`);
    assert.equal(report.afterCancel, stopped + 3, "the worker's state after the cancellation");
    assert.deepEqual(report.ones, ["Float32Array", 1000, 1]);
    for (const key of ["trap", "waiting", "outside"]) {
      assert.equal(report[key].name, "WorkerCrash", key);
      assert.match(report[key].message, /the compute worker stopped/, key);
    }
    assert.match(report.trap.message, /RuntimeError: unreachable/);
    assert.match(report.outside.message, /boom/);
    assert.deepEqual(report.afterTrap, [0, 2, 2], "a new worker, with a fresh state, after the trap");
    assert.deepEqual(report.afterOutside, ["alive", 3, 3]);
    assert.equal(report.crashes.length, 2);
    // The browser asks for /favicon.ico, which the page does not have.
    assert.deepEqual(served.filter((s) => s.status === 404).map((s) => s.path), ["/favicon.ico"]);
    assert.deepEqual(errors.filter((e) => !/boom|Failed to load resource/.test(e)), []);
  }));

test("a playground in the compute worker: a cancelled training keeps its whole steps and stops there", { timeout: 300_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(url);
    const report = await page.evaluate(async () => {
      const lab = await window.diffusionLabReady;
      const { computeChannel } = await import("/www/worker/client.js");
      const { RemotePlayground } = await import("/www/worker/remote_playground.js");
      const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
      const nameOf = (p) => p.then(() => "resolved", (e) => e.name);
      const pg = await RemotePlayground.create(computeChannel(), lab, false);
      pg.setDataset("moons", 1000, 0);
      pg.setTraining(1e-3, 512, 64);
      await pg.train(2);
      const out = { backend: pg.backend() };
      const stop = new AbortController();
      const running = pg.train(1000, stop.signal);
      await sleep(1500);
      stop.abort();
      out.cancelled = await nameOf(running);
      // Had the worker gone on training, the steps would keep growing between two calls.
      await sleep(1000);
      out.loss = await pg.train(1);
      const first = pg.stepsDone();
      await sleep(1000);
      await pg.train(1);
      out.steps = [first, pg.stepsDone()];
      // A signal in the last place of a call with arguments left out (the worker puts it after
      // them), not aborted: the call goes through.
      out.samples = (await pg.sample(100, "ddim", 5, 1, new AbortController().signal)).length;
      const sampling = new AbortController();
      const sample = pg.sample(10000, "ddim", 500, 0, undefined, sampling.signal);
      setTimeout(() => sampling.abort(), 200);
      out.sampleCancelled = await nameOf(sample);
      pg.free();
      return out;
    });
    console.log(JSON.stringify(report));
    assert.equal(report.backend, "cpu");
    assert.equal(report.cancelled, "AbortError");
    assert.ok(Number.isFinite(report.loss), `loss ${report.loss}`);
    const [first, second] = report.steps;
    assert.ok(first > 3 && first < 1003, `steps done after the cancel: ${first}`);
    assert.equal(second, first + 1, "the cancelled training went on in the worker");
    assert.equal(report.samples, 200);
    assert.equal(report.sampleCancelled, "AbortError");
    assert.deepEqual(errors, []);
  }));
