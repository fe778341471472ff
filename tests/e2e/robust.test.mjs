// The page when things go wrong: a browser without WebGPU (Chromium launched without the flags
// that give it an adapter) trains and samples 2D and draws images on the CPU, and says why;
// a training that diverges (the learning rate raised to 1 mid-way) is caught, goes back to its
// last good state, says why, and trains on at a sane rate.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pageState, root, shots, startedAgain, withPage } from "./harness.mjs";

/** The page's build the tests serve. */
const dist = process.env.DIST ?? join(root, "dist");

/** Trains until the training panel has `readings` quality readings, then pauses. */
async function trainFor(page, readings) {
  const before = await pageState(page, "ui.training.qualityLog.xs.length");
  await page.click("#train");
  await page.waitForFunction((n) => window.diffusionLabUi.training.qualityLog.xs.length >= n, before + readings, {
    timeout: 300_000,
    polling: 500,
  });
  await page.click("#train");
  await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
}

test("without WebGPU the page computes on the CPU, says why, and everything works", { timeout: 600_000 }, () =>
  withPage(
    async (page, { url, errors }) => {
      await page.goto(url);
      await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
      assert.equal(await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter())), false);
      const hint = await page.textContent("#device-hint");
      console.log(`hint: ${hint}`);
      assert.match(hint, /no usable WebGPU \(.+\): computing on the CPU/);
      // The threaded CPU module, where it was built (the page is cross-origin isolated).
      const threads = existsSync(join(dist, "threads", "diffusion_lab.js"));
      if (threads) assert.match(hint, /computing on the CPU's [2-9]\d* threads, slower/);
      assert.equal(await page.inputValue("#device"), "cpu");
      assert.equal(await page.$eval("#device option[value=webgpu]", (o) => o.disabled), true);
      // Drawing falls back to Canvas2D; computing stays in the worker.
      assert.equal(await page.getAttribute("#stage", "data-renderer"), "canvas2d");
      assert.equal(await page.getAttribute("#playground", "data-compute"), "worker");
      assert.equal(await page.evaluate(() => crossOriginIsolated), true);
      const backend = await pageState(page, "ui.pg.backendDescription()");
      console.log(`backend: ${backend}`);
      assert.match(backend, threads ? /WebAssembly SIMD, [2-9]\d* threads/ : /WebAssembly SIMD\)/);

      await page.getByRole("button", { name: "moons", exact: true }).click();
      await trainFor(page, 1);
      assert.match(await page.textContent("#train-stats"), /steps · loss \d.* on the CPU/);
      await page.click("#sample");
      await page.waitForFunction(() => /SWD/.test(document.getElementById("sample-stats").textContent), null, { timeout: 120_000 });
      console.log(`sampled: ${await page.textContent("#sample-stats")}`);
      await page.locator("#stage").screenshot({ path: join(shots, "no-webgpu-stage.png") });

      // Images from a word, on the CPU too.
      await page.waitForFunction(() => Number(document.getElementById("images-panel").dataset.generations ?? 0) >= 1, null, { timeout: 300_000 });
      assert.equal(await page.getAttribute("#image-grid", "data-count"), "16");
      await page.locator("#images-panel").screenshot({ path: join(shots, "no-webgpu-images.png") });
      assert.deepEqual(errors, []);
    },
    { webgpu: false },
  ));

test(
  "without cross-origin isolation, or when the threaded module cannot start, the page computes on one thread",
  { timeout: 600_000, skip: !existsSync(join(dist, "threads", "diffusion_lab.js")) && "no threaded module in DIST/threads" },
  async () => {
    // The page's module on one thread, and the page otherwise as usual.
    const oneThread = async (page, url) => {
      await page.goto(url);
      await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
      assert.equal(await page.getAttribute("#playground", "data-compute"), "worker");
      const backend = await pageState(page, "ui.pg.backendDescription()");
      assert.match(backend, /WebAssembly SIMD\)/);
      assert.match(await page.textContent("#device-hint"), /computing on the CPU, slower/);
      await trainFor(page, 1);
      assert.match(await page.textContent("#train-stats"), /steps · loss \d.* on the CPU/);
      return backend;
    };
    await withPage(
      async (page, { url, errors }) => {
        console.log(`not isolated: ${await oneThread(page, url)}`);
        assert.equal(await page.evaluate(() => crossOriginIsolated), false);
        assert.deepEqual(errors, []);
      },
      { webgpu: false, isolated: false },
    );
    // A copy of the page whose threaded module is damaged: the worker says so in the console
    // and goes on with the page's module.
    const broken = await mkdtemp(join(tmpdir(), "diffusion-lab-broken-threads-"));
    await cp(dist, broken, { recursive: true });
    await writeFile(join(broken, "threads", "diffusion_lab_bg.wasm"), "not a WebAssembly module");
    try {
      await withPage(
        async (page, { url }) => {
          const warnings = [];
          page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
          console.log(`threaded module damaged: ${await oneThread(page, url)}`);
          assert.ok(warnings.some((w) => /threaded CPU module could not start/.test(w)), warnings.join("\n"));
        },
        { webgpu: false, dist: broken },
      );
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  },
);

