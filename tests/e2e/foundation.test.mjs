// The page loads, initialises burn on WebGPU and says which adapter it got.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { shots, withPage } from "./harness.mjs";

test("the page reports its WebGPU adapter and exposes the API", { timeout: 180_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(url);

    const ready = await page.evaluate(async () => {
      const lab = await window.diffusionLabReady;
      return {
        same: lab === window.diffusionLab,
        version: lab.version(),
        kind: (await lab.initBackend()).kind,
      };
    });
    assert.equal(ready.same, true, "diffusionLabReady must resolve to window.diffusionLab");
    assert.match(ready.version, /^\d+\.\d+\.\d+$/);
    assert.equal(ready.kind, "webgpu");

    const line = page.locator("#backend");
    assert.equal(await line.getAttribute("data-state"), "webgpu");
    const text = await line.innerText();
    assert.match(text, /^WebGPU: \S/, `backend line: ${text}`);
    assert.doesNotMatch(text, /does not tell its name/, `the adapter should have a name: ${text}`);

    await page.screenshot({ path: join(shots, "foundation.png"), fullPage: true });
    assert.deepEqual(errors, []);
  }));
