// The 2D playground as a person uses it, in Chromium with WebGPU: choose a dataset, play the
// forward process, train, sample, animate, compare, distil (pausing once), sample the student,
// draw a shape, type a word; the link keeps the setup across a reload; saved weights and a
// saved student load back to the same samples. A screenshot after
// each step (target/e2e/*.png) is checked for content.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { drawL, pageState, shots, withPage } from "./harness.mjs";
import { inkStats } from "./ink.mjs";

/** Screenshots the stage and checks that `points` are drawn and little else is. */
async function checkStage(page, name, points, { alsoDrawn = [], minHit = 0.9, maxStray = 0.1, canvas = "#stage" } = {}) {
  const png = await page.locator(canvas).screenshot({ path: join(shots, `${name}.png`) });
  const s = await inkStats(page, png, points, alsoDrawn);
  const where = `${name}: ink ${s.ink.toFixed(4)}, hit ${s.hit.toFixed(3)}, stray ${s.stray.toFixed(3)}`;
  console.log(where);
  assert.ok(s.ink > 0.002, `blank canvas? ${where}`);
  assert.ok(s.hit >= minHit, `points not drawn where they should be: ${where}`);
  assert.ok(s.stray <= maxStray, `ink away from the points: ${where}`);
  return s;
}


test("the playground: data, forward, training, sampling, distillation, drawing, words, links, weights", { timeout: 900_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    assert.equal(await page.getAttribute("#stage", "data-renderer"), "wgpu");
    // SwiftShader is a software adapter: the page computes on the CPU, says why, and still
    // draws with WebGPU.
    assert.equal(await page.inputValue("#device"), "cpu");
    assert.match(await page.textContent("#device-hint"), /software renderer/);
    assert.equal(await pageState(page, "ui.pg.backend()"), "cpu");
    // It computes in the compute worker; the main thread only draws.
    assert.equal(await page.getAttribute("#playground", "data-compute"), "worker");

    // 1. A dataset.
    await page.getByRole("button", { name: "rings", exact: true }).click();
    assert.match(await page.textContent("#stage-caption"), /rings, 2000 points/);
    await checkStage(page, "1-rings", await pageState(page, "Array.from(ui.pg.points())"));

    // 2. The forward process, played to the end: the cloud is now Gaussian noise.
    await page.click("#play-forward");
    await page.waitForFunction(() => document.getElementById("t-out").textContent === "t = 1.000", null, { timeout: 30_000 });
    assert.match(await page.textContent("#stage-caption"), /t = 1\.00/);
    await checkStage(page, "2-forward-end", await pageState(page, "Array.from(ui.pg.noised(1, 0))"));
    // Half-way, by the slider.
    await page.fill("#t", "0.5");
    await page.dispatchEvent("#t", "input");
    await checkStage(page, "2-forward-half", await pageState(page, "Array.from(ui.pg.noised(0.5, 0))"));

    // 3. Training, until the second quality reading (250 steps) has come in, then pause. (How
    // good training gets is the browser tests' and the benchmarks' business.)
    await page.getByRole("button", { name: "moons", exact: true }).click();
    // No task over 50 ms on the main thread while the worker trains and samples.
    await page.evaluate(() => {
      window.longTasks = [];
      window.longTaskWatch = new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => Math.round(e.duration))));
      window.longTaskWatch.observe({ type: "longtask" });
    });
    await page.click("#train");
    await page.waitForFunction(() => window.diffusionLabUi.training.qualityLog.xs.length >= 2, null, {
      timeout: 600_000,
      polling: 1000,
    });
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("train").textContent.includes("Train"));
    const stats = await page.textContent("#train-stats");
    console.log(`training: ${stats}`);
    assert.match(stats, /steps · loss \d/);
    const log = await pageState(page, "ui.training.qualityLog");
    console.log(`quality: ${JSON.stringify(log)}`);
    assert.ok(log.swd.at(-1) < log.swd[0], "the samples must improve with training");
    await page.locator("#train-panel").screenshot({ path: join(shots, "3-training-panel.png") });
    const data = await pageState(page, "Array.from(ui.pg.points())");
    await checkStage(page, "3-training", await pageState(page, "Array.from(ui.samples)"), { alsoDrawn: data, minHit: 0.8 });

    // 4. Sampling with another sampler; animation with trails; comparison.
    await page.selectOption("#sampler", "dpmpp2m");
    await page.fill("#steps", "20");
    await page.dispatchEvent("#steps", "change");
    await page.click("#sample");
    await page.waitForFunction(() => /SWD/.test(document.getElementById("sample-stats").textContent));
    console.log(`sampling: ${await page.textContent("#sample-stats")}`);
    const longTasks = await page.evaluate(() => (window.longTaskWatch.disconnect(), window.longTasks));
    console.log(`main-thread tasks over 50 ms while training and sampling: ${JSON.stringify(longTasks)}`);
    assert.deepEqual(longTasks, [], "long tasks on the main thread");
    await checkStage(page, "4-samples", await pageState(page, "Array.from(ui.samples)"), { alsoDrawn: data, minHit: 0.8 });
    await page.click("#animate");
    await page.waitForFunction(() => /step 20 of 20/.test(document.getElementById("stage-caption").textContent), null, { timeout: 60_000 });
    await page.locator("#stage").screenshot({ path: join(shots, "4-trails.png") });
    await page.click("#compare");
    await page.waitForFunction(() => /SWD/.test(document.getElementById("cmp-b-cap").textContent), null, { timeout: 60_000 });
    console.log(`compare: A ${await page.textContent("#cmp-a-cap")} | B ${await page.textContent("#cmp-b-cap")}`);
    await page.locator("#sample-panel").screenshot({ path: join(shots, "4-compare.png") });

    // 4b. Distillation, short (8 -> 4 -> 2 steps, 50 steps a round), paused once and resumed:
    // the teacher's two lines and the students' points on the chart, the paths side by side.
    await page.selectOption("#distill-from", "8");
    await page.selectOption("#distill-to", "2");
    await page.selectOption("#distill-round", "50");
    await page.click("#distill");
    await page.waitForFunction(() => /Round 1 of 2: .* step [1-9]/.test(document.getElementById("distill-stats").textContent), null, { timeout: 120_000 });
    await page.click("#distill");
    await page.waitForFunction(() => document.getElementById("distill").textContent === "▶ Resume");
    const paused = await pageState(page, "ui.pg.distillProgress()");
    assert.equal(paused.round, 1);
    assert.ok(paused.steps > 0 && paused.steps < 50, `paused at ${JSON.stringify(paused)}`);
    await page.click("#distill");
    await page.waitForFunction(() => /Round 2 of 2 done/.test(document.getElementById("distill-stats").textContent), null, { timeout: 300_000, polling: 500 });
    assert.equal(await page.textContent("#distill"), "▶ Distil");
    console.log(`distillation: ${await page.textContent("#distill-stats")}`);
    const dlog = await pageState(page, "ui.distill.log");
    console.log(`distillation chart: ${JSON.stringify(dlog)}`);
    assert.deepEqual(dlog.teacher.ddim.map((m) => m.steps), [1, 2, 4, 8]);
    assert.deepEqual(dlog.teacher.dpmpp2m.map((m) => m.steps), [1, 2, 4, 8]);
    assert.deepEqual(dlog.students.map((m) => m.steps), [4, 2]);
    assert.ok(dlog.students.every((m) => m.swd > 0 && Number.isFinite(m.swd)));
    await page.locator("#distill-panel").screenshot({ path: join(shots, "4b-distillation.png") });
    // The paths: the student's 2-step paths end at its samples, the teacher's 8-step ones at its.
    const ends = async (sampler, steps) => {
      const frames = await pageState(page, `ui.pg.trajectory(300, "${sampler}", ${steps}, 12345).then(Array.from)`);
      return { all: frames, last: frames.slice(-600) };
    };
    const paths = { student: await ends("student", 2), teacher: await ends("ddim", 8) };
    for (const [who, { all, last }] of Object.entries(paths)) {
      await checkStage(page, `4b-paths-${who}`, last, { canvas: `#paths-${who}`, alsoDrawn: [...data, ...all], minHit: 0.8, maxStray: 0.9 });
    }
    assert.match(await page.textContent("#paths-student-cap"), /Student: 2 steps/);
    // The student in the sampling panel: choosing it picks its fewest steps.
    await page.selectOption("#sampler", "student");
    assert.equal(await page.inputValue("#steps"), "2");
    await page.click("#sample");
    await page.waitForFunction(() => /SWD/.test(document.getElementById("sample-stats").textContent));
    console.log(`student sampling: ${await page.textContent("#sample-stats")}`);
    await checkStage(page, "4b-student-samples", await pageState(page, "Array.from(ui.samples)"), { alsoDrawn: data, minHit: 0.8 });
    const studentSamples = await pageState(page, "ui.pg.sample(300, 'student', 2, 4).then(Array.from)");
    const [studentDownload] = await Promise.all([page.waitForEvent("download"), page.click("#export-student")]);
    const studentFile = join(shots, "student.dlab");
    await studentDownload.saveAs(studentFile);
    await page.selectOption("#sampler", "dpmpp2m");
    await page.fill("#steps", "20");
    await page.dispatchEvent("#steps", "change");

    // 5. Drawing a shape: an L, with the mouse.
    await page.click("#draw");
    await drawL(page);
    assert.equal(await pageState(page, "ui.pg.dataLabel()"), "your points");
    await page.click("#draw");
    await checkStage(page, "5-drawing", await pageState(page, "Array.from(ui.pg.points())"));
    const drawn = await pageState(page, "Array.from(ui.pg.points())");
    // An L: an arm up the left, an arm along the bottom, nothing at the upper right.
    const share = (f) => drawn.filter((_, i) => i % 2 === 0 && f(drawn[i], drawn[i + 1])).length / (drawn.length / 2);
    const upperLeft = share((x, y) => x < 0 && y > 0);
    const lowerRight = share((x, y) => x > 0 && y < 0);
    const upperRight = share((x, y) => x > 0.3 && y > 0.3);
    assert.ok(upperLeft > 0.2 && lowerRight > 0.2 && upperRight < 0.02, `not an L: ${upperLeft}, ${lowerRight}, ${upperRight}`);

    // 6. A word.
    await page.fill("#word", "hi");
    await page.click("#word-form button[type=submit]");
    assert.match(await page.textContent("#stage-caption"), /the word “hi”/);
    const word = await pageState(page, "Array.from(ui.pg.points())");
    await checkStage(page, "6-word", word);

    // 7. The link keeps the setup: reload and find the same word, sampler and steps.
    const link = page.url();
    assert.match(link, /data=word/);
    assert.match(link, /sampler=dpmpp2m/);
    await page.reload();
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    assert.equal(await page.inputValue("#word"), "hi");
    assert.equal(await page.inputValue("#sampler"), "dpmpp2m");
    assert.equal(await page.inputValue("#steps"), "20");
    assert.deepEqual(await pageState(page, "Array.from(ui.pg.points())"), word);

    // 8. Saved weights load back to the same samples for the same seed.
    await pageState(page, "ui.pg.train(30)");
    const before = await pageState(page, "ui.pg.sample(300, 'ddim', 15, 4).then(Array.from)");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const file = join(shots, "weights.dlab");
    await download.saveAs(file);
    await page.reload();
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    assert.equal(await pageState(page, "ui.pg.stepsDone()"), 0);
    await page.setInputFiles("#import", file);
    await page.waitForFunction(() => /Loaded/.test(document.getElementById("share-stats").textContent));
    assert.equal(await pageState(page, "ui.pg.stepsDone()"), 30);
    const after = await pageState(page, "ui.pg.sample(300, 'ddim', 15, 4).then(Array.from)");
    assert.deepEqual(after, before);
    // The saved student loads next to the model and samples as before.
    await page.setInputFiles("#import", studentFile);
    await page.waitForFunction(() => /a student that samples in 2 steps/.test(document.getElementById("share-stats").textContent));
    assert.equal(await page.inputValue("#sampler"), "student");
    assert.deepEqual(await pageState(page, "ui.pg.sample(300, 'student', 2, 4).then(Array.from)"), studentSamples);
    assert.equal(await pageState(page, "ui.pg.stepsDone()"), 30);
    // A file that is not a model is refused with a message.
    await page.setInputFiles("#import", { name: "notes.dlab", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await page.waitForFunction(() => /Could not load notes\.dlab/.test(document.getElementById("share-stats").textContent));
    assert.equal(await pageState(page, "ui.pg.stepsDone()"), 30);

    await page.screenshot({ path: join(shots, "8-page.png"), fullPage: true });
    assert.deepEqual(errors, []);
  }));

test("the playground reflows on a phone", { timeout: 300_000 }, () =>
  withPage(
    async (page, { url, errors }) => {
    await page.goto(url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page scrolls sideways: ${width}px wide`);
    const stage = await page.locator("#stage").boundingBox();
    const controls = await page.locator("#data-panel").boundingBox();
    assert.ok(controls.y >= stage.y + stage.height, "the controls must come below the points");
    await checkStage(page, "phone-stage", await pageState(page, "Array.from(ui.pg.points())"));
    await page.screenshot({ path: join(shots, "phone.png"), fullPage: true });
    // Keyboard: Tab reaches the dataset buttons and Enter picks one.
    await page.focus("#datasets button:nth-child(4)");
    await page.keyboard.press("Enter");
    assert.match(await page.textContent("#stage-caption"), /rings/);
    assert.deepEqual(errors, []);
    },
    { viewport: { width: 390, height: 844 } },
  ));