test("a diverging training is caught, goes back to its last good state and says why", { timeout: 600_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    await page.getByRole("button", { name: "moons", exact: true }).click();
    await trainFor(page, 1);
    // A call's loss is computed before each of its updates, so it vouches for the state its
    // steps began from: the last good state is the one at the call before the last.
    const good = await pageState(page, "ui.training.lossLog.xs.at(-2) ?? 0");
    // A learning rate of 1: the loss jumps within a few steps and training stops.
    await page.selectOption("#lr", "1");
    await page.click("#train");
    await page.waitForFunction(() => /diverged/.test(document.getElementById("train-stats").textContent), null, { timeout: 120_000 });
    await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
    const said = await page.textContent("#train-stats");
    console.log(said);
    const back = Number(said.match(/went back to step (\d+)/)[1]);
    assert.ok(back >= good, `went back to step ${back}, before the good state at ${good}`);
    assert.equal(await pageState(page, "ui.pg.stepsDone()"), back);
    assert.match(said, /lower the learning rate \(now 1\)/);
    // The loss chart ends at the good state.
    assert.ok((await pageState(page, "ui.training.lossLog.xs.at(-1)")) <= back);
    await page.locator("#train-panel").screenshot({ path: join(shots, "diverged-training-panel.png") });
    // At a sane rate, training goes on from there.
    await page.selectOption("#lr", "0.003");
    await trainFor(page, 1);
    assert.ok((await pageState(page, "ui.pg.stepsDone()")) > back);
    assert.match(await page.textContent("#train-stats"), /steps · loss \d/);
    assert.deepEqual(errors, []);
  }));

test("a WebGPU device lost in the middle of training: a new device, the saved weights, and training goes on", { timeout: 600_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(`${url}#device=webgpu&batch=64&width=32`);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 300_000 });
    assert.equal(await pageState(page, "ui.pg.backend()"), "webgpu");
    await page.click("#train");
    // Training saves its weights as it goes (every 10 s; the first at once).
    await page.waitForFunction(() => window.diffusionLabUi.training.saved?.steps > 0 && window.diffusionLabUi.pg.stepsDone() >= 6, null, {
      timeout: 300_000,
      polling: 250,
    });
    const before = await pageState(page, "({ steps: ui.pg.stepsDone(), saved: ui.training.saved.steps })");
    // What `device.destroy()` does, or a driver reset.
    assert.equal(await pageState(page, "ui.pg.destroyDevice()"), true);
    await startedAgain(page, 120_000);
    const hint = await page.textContent("#device-hint");
    console.log(`before: ${JSON.stringify(before)}; ${hint}`);
    assert.match(hint, /WebGPU device was lost/);
    const saved = Number(hint.match(/weights saved at step (\d+)/)[1]);
    assert.ok(saved > 0 && saved <= before.steps, `saved at ${saved}`);
    assert.equal(await pageState(page, "ui.pg.backend()"), "webgpu");
    // Training went on by itself from the saved weights, on the new device.
    await page.waitForFunction((from) => window.diffusionLabUi.pg.stepsDone() >= from + 2, saved, { timeout: 300_000, polling: 250 });
    assert.match(await page.textContent("#train"), /Pause/);
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
    assert.match(await page.textContent("#train-stats"), /steps · loss \d/);
    await page.screenshot({ path: join(shots, "lost-device-recovered.png") });
    assert.deepEqual(errors.filter((e) => !/lost|destroyed/i.test(e)), []);
  }));
