// Guided diffusion in the page, as a person uses it: shapes named by words (datasets, a typed
// word, a drawing), one network trained on them, samples drawn by word with the guidance slider, the word
// vectors drawn while they train, and the setup kept in the link.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { drawL, pageState, shots, withPage } from "./harness.mjs";
import { inkStats } from "./ink.mjs";

const chips = (page) => page.$$eval("#word-set .chip", (els) => els.map((e) => e.firstChild.textContent.trim()));

/** The share of samples nearest to the word, from the status line, once it is for `w`. */
async function accuracyAt(page, w) {
  await page.fill("#guidance", String(w));
  await page.dispatchEvent("#guidance", "input");
  await page.waitForFunction((w) => document.getElementById("words-stats").textContent.startsWith(`w = ${w}:`), w, { timeout: 60_000 });
  const text = await page.textContent("#words-stats");
  console.log(text);
  return Number(text.match(/([\d.]+)% of samples/)[1]) / 100;
}

test("guided diffusion: shapes named by words, drawn by word with guidance", { timeout: 900_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });

    // The set starts with three datasets; a typed word joins it and leaves again.
    assert.deepEqual(await chips(page), ["moons", "rings", "8gaussians"]);
    await page.fill("#add-text", "hi");
    await page.click("#add-text-form button[type=submit]");
    assert.deepEqual(await chips(page), ["moons", "rings", "8gaussians", "hi"]);
    await page.fill("#add-text", "rings");
    await page.click("#add-text-form button[type=submit]");
    assert.match(await page.textContent("#words-hint"), /already in the set/);
    await page.getByRole("button", { name: "Remove hi" }).click();
    // A drawing, named: an L drawn with the mouse in panel 1 joins the set as "L".
    assert.equal(await page.isDisabled("#add-drawing"), true);
    await page.click("#draw");
    await drawL(page);
    await page.fill("#drawing-name", "L");
    await page.click("#add-drawing");
    assert.deepEqual(await chips(page), ["moons", "rings", "8gaussians", "L"]);
    assert.match(page.url(), /set=[^&]*s%3AL%3A/, "the drawing is in the link");
    await page.getByRole("button", { name: "Remove L" }).click();
    await page.getByRole("button", { name: "Remove moons" }).click();
    assert.deepEqual(await chips(page), ["rings", "8gaussians"]);

    // Train one network on both, each shape in its colour with a legend.
    await page.click("#use-words");
    assert.match(await page.textContent("#stage-caption"), /2 shapes named by words, 4000 points/);
    assert.deepEqual(await page.$$eval("#stage-legend span", (els) => els.map((e) => e.textContent)), ["rings", "8gaussians"]);
    const points = await pageState(page, "Array.from(ui.pg.points())");
    const shot = await page.locator("#stage").screenshot({ path: join(shots, "9-words-data.png") });
    const ink = await inkStats(page, shot, points);
    assert.ok(ink.hit > 0.9 && ink.stray < 0.1, `the named shapes are not drawn: ${JSON.stringify(ink)}`);
    await page.selectOption("#lr", "0.01");
    await page.selectOption("#batch", "256");
    await page.selectOption("#width", "64");
    await page.click("#train");
    await page.waitForFunction(() => window.diffusionLabUi.pg.stepsDone() >= 800, null, { timeout: 600_000, polling: 1000 });
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
    console.log(`training: ${await page.textContent("#train-stats")}`);

    // The word vectors: ∅ and two words, drawn as labelled points.
    const vectors = await page.locator("#vectors-chart").screenshot({ path: join(shots, "9-word-vectors.png") });
    assert.ok(vectors.length > 2000, "the word vectors chart looks empty");
    assert.equal((await pageState(page, "ui.pg.embeddingMap().then(Array.from)")).length, 6);

    // Draw rings: guidance sharpens the samples towards the word.
    await page.selectOption("#gen-word", "rings");
    const a0 = await accuracyAt(page, 0);
    const a3 = await accuracyAt(page, 3);
    assert.ok(a3 > a0 + 0.2 && a3 >= 0.9, `guidance should sharpen: ${a0} at w = 0, ${a3} at w = 3`);
    const samples = await pageState(page, "Array.from(ui.samples)");
    const s = await inkStats(page, await page.locator("#stage").screenshot({ path: join(shots, "9-rings-w3.png") }), samples, points);
    assert.ok(s.hit > 0.8, `the samples are not drawn: ${JSON.stringify(s)}`);
    await page.click("#animate-word");
    await page.waitForFunction(() => /Drawing “rings” \(w = 3\): step 50 of 50/.test(document.getElementById("stage-caption").textContent), null, { timeout: 60_000 });
    await page.locator("#stage").screenshot({ path: join(shots, "9-rings-animation.png") });
    await page.locator("#words-panel").screenshot({ path: join(shots, "9-words-panel.png") });

    // The link keeps the set, the word and the guidance.
    assert.match(page.url(), /data=words/);
    assert.match(page.url(), /gword=rings/);
    await page.reload();
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    assert.deepEqual(await chips(page), ["rings", "8gaussians"]);
    assert.equal(await page.inputValue("#gen-word"), "rings");
    assert.equal(await page.inputValue("#guidance"), "3");
    assert.deepEqual(await pageState(page, "Array.from(ui.pg.points())"), points);
    assert.deepEqual(errors, []);
  }));
