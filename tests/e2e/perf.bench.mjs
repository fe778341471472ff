// Speed of the playground in Chromium, measured in one run and reported (never asserted: the
// machines are noisy): training steps per second on WebGPU and on the CPU fallback, sampling
// 2,000 and 10,000 points at 50 steps, and frames per second of the forward animation with
// 10,000 points. Writes target/e2e/perf.json. (On SwiftShader, WebGPU on the CPU, this takes
// several minutes: its sampling of 10,000 points is slow.)

import { test } from "node:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { serve, launch, shots, watchErrors } from "./harness.mjs";

test("performance report", { timeout: 1_800_000 }, async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    const report = await page.evaluate(async () => {
      const lab = await window.diffusionLabReady;
      const ui = await window.diffusionLabPage;
      const seconds = async (fn) => {
        const t0 = performance.now();
        await fn();
        return (performance.now() - t0) / 1000;
      };
      const measure = async (pg) => {
        pg.setDataset("moons", 2000, 0);
        pg.setTraining(0.003, 512, 128);
        await pg.train(5); // compiles the kernels
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
      };
      const webgpu = await measure(await lab.Playground.create());
      const cpu = await measure(lab.Playground.createOnCpu());
      const forwardFps10000 = await ui.forwardFps(10000, 3);
      return { webgpu, cpu, forwardFps10000, renderer: document.getElementById("stage").dataset.renderer, userAgent: navigator.userAgent };
    });
    report.webgpuOverCpuTraining = report.webgpu.trainStepsPerSecond / report.cpu.trainStepsPerSecond;
    console.log(JSON.stringify(report, null, 2));
    await writeFile(join(shots, "perf.json"), JSON.stringify(report, null, 2));
    if (errors.length) throw new Error(errors.join("\n"));
  } finally {
    await browser.close();
    server.close();
  }
});
