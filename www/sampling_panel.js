// Panel 4, sampling: the learned reverse process run from noise with a chosen sampler, step
// count, η and seed; animated with each point's trail; and two settings compared side by
// side, each with its quality numbers.

import { $, COLORS, PREVIEW_SAMPLES, afterFrame, cancelled, message, nextFrame, qualityText } from "./ui.js";
import { Stage } from "./stage.js";
import { trajectoryFrame } from "./trails.js";
import { DEFAULTS } from "./url_state.js";

/** Points in an animation. */
const ANIMATED_POINTS = 1000;
/** Milliseconds an animation lasts. */
const ANIMATION_MS = 3000;

export class SamplingPanel {
  constructor(page) {
    this.page = page;
    this.animating = false;
    this.compareA = null;
    this.compareB = null;
    this.bind();
  }

  applyState() {
    const s = this.page.state;
    $("sampler").value = s.sampler;
    $("steps").value = String(s.steps);
    $("eta").value = String(s.eta);
    $("seed").value = String(s.seed);
    $("cmp-sampler").value = s.bsampler;
    $("cmp-steps").value = String(s.bsteps);
    $("eta").disabled = s.sampler !== "ddim";
  }

  stop() {
    this.animating = false;
  }

  async sample() {
    const { page } = this;
    const { sampler, steps, seed, eta } = page.state;
    page.stopAll();
    page.say("sample-stats", "Sampling…");
    try {
      const t0 = performance.now();
      const samples = await page.pg.sample(PREVIEW_SAMPLES, sampler, steps, seed, eta, page.signal);
      const ms = performance.now() - t0;
      const q = await page.pg.quality(samples);
      await afterFrame(); // a frame between the measuring and the drawing
      page.showSamples(samples, `${PREVIEW_SAMPLES} samples: ${sampler}, ${steps} steps, seed ${seed}`, q);
      page.say("sample-stats", `${qualityText(q)} · ${ms.toFixed(0)} ms`);
    } catch (error) {
      if (!cancelled(error)) page.say("sample-stats", message(error), true);
    }
  }

  /**
   * Plays `frames` (a trajectory of `n` points) over ANIMATION_MS, interpolating between
   * steps, with trails when asked; `color` paints the moving points, `caption(step, of)`
   * describes the frame. Shared by the word panel's guided animation.
   */
  async play(frames, n, steps, { caption, color = COLORS.samples, trails = $("trails").checked, status = "sample-stats" }) {
    const { page } = this;
    this.animating = true;
    const button = status === "sample-stats" ? $("animate") : null;
    if (button) button.textContent = "❚❚ Stop";
    const count = steps + 1;
    const start = performance.now();
    const data = page.pg.points();
    while (this.animating) {
      const p = Math.min(1, (performance.now() - start) / ANIMATION_MS);
      const pos = p * (count - 1);
      const { now, segments } = trajectoryFrame(frames, n, pos, trails);
      const layers = [{ points: data, color: COLORS.dataFaint, size: 2 }];
      if (segments) layers.push({ segments, color: COLORS.trail });
      layers.push({ points: now, color, size: 3 });
      page.caption(caption(Math.min(count - 1, Math.round(pos)), count - 1));
      page.stage.show(layers);
      if (p >= 1) break;
      await nextFrame();
    }
    this.animating = false;
    if (button) button.textContent = "▶ Animate with trails";
  }

  async animate() {
    if (this.animating) {
      this.animating = false;
      return;
    }
    const { page } = this;
    const { sampler, steps, seed, eta } = page.state;
    page.stopAll();
    let frames;
    try {
      frames = await page.pg.trajectory(ANIMATED_POINTS, sampler, steps, seed, eta, page.signal);
    } catch (error) {
      if (!cancelled(error)) page.say("sample-stats", message(error), true);
      return;
    }
    page.legend([]);
    await this.play(frames, ANIMATED_POINTS, steps, {
      caption: (step, of) => `Reverse process: ${sampler}, step ${step} of ${of}`,
    });
  }

  async compare() {
    const { page } = this;
    const s = page.state;
    page.stopAll();
    this.compareA ??= await Stage.create($("cmp-a"), page.lab);
    this.compareB ??= await Stage.create($("cmp-b"), page.lab);
    const { signal } = page;
    const run = async (stage, cap, sampler, steps) => {
      const samples = await page.pg.sample(PREVIEW_SAMPLES, sampler, steps, s.seed, s.eta, signal);
      const q = await page.pg.quality(samples);
      stage.show([
        { points: page.pg.points(), color: COLORS.dataFaint, size: 2 },
        { points: samples, color: COLORS.samples, size: 2 },
      ]);
      $(cap).textContent = `${sampler}, ${steps} steps: ${qualityText(q)}`;
    };
    try {
      await run(this.compareA, "cmp-a-cap", s.sampler, s.steps);
      await run(this.compareB, "cmp-b-cap", s.bsampler, s.bsteps);
    } catch (error) {
      if (!cancelled(error)) page.say("sample-stats", message(error), true);
    }
  }

  bind() {
    const { page } = this;
    const changed = () => {
      const s = page.state;
      Object.assign(s, {
        sampler: $("sampler").value,
        steps: Number($("steps").value) || DEFAULTS.steps,
        eta: Math.min(1, Math.max(0, Number($("eta").value) || 0)),
        seed: Math.max(0, Math.floor(Number($("seed").value) || 0)),
        bsampler: $("cmp-sampler").value,
        bsteps: Number($("cmp-steps").value) || DEFAULTS.bsteps,
      });
      // A student samples only in its own steps: choosing one picks the fewest at hand.
      const students = page.pg.studentSteps();
      if (s.sampler === "student" && students.length && !students.includes(s.steps)) s.steps = students.at(-1);
      if (s.bsampler === "student" && students.length && !students.includes(s.bsteps)) s.bsteps = students.at(-1);
      $("steps").value = String(s.steps);
      $("cmp-steps").value = String(s.bsteps);
      $("eta").disabled = s.sampler !== "ddim";
      page.save();
    };
    for (const id of ["sampler", "steps", "eta", "seed", "cmp-sampler", "cmp-steps"]) $(id).addEventListener("change", changed);
    $("sample").addEventListener("click", () => this.sample());
    $("animate").addEventListener("click", () => this.animate());
    $("compare").addEventListener("click", () => this.compare());
  }
}
