// Speed of the playground in Chromium, measured in one run and reported (never asserted: the
// machines are noisy): time from navigation to ready and to the first grid of images (cold and
// with a warm cache), frames per second of the forward animation with 10,000 points, then
// training steps per second, sampling 2,000 and 10,000 points at 50 steps, distillation steps
// per second and 10,000 points from a 1-step student against its teacher at 64 steps, on the
// CPU fallback and on WebGPU. Each number is printed and written to target/e2e/perf.json as soon
// as it is known. On SwiftShader (WebGPU on the CPU) the WebGPU stage takes a quarter of an
// hour: `BENCH_DEVICES=cpu npm run bench --prefix tests/e2e` leaves it out.

import { test } from "node:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { shots, withPage } from "./harness.mjs";

test("performance report", { timeout: 3_600_000 }, () =>
  withPage(async (page, { url, errors }) => {
    const report = {};
    const record = async (key, value) => {
      report[key] = value;
      console.log(key, JSON.stringify(value, null, 2));
      await writeFile(join(shots, "perf.json"), JSON.stringify(report, null, 2));
    };
    // Time from navigation to the playground ready and to the first grid of images: with an
    // empty browser cache, then again with it warm (a reload: the files answered 304).
    const load = async (go) => {
      const t0 = Date.now();
      await go();
      await page.waitForSelector("#playground[data-ready=true]", { timeout: 300_000 });
      const readyMs = Date.now() - t0;
      await page.waitForFunction(() => Number(document.getElementById("images-panel").dataset.generations ?? 0) >= 1, null, { timeout: 300_000 });
      return { readyMs, firstGridMs: Date.now() - t0 };
    };
    const cold = await load(() => page.goto(url));
    await record("load", { cold, warm: await load(() => page.reload()) });
    await record("browser", await page.evaluate(() => ({
      userAgent: navigator.userAgent,
      renderer: document.getElementById("stage").dataset.renderer,
      adapter: document.getElementById("backend").textContent.trim(),
    })));
    await record("forwardFps10000", await page.evaluate(() => window.diffusionLabUi.forwardFps(10000, 3)));
    // Same settings on both devices: the page's defaults (batch 512, width 128), DDIM.
    // BENCH_DEVICES=cpu skips the WebGPU stage (on SwiftShader it takes a quarter of an hour).
    const devices = (process.env.BENCH_DEVICES ?? "cpu,webgpu").split(",");
    for (const device of devices) {
      // Seconds the page code `body` takes, and the longest gap between two animation frames
      // meanwhile (how long the page froze).
      const timed = (body, arg) =>
        page.evaluate(
          async ([body, arg]) => {
            let [last, longest, watching] = [performance.now(), 0, true];
            const watch = () => {
              const now = performance.now();
              longest = Math.max(longest, now - last);
              last = now;
              if (watching) requestAnimationFrame(watch);
            };
            requestAnimationFrame(watch);
            const t0 = performance.now();
            await eval(body)(arg);
            const seconds = (performance.now() - t0) / 1000;
            await new Promise((ok) => requestAnimationFrame(ok));
            watching = false;
            return { seconds, longestFrameGapMs: longest };
          },
          [body, arg],
        );
      // The first calls compile the kernels.
      const firstCalls = await timed(
        `async (device) => {
          const lab = window.diffusionLab;
          window.benchPg = device === "cpu" ? lab.Playground.createOnCpu() : await lab.Playground.create();
          benchPg.setDataset("moons", 2000, 0);
          benchPg.setTraining(0.003, 512, 128);
          await benchPg.train(2);
          await benchPg.sample(100, "ddim", 50, 0);
        }`,
        device,
      );
      const result = { backend: await page.evaluate(() => benchPg.backendDescription()), firstCalls };
      const trained = await page.evaluate(async () => {
        let steps = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < 8000 || steps < 10) {
          await benchPg.train(5);
          steps += 5;
        }
        return { steps, seconds: (performance.now() - t0) / 1000 };
      });
      result.trainStepsPerSecond = trained.steps / trained.seconds;
      await record(device, result);
      result.sample2000At50 = await timed("(n) => benchPg.sample(n, 'ddim', 50, 1)", 2000);
      await record(device, result);
      result.sample10000At50 = await timed("(n) => benchPg.sample(n, 'ddim', 50, 1)", 10000);
      await record(device, result);
      // Distillation (the page's defaults: batch 256, from 64 steps), then a 1-step student
      // (two quick rounds from 2 steps: as fast as a good one) against its teacher at 64
      // DDIM steps, 10,000 points each.
      const distilled = await page.evaluate(async () => {
        benchPg.startDistillation(64, 32, 10000);
        await benchPg.distillSteps(2);
        let steps = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < 8000 || steps < 10) {
          await benchPg.distillSteps(5);
          steps += 5;
        }
        return { steps, seconds: (performance.now() - t0) / 1000 };
      });
      result.distillStepsPerSecond = distilled.steps / distilled.seconds;
      await page.evaluate(async () => {
        benchPg.startDistillation(2, 1, 10);
        await benchPg.distillSteps(10);
      });
      result.sample10000Student1 = await timed("(n) => benchPg.sample(n, 'student', 1, 1)", 10000);
      result.sample10000TeacherAt64 = await timed("(n) => benchPg.sample(n, 'ddim', 64, 1)", 10000);
      await record(device, result);
      await page.evaluate(() => benchPg.free());
    }
    if (report.webgpu && report.cpu) await record("webgpuOverCpuTraining", report.webgpu.trainStepsPerSecond / report.cpu.trainStepsPerSecond);
    // The same animation drawn with Canvas2D, for comparison with the wgpu renderer.
    await page.goto(`${url}?canvas2d`);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    await record("forwardFps10000Canvas2d", await page.evaluate(() => window.diffusionLabUi.forwardFps(10000, 3)));
    if (errors.length) throw new Error(errors.join("\n"));
  }));
