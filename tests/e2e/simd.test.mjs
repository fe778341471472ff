// The page's module built with WebAssembly SIMD (as shipped) and without it (the scalar build
// of `--no-default-features` and no `+simd128`, in $DIST_SCALAR) compute the same numbers on
// the CPU backend, on a fixed seed: a playground trained and sampled, and images generated.
// They differ only in rounding (SIMD kernels add in another order), so the comparison is to a
// float tolerance; the same build run twice must agree exactly, which shows the seeds are fixed
// and the tolerance is about the builds alone. scripts/test.sh builds the scalar page. The
// threaded module (SIMD, flex on a pool of workers, in $DIST/threads) agrees to the same
// tolerance.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { moduleFiles, openBlank, root, runModule, withPage } from "./harness.mjs";

const simdDist = process.env.DIST ?? join(root, "dist");
const scalarDist = process.env.DIST_SCALAR;

/**
 * With the module's exports `lab`: a playground on the CPU trained for 30 steps (moons, batch
 * 256, width 64), sampled (500 points, DDIM, 20 steps) and distilled for 10 steps, and 4 images of "sneaker" from the
 * shipped 4-step student (its files under `origin`), on fixed seeds. Runs in the page or, as
 * its source text, in a worker.
 */
async function work(lab, origin) {
  const pg = lab.Playground.createOnCpu();
  pg.setDataset("moons", 1000, 0);
  pg.setTraining(0.003, 256, 64);
  const losses = [];
  for (let i = 0; i < 3; i++) losses.push(await pg.train(10));
  const samples = Array.from(await pg.sample(500, "ddim", 20, 7));
  // A short distillation (its steps in parts of the build's size, as training's).
  pg.startDistillation(8, 4, 10);
  const distilled = [await pg.distillSteps(5), await pg.distillSteps(5)];
  const studio = await lab.ImageStudio.open({ device: "cpu", base: origin + "www/models/" });
  const images = Array.from(await studio.generate({ word: "sneaker", n: 4, seed: 3 }));
  return { backend: pg.backendDescription(), losses: [...losses, ...distilled], samples, images };
}

/**
 * `work` in a page of `dist` that loads nothing but the module (instantiated by hand, as the
 * compute worker does): on the page's thread, or in a worker with a pool of threads for the
 * threaded module (`files` from `threadedFiles`; the page is then cross-origin isolated).
 */
async function compute(dist, files) {
  const threads = Boolean(files);
  files ??= await moduleFiles(dist);
  return withPage(async (page, { url, errors }) => {
    await openBlank(page, url);
    const result = await runModule(page, { ...files, threads }, work, url);
    assert.deepEqual(errors, []);
    return result;
  }, { dist });
}

/** The threaded module's files beside the page's (scripts/build-threads.sh), if built. */
const threadedFiles = existsSync(join(simdDist, "threads", "diffusion_lab.js"))
  ? { glue: "/threads/diffusion_lab.js", wasm: "/threads/diffusion_lab_bg.wasm" }
  : null;

/** The largest absolute difference between two equally long arrays of numbers. */
function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

test(
  "the SIMD and the scalar builds compute the same numbers on a fixed seed",
  { timeout: 600_000, skip: !scalarDist && "no scalar build: set DIST_SCALAR (scripts/test.sh does)" },
  async () => {
    const simd = await compute(simdDist);
    const again = await compute(simdDist);
    const scalar = await compute(scalarDist);
    assert.match(simd.backend, /WebAssembly SIMD/);
    assert.match(scalar.backend, /scalar WebAssembly/);
    // Same build, same seeds: the same numbers, exactly.
    assert.deepEqual(again, simd);
    const d = {
      loss: maxDiff(simd.losses, scalar.losses),
      samples: maxDiff(simd.samples, scalar.samples),
      images: maxDiff(simd.images, scalar.images),
    };
    console.log(`losses SIMD ${simd.losses.map((l) => l.toFixed(6))}, scalar ${scalar.losses.map((l) => l.toFixed(6))}`);
    console.log(`largest differences: loss ${d.loss.toExponential(2)}, samples ${d.samples.toExponential(2)}, image pixels ${d.images.toExponential(2)}`);
    // Measured here: 1.2e-7 (loss), 8.3e-7 (points), 1.9e-6 (pixels), float32 rounding grown
    // through 30 Adam steps, 20 sampling steps, or 4 denoising steps and a decoder. The bounds
    // leave a 50- to 100-fold margin and stay far below what a wrong kernel gives (a loss off by
    // 1e-2, points off by 1e-1).
    assert.ok(d.loss <= 1e-5, `losses differ by ${d.loss}`);
    assert.ok(d.samples <= 1e-4, `samples differ by ${d.samples}`);
    assert.ok(d.images <= 1e-4, `image pixels differ by ${d.images}`);
  },
);

test(
  "the threaded build (SIMD on a pool of workers) computes the SIMD build's numbers",
  { timeout: 600_000, skip: !threadedFiles && "no threaded build in DIST/threads: scripts/build-threads.sh (scripts/test.sh runs it)" },
  async () => {
    const simd = await compute(simdDist);
    const threaded = await compute(simdDist, threadedFiles);
    console.log(`threaded: ${threaded.backend}`);
    assert.match(threaded.backend, /WebAssembly SIMD, [2-9]\d* threads/);
    const d = {
      loss: maxDiff(simd.losses, threaded.losses),
      samples: maxDiff(simd.samples, threaded.samples),
      images: maxDiff(simd.images, threaded.images),
    };
    console.log(`largest differences, one thread against several: loss ${d.loss.toExponential(2)}, samples ${d.samples.toExponential(2)}, image pixels ${d.images.toExponential(2)}`);
    // Threads split sums differently (the layer norm's γ and β gradients add blocks of rows),
    // so again rounding only: the SIMD test's bounds.
    assert.ok(d.loss <= 1e-5, `losses differ by ${d.loss}`);
    assert.ok(d.samples <= 1e-4, `samples differ by ${d.samples}`);
    assert.ok(d.images <= 1e-4, `image pixels differ by ${d.images}`);
  },
);
