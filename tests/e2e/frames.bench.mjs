// How smooth the page stays while it computes on the CPU (burn's `flex` in WebAssembly, on the
// main thread): with the page's defaults, press Train for 15 s, pause, then Sample, and report
// the gaps between animation frames (longest and 99th percentile) and the longest task the
// browser's long-task observer saw, for each phase. Reported, never asserted (machines here
// are noisy). `DIST=path` measures another build of the page (for a before/after comparison),
// as it does for every end-to-end test.
//
//   npm run bench:frames --prefix tests/e2e

import { test } from "node:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { shots, withPage } from "./harness.mjs";

test("frame gaps while training and sampling on the CPU", { timeout: 600_000 }, () =>
  withPage(
    async (page, { url, errors }) => {
      await page.goto(url);
      await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
      const device = await page.evaluate(() => window.diffusionLabUi.pg.backend());
      if (device !== "cpu") throw new Error(`the page computes on ${device}, not the CPU`);
      // Frame and long-task recorders, started and stopped per phase.
      await page.evaluate(() => {
        window.frameWatch = {
          start() {
            this.gaps = [];
            this.tasks = [];
            this.on = true;
            let last = performance.now();
            const tick = (now) => {
              this.gaps.push(now - last);
              last = now;
              if (this.on) requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
            this.observer = new PerformanceObserver((list) => this.tasks.push(...list.getEntries().map((e) => e.duration)));
            this.observer.observe({ type: "longtask" });
          },
          stop() {
            this.on = false;
            this.observer.disconnect();
            const gaps = [...this.gaps].sort((a, b) => a - b);
            const pick = (q) => gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))];
            return {
              frames: gaps.length,
              longestGapMs: Math.round(gaps.at(-1)),
              p99GapMs: Math.round(pick(0.99)),
              medianGapMs: Math.round(pick(0.5)),
              longTasks: this.tasks.length,
              longestTaskMs: Math.round(Math.max(0, ...this.tasks)),
            };
          },
        };
      });
      const report = { page: url };
      await page.evaluate(() => window.frameWatch.start());
      await page.click("#train");
      await page.waitForTimeout(15_000);
      await page.click("#train");
      await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
      report.training = await page.evaluate(() => window.frameWatch.stop());
      report.training.steps = await page.evaluate(() => window.diffusionLabUi.pg.stepsDone());
      console.log("training 15 s:", JSON.stringify(report.training));
      await page.evaluate(() => {
        document.getElementById("sample-stats").textContent = "";
        window.frameWatch.start();
      });
      const t0 = Date.now();
      await page.click("#sample");
      await page.waitForFunction(() => /SWD/.test(document.getElementById("sample-stats").textContent), null, { timeout: 300_000 });
      report.sampling = await page.evaluate(() => window.frameWatch.stop());
      report.sampling.seconds = (Date.now() - t0) / 1000;
      console.log("sampling 2,000 points, 50 DDIM steps:", JSON.stringify(report.sampling));
      await writeFile(join(shots, "frames.json"), JSON.stringify(report, null, 2));
      if (errors.length) throw new Error(errors.join("\n"));
    },
  ));
