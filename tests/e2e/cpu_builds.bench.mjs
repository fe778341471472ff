// The page's CPU path in each of its builds, side by side in one run, each in a module worker
// as the page's compute worker runs it: the scalar module ($DIST_SCALAR, when built), the SIMD
// module (the page's own) and the threaded module (SIMD on a pool of one worker per core, in
// $DIST/threads, when built; and on a pool of one thread, for what atomics cost alone). For each: training steps per second and sampling times of the
// playground at the page's defaults (batch 512, width 128, DDIM at 50 steps), distillation
// steps per second, and the first grid (16 images of "sneaker", the shipped 4-step student).
// Written to target/e2e/cpu-builds.json as each number is known; a benchmark, never asserted.

import { test } from "node:test";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { moduleFiles, openBlank, root, runModule, shots, withPage } from "./harness.mjs";

const dist = process.env.DIST ?? join(root, "dist");

/** Times the playground and a grid on `lab`'s CPU backend (runs in the worker, as source). */
async function measure(lab, origin) {
  const clock = async (body) => {
    const t0 = performance.now();
    await body();
    return (performance.now() - t0) / 1000;
  };
  const rate = async (step) => {
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 8000 || steps < 10) {
      await step(5);
      steps += 5;
    }
    return steps / ((performance.now() - t0) / 1000);
  };
  const pg = lab.Playground.createOnCpu();
  pg.setDataset("moons", 2000, 0);
  pg.setTraining(0.003, 512, 128);
  await pg.train(2);
  const result = { backend: pg.backendDescription() };
  result.trainStepsPerSecond = await rate((n) => pg.train(n));
  result.sample2000At50 = await clock(() => pg.sample(2000, "ddim", 50, 1));
  result.sample10000At50 = await clock(() => pg.sample(10000, "ddim", 50, 1));
  pg.startDistillation(64, 32, 10000);
  await pg.distillSteps(2);
  result.distillStepsPerSecond = await rate((n) => pg.distillSteps(n));
  pg.free();
  const studio = await lab.ImageStudio.open({ device: "cpu", base: origin + "www/models/" });
  result.grid16 = await clock(() => studio.generate({ word: "sneaker", n: 16, seed: 1 }));
  result.grid16Again = await clock(() => studio.generate({ word: "sneaker", n: 16, seed: 2 }));
  studio.free();
  return result;
}

test("the CPU path in each build", { timeout: 3_600_000 }, async () => {
  const builds = [];
  if (process.env.DIST_SCALAR) builds.push(["scalar", process.env.DIST_SCALAR, await moduleFiles(process.env.DIST_SCALAR)]);
  builds.push(["simd", dist, await moduleFiles(dist)]);
  if (existsSync(join(dist, "threads", "diffusion_lab.js"))) {
    const threaded = { glue: "/threads/diffusion_lab.js", wasm: "/threads/diffusion_lab_bg.wasm" };
    // On one thread too: what the threaded build costs before its threads pay.
    builds.push(["threads1", dist, { ...threaded, threads: 1 }]);
    builds.push(["threads", dist, { ...threaded, threads: true }]);
  }
  const report = {};
  for (const [name, folder, files] of builds) {
    report[name] = await withPage(async (page, { url }) => {
      await openBlank(page, url);
      return runModule(page, { ...files, inWorker: true }, measure, url);
    }, { dist: folder, webgpu: false });
    console.log(name, JSON.stringify(report[name], null, 2));
    await writeFile(join(shots, "cpu-builds.json"), JSON.stringify(report, null, 2));
  }
});
