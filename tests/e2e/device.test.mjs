// The compute device in a Chromium that cannot composite WebGPU canvases (webdriver.json's
// flags, without Vulkan): presenting the stage's WebGPU canvas there loses every WebGPU device
// of the page, burn's included. The page must notice, draw with Canvas2D, and still train and
// sample on WebGPU when a person chooses it: CPU -> WebGPU -> CPU -> WebGPU, training and
// sampling after each switch (small settings in the link: SwiftShader computes slowly).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { shots, startedAgain, withPage } from "./harness.mjs";
import { inkStats } from "./ink.mjs";

const ui = (page, expr, arg) => page.evaluate(`((arg) => { const ui = window.diffusionLabUi; return ${expr}; })(${JSON.stringify(arg)})`);

test("choosing the device: CPU -> WebGPU -> CPU -> WebGPU, training and sampling after each", { timeout: 1_500_000 }, () =>
  withPage(
    async (page, { url, errors }) => {
      await page.goto(`${url}#batch=64&width=32&steps=4`);
      await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
      // The stage's first frame lost the WebGPU devices: it now draws with Canvas2D, says so,
      // and still shows the data.
      await page.waitForFunction(() => document.getElementById("stage").dataset.renderer === "canvas2d", null, { timeout: 30_000 });
      assert.match(await page.getAttribute("#stage", "data-fallback"), /WebGPU device was lost/);
      assert.match(await page.textContent("#device-hint"), /Drawing with Canvas2D: the WebGPU device was lost/);
      assert.equal(await page.inputValue("#device"), "cpu");

      // What the stage's caption says while a new device is prepared (its kernels compiled).
      await page.evaluate(() => {
        window.captions = [];
        const caption = document.getElementById("stage-caption");
        new MutationObserver(() => window.captions.push(caption.textContent)).observe(caption, { childList: true, characterData: true, subtree: true });
      });
      for (const [i, device] of ["cpu", "webgpu", "cpu", "webgpu"].entries()) {
        if ((await page.inputValue("#device")) !== device) {
          await page.evaluate(() => (window.captions = []));
          await page.selectOption("#device", device);
          await page.waitForFunction((d) => window.diffusionLabUi.pg.backend() === d && window.diffusionLabUi.pg.stepsDone() === 0, device);
          await page.waitForFunction(() => !document.getElementById("playground").dataset.preparing);
          const said = await page.evaluate(() => window.captions);
          if (device === "webgpu") {
            for (const k of [1, 2, 3]) {
              assert.ok(said.some((c) => c.startsWith("Preparing your GPU") && c.includes(`(${k} of 3)`)), `no step ${k} in ${JSON.stringify(said)}`);
            }
          }
          assert.doesNotMatch(await page.textContent("#stage-caption"), /Preparing/);
        }
        // Train until the first preview is measured and a few steps are done, then pause.
        const t0 = Date.now();
        await page.click("#train");
        await page.waitForFunction(
          () => window.diffusionLabUi.training.qualityLog.xs.length >= 1 && window.diffusionLabUi.pg.stepsDone() >= 6,
          null,
          { timeout: 600_000, polling: 500 },
        );
        await page.click("#train");
        await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
        const stats = await page.textContent("#train-stats");
        const where = device === "cpu" ? "the CPU" : "WebGPU";
        assert.match(stats, new RegExp(`^\\d+ steps · loss \\d+\\.\\d+ · [\\d.]+ steps/s on ${where}$`), stats);
        // Sample: 2,000 points in 4 DDIM steps, measured against the data.
        await page.evaluate(() => (document.getElementById("sample-stats").textContent = ""));
        await page.click("#sample");
        await page.waitForFunction(() => /SWD/.test(document.getElementById("sample-stats").textContent), null, { timeout: 600_000, polling: 500 });
        const samples = await ui(page, "Array.from(ui.samples)");
        assert.equal(samples.length, 4000);
        assert.ok(samples.every(Number.isFinite), "samples are finite");
        const png = await page.locator("#stage").screenshot({ path: join(shots, `device-${i}-${device}.png`) });
        const ink = await inkStats(page, png, samples, await ui(page, "Array.from(ui.pg.points())"));
        console.log(`${device}: ${stats}; sampled and drawn in ${((Date.now() - t0) / 1000).toFixed(0)} s in all; ink ${ink.ink.toFixed(4)}, hit ${ink.hit.toFixed(3)}`);
        assert.ok(ink.ink > 0.002 && ink.hit > 0.8, `the samples are not drawn: ${JSON.stringify(ink)}`);
      }
      assert.deepEqual(errors, []);
    },
    { compositing: false },
  ));

// A page set to WebGPU in its link starts there, loses the device when the stage first draws,
// and starts again on a new device by itself.
test("a lost WebGPU device is replaced without a reload", { timeout: 600_000 }, () =>
  withPage(
    async (page, { url, errors }) => {
      await page.goto(`${url}#device=webgpu&batch=64&width=32&steps=4`);
      await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
      await startedAgain(page, 60_000);
      assert.equal(await ui(page, "ui.pg.backend()"), "webgpu");
      const loss = await ui(page, "ui.pg.train(2)");
      assert.ok(Number.isFinite(loss), `loss ${loss}`);
      assert.deepEqual(errors, []);
    },
    { compositing: false },
  ));
