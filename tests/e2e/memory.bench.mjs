// Long use, measured (a benchmark, not a test): in headless Chromium, the crate's module on
// its CPU backend (burn's flex: every tensor lives in the module's linear memory) trains a
// playground for 20,000 steps, then samples 1,000 times, then draws 200 grids of 16 images;
// the WebAssembly memory and the JavaScript heap (after a forced garbage collection) are read
// at the start, the middle and the end of each. Linear memory never shrinks, so a leak shows
// as growth after the first rounds have warmed the allocator up. Writes
// target/e2e/memory.json. Run after `trunk build --release`: `npm run bench:memory` here
// (about 10 minutes on this project's 2-core machine).

import { test } from "node:test";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launch, root, serve, shots } from "./harness.mjs";

const dist = process.env.DIST ?? join(root, "dist");

test("memory over long use: 20,000 training steps, 1,000 samplings, 200 image grids", { timeout: 3_600_000 }, async () => {
  const wasm = (await readdir(dist)).find((f) => f.endsWith("_bg.wasm"));
  const server = await serve(dist);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await page.route(server.url + "blank", (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>memory</title><link rel=icon href=data:,>" }));
    await page.goto(server.url + "blank");
    await page.evaluate(async ({ glue, wasm }) => {
      window.lab = await import(glue);
      window.exports = await window.lab.default({ module_or_path: wasm });
    }, { glue: "/" + wasm.replace(/_bg\.wasm$/, ".js"), wasm: "/" + wasm });
    const rows = [];
    const measure = async (phase, done) => {
      await cdp.send("HeapProfiler.collectGarbage");
      const m = await page.evaluate(() => ({ wasmMB: window.exports.memory.buffer.byteLength / 2 ** 20, jsHeapMB: performance.memory.usedJSHeapSize / 2 ** 20 }));
      const row = { phase, done, wasmMB: +m.wasmMB.toFixed(1), jsHeapMB: +m.jsHeapMB.toFixed(1) };
      console.log(JSON.stringify(row));
      rows.push(row);
    };
    await page.evaluate(() => {
      window.pg = window.lab.Playground.createOnCpu();
      pg.setDataset("moons", 2000, 0);
      pg.setTraining(3e-3, 256, 64);
    });
    await measure("training", 0);
    for (let done = 0; done < 20_000; ) {
      await page.evaluate(async () => {
        for (let k = 0; k < 20; k++) await pg.train(25);
      });
      done += 500;
      if (done % 5000 === 0) await measure("training", done);
    }
    await measure("sampling", 0);
    for (let done = 0; done < 1000; ) {
      await page.evaluate(async () => {
        for (let k = 0; k < 50; k++) await pg.sample(500, "ddim", 20, k);
      });
      done += 50;
      if (done % 250 === 0) await measure("sampling", done);
    }
    await page.evaluate(async () => {
      window.studio = await window.lab.ImageStudio.open({ device: "cpu" });
    });
    await measure("image grids", 0);
    for (let done = 0; done < 200; ) {
      await page.evaluate(async () => {
        for (let k = 0; k < 10; k++) await studio.generate({ word: "sneaker", n: 16, seed: k });
      });
      done += 10;
      if (done % 50 === 0) await measure("image grids", done);
    }
    await writeFile(join(shots, "memory.json"), JSON.stringify(rows, null, 2));
  } finally {
    await browser.close();
    server.close();
  }
});
