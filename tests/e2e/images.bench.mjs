// Speed of images from words in headless Chromium, on the page's CPU backend and on WebGPU
// (SwiftShader on a machine without a GPU): time from navigation to the first grid, 16 and 64
// images with each student and with the teacher, the denoising's frames, and the longest gap
// between animation frames while 64 images are drawn, with the studio computing on the main
// thread (`main`) and in the page's compute worker (`worker`). Writes
// target/e2e/images-perf.json.
// Run after `trunk build --release`: `node --test images.bench.mjs` here.

import { test } from "node:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { shots, withPage } from "./harness.mjs";

/**
 * Times `options` on `device` ("cpu" or "auto"), computed on `thread` ("main" or "worker"),
 * with the frame gaps meanwhile, in the page.
 */
const measure = (page, device, thread, options) =>
  page.evaluate(
    async ({ device, thread, options }) => {
      const open = async () => {
        if (thread === "main") return window.diffusionLab.ImageStudio.open({ device });
        const { computeChannel, RemoteStudio } = await import("/www/worker/client.js");
        return RemoteStudio.open(computeChannel(), { device });
      };
      window.benchStudios ??= {};
      window.benchStudios[device + thread] ??= await open();
      const studio = window.benchStudios[device + thread];
      // 16 images once untimed first (fetches, compiles kernels), then timed; 64 timed at once
      // (after the 16: on SwiftShader the teacher's 64 take minutes a run).
      if (options.n <= 16) await studio.generate(options);
      const gaps = [];
      let last = performance.now();
      let on = true;
      const tick = (t) => {
        gaps.push(t - last);
        last = t;
        if (on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const started = performance.now();
      await studio.generate({ ...options, seed: 1 });
      const ms = performance.now() - started;
      on = false;
      gaps.push(performance.now() - last);
      return { backend: studio.backendDescription(), ms: Math.round(ms), longestGapMs: Math.round(Math.max(...gaps)) };
    },
    { device, thread, options },
  );

test("images from words: speed on the CPU backend and on WebGPU", { timeout: 1_800_000 }, () =>
  withPage(async (page, { url }) => {
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => Number(document.getElementById("images-panel").dataset.generations ?? 0) >= 1, null, { timeout: 300_000 });
    const firstGridMs = Date.now() - started;
    console.log(`first grid: ${firstGridMs} ms after navigation`);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 300_000 });
    const rows = [];
    // The page keeps images on the CPU on a software WebGPU adapter: the worker is measured on
    // WebGPU only where the adapter is a real GPU.
    const software = await page.evaluate(() => /swiftshader|llvmpipe|lavapipe|software/i.test(document.getElementById("backend").textContent));
    // BENCH_DEVICES=cpu leaves WebGPU out, as in perf.bench.mjs.
    const devices = (process.env.BENCH_DEVICES ?? "cpu,webgpu").split(",").map((d) => (d === "webgpu" ? "auto" : d));
    for (const device of devices) {
      for (const thread of device === "auto" && software ? ["main"] : ["main", "worker"]) {
        for (const n of [16, 64]) {
          for (const [model, steps] of [["student", 4], ["student", 2], ["student", 1], ["teacher", 20]]) {
            const r = await measure(page, device, thread, { word: "sneaker", n, steps, model });
            const row = { device, thread, n, model, steps, ...r };
            console.log(JSON.stringify(row));
            rows.push(row);
          }
        }
      }
    }
    // Show the denoising: computing every step's estimate and latents for the page's grid
    // (16 images, 4 steps) on its device; the page then shows one step every 450 ms.
    const frames = await page.evaluate(async () => {
      const p = await window.diffusionLabImages;
      const request = p.request();
      await p.studio.denoisingWithLatents(request);
      const started = performance.now();
      await p.studio.denoisingWithLatents(request);
      return { ms: Math.round(performance.now() - started), steps: request.steps, n: request.n, backend: p.studio.backend() };
    });
    console.log(`show the denoising: ${JSON.stringify(frames)}`);
    await writeFile(join(shots, "images-perf.json"), JSON.stringify({ firstGridMs, rows, frames }, null, 2));
  }),
);
