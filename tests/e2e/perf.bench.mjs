// Speed of the playground in Chromium, measured in one run and reported (never asserted: the
// machines are noisy): frames per second of the forward animation with 10,000 points, then
// training steps per second and sampling 2,000 and 10,000 points at 50 steps, on the CPU
// fallback and on WebGPU. Each stage's result is printed and written to target/e2e/perf.json
// as soon as it is known (on SwiftShader, WebGPU on the CPU, the WebGPU stage takes many
// minutes: sampling 2,000 points at 50 steps alone took 130 s here).

import { test } from "node:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { serve, launch, shots, watchErrors } from "./harness.mjs";

test("performance report", { timeout: 3_600_000 }, async () => {
  const server = await serve();
  const browser = await launch();
  const report = {};
  const record = async (key, value) => {
    report[key] = value;
    console.log(key, JSON.stringify(value, null, 2));
    await writeFile(join(shots, "perf.json"), JSON.stringify(report, null, 2));
  };
  try {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    await record("browser", await page.evaluate(() => ({
      userAgent: navigator.userAgent,
      renderer: document.getElementById("stage").dataset.renderer,
      adapter: document.getElementById("backend").textContent.trim(),
    })));
    await record("forwardFps10000", await page.evaluate(() => window.diffusionLabUi.forwardFps(10000, 3)));
    // Same settings on both devices: the page's defaults (batch 512, width 128).
    const measure = (onCpu) =>
      page.evaluate(async (onCpu) => {
        const lab = window.diffusionLab;
        const pg = onCpu ? lab.Playground.createOnCpu() : await lab.Playground.create();
        const seconds = async (fn) => {
          const t0 = performance.now();
          await fn();
          return (performance.now() - t0) / 1000;
        };
        pg.setDataset("moons", 2000, 0);
        pg.setTraining(0.003, 512, 128);
        await pg.train(2); // compiles the kernels
        let steps = 0;
        const t = await seconds(async () => {
          const t0 = performance.now();
          while (performance.now() - t0 < 8000 || steps < 10) {
            await pg.train(5);
            steps += 5;
          }
        });
        await pg.sample(100, "ddim", 50, 0); // compiles the sampling kernels
        return {
          backend: pg.backendDescription(),
          trainStepsPerSecond: steps / t,
          sample2000At50Seconds: await seconds(() => pg.sample(2000, "ddim", 50, 1)),
          sample10000At50Seconds: await seconds(() => pg.sample(10000, "ddim", 50, 1)),
        };
      }, onCpu);
    await record("cpu", await measure(true));
    await record("webgpu", await measure(false));
    await record("webgpuOverCpuTraining", report.webgpu.trainStepsPerSecond / report.cpu.trainStepsPerSecond);
    if (errors.length) throw new Error(errors.join("\n"));
  } finally {
    await browser.close();
    server.close();
  }
});
