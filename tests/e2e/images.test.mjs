// Images from words in the page, as a person uses it: a typed word and a grid of it (judged by
// the project's classifier), an unknown word refused, the denoising watched, a walk between
// seeds, variations of a drawing and of an uploaded picture, the grid downloaded, the teacher
// for comparison, the setup kept in the link, and the models taken from the browser's cache on
// the second visit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { shots, withPage } from "./harness.mjs";

const panel = (page, expr) => page.evaluate(`window.diffusionLabImages.then((p) => ${expr})`);
const generations = (page) => page.$eval("#images-panel", (el) => Number(el.dataset.generations ?? 0));

/** Runs `act`, then waits until the panel has drawn once more. */
async function drawn(page, act) {
  const before = await generations(page);
  await act();
  await page.waitForFunction((n) => Number(document.getElementById("images-panel").dataset.generations ?? 0) > n, before, { timeout: 120_000 });
}

/** A PNG's width and height, from its header. */
function pngSize(bytes) {
  assert.equal(bytes.toString("ascii", 1, 4), "PNG");
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test("images from words: a grid of sneakers, the denoising, a walk, variations, the link", { timeout: 600_000 }, () =>
  withPage(async (page, { url, errors, served }) => {
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => Number(document.getElementById("images-panel").dataset.generations ?? 0) >= 1, null, { timeout: 180_000 });
    console.log(`first grid ${((Date.now() - started) / 1000).toFixed(1)} s after navigation`);
    // The studio computes in the compute worker; the main thread only draws.
    assert.equal(await page.getAttribute("#images-panel", "data-compute"), "worker");
    await page.locator("#images-panel").scrollIntoViewIfNeeded();

    // Type a word: "dress", then "sneaker"; 16 images each, the judge's verdict beside them.
    for (const word of ["dress", "sneaker"]) {
      await drawn(page, async () => {
        await page.fill("#image-word", word);
        await page.click("#image-go");
      });
      assert.equal(await page.getAttribute("#image-grid", "data-word"), word);
      assert.equal(await page.getAttribute("#image-grid", "data-count"), "16");
      const status = await page.textContent("#image-status");
      assert.match(status, new RegExp(`16 images of “${word}” by the 4-step student`), status);
      const right = Number(await page.getAttribute("#image-judge", "data-right"));
      console.log(await page.textContent("#image-judge"));
      assert.ok(right >= 12, `the judge sees only ${right} of 16 as ${word}`);
    }
    await page.locator("#image-grid").screenshot({ path: join(shots, "20-images-sneakers.png") });
    assert.doesNotMatch(page.url(), /iword=/, "sneaker is the default word, left out of the link");
    // The word chip is pressed.
    assert.equal(await page.textContent("#image-words button[aria-pressed=true]"), "sneaker");

    // An unknown word gets a message listing the known ones, and the grid stays.
    await drawn(page, async () => {
      await page.fill("#image-word", "hat");
      await page.click("#image-go");
    });
    const refused = await page.textContent("#image-status");
    assert.match(refused, /hat/);
    assert.match(refused, /sneaker/);
    assert.equal(await page.getAttribute("#image-status", "class"), "stats error");
    await page.click("#image-words button:text-is('sneaker')");
    await page.waitForFunction(() => !document.getElementById("image-status").classList.contains("error"), null, { timeout: 60_000 });

    // Show the denoising: four frames, the last one the grid itself.
    await page.click("#image-denoise");
    await page.waitForSelector("#image-denoising[data-shown='4']", { timeout: 60_000 });
    const [last, grid] = await panel(page, "[Array.from(p.frames.estimates.slice(3 * 16 * 784)), Array.from(p.grid.values)]");
    assert.ok(last.every((v, i) => Math.abs(v - grid[i]) < 1e-5), "the last step's estimate is the image");
    const first = await panel(page, "Array.from(p.frames.estimates.slice(0, 16 * 784))");
    const change = first.reduce((s, v, i) => s + Math.abs(v - grid[i]), 0) / first.length;
    assert.ok(change > 0.005, `the first estimate is already the image (mean change ${change})`);
    assert.match(await page.textContent("#image-frame-text"), /Step 4 of 4/);
    await page.locator("#images-panel .images-view").screenshot({ path: join(shots, "21-images-denoising.png") });
    // The slider goes back to the first step.
    await page.fill("#image-frame", "0");
    await page.dispatchEvent("#image-frame", "input");
    assert.match(await page.textContent("#image-frame-text"), /Step 1 of 4/);

    // A walk from seed 0 to seed 1 in 8 images.
    await page.click("#image-walk");
    await page.waitForSelector("#image-walk-strip[data-count='8']", { timeout: 60_000 });
    await page.locator("#image-walk-strip").screenshot({ path: join(shots, "22-images-walk.png") });

    // Variations of a drawing: a filled block drawn with the mouse, as a bag.
    const pad = await page.locator("#image-pad").boundingBox();
    await page.mouse.move(pad.x + pad.width * 0.3, pad.y + pad.height * 0.35);
    await page.mouse.down();
    for (let row = 0; row < 8; row++) {
      const y = pad.y + pad.height * (0.35 + 0.04 * row);
      await page.mouse.move(pad.x + pad.width * 0.7, y, { steps: 6 });
      await page.mouse.move(pad.x + pad.width * 0.3, y + pad.height * 0.02, { steps: 6 });
    }
    await page.mouse.up();
    const ink = await panel(page, "Array.from(p.pad.ink).reduce((a, b) => a + b, 0)");
    assert.ok(ink > 40, `the drawing has ink (${ink})`);
    await page.click("#image-words button:text-is('bag')");
    await page.waitForFunction(() => document.getElementById("image-grid").dataset.word === "bag", null, { timeout: 60_000 });
    await page.click("#image-vary");
    await page.waitForSelector("#image-variations[data-count='8']", { timeout: 60_000 });
    assert.match(await page.textContent("#image-status"), /8 variations of your drawing as “bag”/);
    await page.locator("#images-panel").screenshot({ path: join(shots, "23-images-panel.png") });

    // Download the grid as a PNG: 16 images of 28 pixels, 2-pixel gaps, 4 canvas pixels each.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#image-download")]);
    const png = await readFile(await download.path());
    assert.deepEqual(pngSize(png), [4 * (4 * 30 - 2), 4 * (4 * 30 - 2)]);
    assert.match(download.suggestedFilename(), /^diffusion-lab-bag-seed0\.png$/);

    // Variations of an uploaded picture: a dark block on a white background, 120 × 80 pixels,
    // scaled into 28 × 28 and read as ink where it is dark (the light background turned to no
    // ink), then varied as the drawing was.
    const picture = await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [120, 80];
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, 120, 80);
      ctx.fillStyle = "#111";
      ctx.fillRect(20, 30, 80, 30);
      return canvas.toDataURL("image/png").split(",")[1];
    });
    await page.$eval("#image-variations", (el) => delete el.dataset.count);
    await page.setInputFiles("#image-upload", { name: "block.png", mimeType: "image/png", buffer: Buffer.from(picture, "base64") });
    await page.waitForSelector("#image-variations[data-count='8']", { timeout: 60_000 });
    const [centre, corner] = await panel(page, "[p.pad.ink[14 * 28 + 14], p.pad.ink[2 * 28 + 2]]");
    assert.ok(centre > 0.8 && corner < 0.05, `the picture's block is ink (${centre}), its background not (${corner})`);
    await page.locator("#images-panel .images-layout").last().screenshot({ path: join(shots, "24-images-upload.png") });

    // The teacher, for comparison (fetched when first asked for).
    await drawn(page, () => page.selectOption("#image-model", "teacher"));
    assert.match(await page.textContent("#image-status"), /by the teacher \(dpmpp2m, 20 steps\)/);
    assert.equal(await panel(page, "p.studio.hasTeacher()"), true);
    await drawn(page, () => page.selectOption("#image-model", "student"));

    // A grid of 64 with the main thread watched: no task over 50 ms, as the worker computes.
    // A change while it is drawn cancels it, and only the latest setup is drawn.
    await page.evaluate(() => {
      window.longTasks = [];
      const observer = new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => Math.round(e.duration))));
      observer.observe({ type: "longtask" });
    });
    const cancelled = async () => Number(await page.getAttribute("#images-panel", "data-cancelled") ?? 0);
    const cancelledBefore = await cancelled();
    await drawn(page, async () => {
      await page.selectOption("#image-n", "64");
      await page.waitForTimeout(50);
      await page.fill("#image-seed", "7");
      await page.dispatchEvent("#image-seed", "change");
    });
    assert.equal(await cancelled(), cancelledBefore + 1, "the grid of the older setup was cancelled");
    assert.match(await page.textContent("#image-status"), /64 images of “bag” .* seed 7:/);
    assert.equal(await page.getAttribute("#image-grid", "data-count"), "64");
    const longTasks = await page.evaluate(() => window.longTasks);
    console.log(`main-thread tasks over 50 ms while 64 images were drawn in the worker: ${JSON.stringify(longTasks)}`);
    assert.deepEqual(longTasks, [], "long tasks on the main thread");
    await drawn(page, () => page.selectOption("#image-n", "16"));

    // The setup in the link: another seed and guidance; a reload draws the same grid.
    await drawn(page, async () => {
      await page.fill("#image-seed", "5");
      await page.dispatchEvent("#image-seed", "change");
    });
    await drawn(page, async () => {
      await page.fill("#image-guidance", "2");
      await page.dispatchEvent("#image-guidance", "input");
    });
    assert.match(page.url(), /iword=bag/);
    assert.match(page.url(), /iw=2/);
    assert.match(page.url(), /iseed=5/);
    const before = await panel(page, "Array.from(p.grid.values)");
    const firstVisit = served.length;
    await page.reload();
    await page.waitForFunction(() => Number(document.getElementById("images-panel").dataset.generations ?? 0) >= 1, null, { timeout: 180_000 });
    // The second visit takes the models from the browser's cache: the server is only asked
    // whether they changed (304, no body).
    const models = served.slice(firstVisit).filter((r) => r.path.endsWith(".dlab"));
    console.log(`second visit, the models: ${JSON.stringify(models)}`);
    assert.ok(models.length >= 2, `the models were not asked for again: ${JSON.stringify(models)}`);
    assert.ok(models.every((r) => r.status === 304), `models sent again: ${JSON.stringify(models)}`);
    const after = await panel(page, "Array.from(p.grid.values)");
    assert.equal(await page.getAttribute("#image-grid", "data-word"), "bag");
    assert.equal(await page.inputValue("#image-seed"), "5");
    const worst = before.reduce((m, v, i) => Math.max(m, Math.abs(v - after[i])), 0);
    assert.ok(worst < 1e-5, `the link draws the same grid (differs by ${worst})`);
    assert.deepEqual(errors, []);
  }),
);
