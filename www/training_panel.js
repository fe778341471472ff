// Panel 3, the reverse process: training the denoiser. The loop calls `train(k)`, awaits its
// one read-back, adapts k to about 30 ms of work per call, and yields a frame per call, so
// the page never freezes; every 250 steps fresh samples are drawn and measured (SWD against
// the floor), and the word vectors of a conditional model are redrawn.

import { $, COLORS, PREVIEW_SAMPLES, afterFrame, message } from "./ui.js";
import { LineChart } from "./charts.js";

/** Optimiser steps between two live previews. */
const PREVIEW_EVERY = 250;
/** Optimiser steps between two drawings of the word vectors (conditional models). */
const VECTORS_EVERY = 25;
/** Milliseconds of training work to aim for in one call. */
const TRAIN_BUDGET_MS = 30;
/** How often training saves its weights, in milliseconds of training. */
const SAVE_EVERY_MS = 10_000;

export class TrainingPanel {
  constructor(page) {
    this.page = page;
    this.running = false;
    this.lossChart = new LineChart($("loss-chart"), { logY: true, xLabel: "steps", empty: "the loss appears when training starts" });
    this.qualityChart = new LineChart($("quality-chart"), { logY: true, xLabel: "steps", empty: "SWD against its floor appears every 250 steps" });
    this.forget();
    this.bind();
  }

  applyState() {
    const s = this.page.state;
    $("lr").value = String(s.lr);
    $("batch").value = String(s.batch);
    $("width").value = String(s.width);
    this.page.guard(() => this.page.pg.setTraining(s.lr, s.batch, s.width));
  }

  stop() {
    this.running = false;
  }

  /** The model was forgotten: clear the charts. */
  forget() {
    /** The weights last saved while training (see `keepWeights`), for a lost device. */
    this.saved = null;
    this.lossLog = { xs: [], ys: [] };
    this.qualityLog = { xs: [], swd: [], floor: NaN };
    this.drawCharts();
    this.page.say("train-stats", "Not trained yet: press Train.");
  }

  async toggle() {
    if (this.running) {
      this.running = false;
      return;
    }
    const { page } = this;
    page.stopAll();
    page.data.setDrawing(false);
    this.running = true;
    // This run's token: a run that ends after a newer one started leaves the newer one be.
    const run = (this.run = {});
    $("train").textContent = "❚❚ Pause";
    let perCall = 2;
    let lastPreview = -1;
    let lastVectors = 0;
    const named = page.pg.words().length > 0;
    const rate = { steps: 0, ms: 0 };
    try {
      while (this.running && this.run === run) {
        const t0 = performance.now();
        const loss = await page.pg.train(perCall);
        const ms = performance.now() - t0;
        // Aim for about TRAIN_BUDGET_MS of work per call, so frames keep coming: as many steps
        // as fit at the last call's pace, at most twice as many as before (and at least one;
        // on the CPU a step is taken in parts, with the browser's turn between them).
        rate.steps = 0.9 * rate.steps + perCall;
        const fit = Math.floor(TRAIN_BUDGET_MS / (ms / perCall));
        perCall = Math.max(1, Math.min(64, 2 * perCall, fit));
        rate.ms = 0.9 * rate.ms + ms;
        const done = page.pg.stepsDone();
        this.lossLog.xs.push(done);
        this.lossLog.ys.push(loss);
        const device = page.pg.backend() === "webgpu" ? "WebGPU" : "the CPU";
        page.say("train-stats", `${done} steps · loss ${loss.toFixed(4)} · ${((1000 * rate.steps) / rate.ms).toFixed(1)} steps/s on ${device}`);
        if (Math.floor(done / PREVIEW_EVERY) !== lastPreview) {
          lastPreview = Math.floor(done / PREVIEW_EVERY);
          await this.preview();
        } else if (named && done - lastVectors >= VECTORS_EVERY) {
          // The word vectors move while they train.
          lastVectors = done;
          await page.words.drawVectors();
        }
        this.drawCharts();
        await this.keepWeights();
        await afterFrame();
      }
    } catch (error) {
      if (this.run !== run) return;
      page.say("train-stats", `Training stopped: ${message(error)}`, true);
      if (/diverged/.test(message(error))) await this.wentBack();
      else this.stoppedAt = performance.now(); // a lost device may have stopped it: see `interrupted`
    }
    if (this.run !== run) return;
    this.running = false;
    $("train").textContent = "▶ Train";
  }

  /**
   * Saves the weights every SAVE_EVERY_MS of training (a read-back of well under a megabyte), so
   * that a lost WebGPU device or a crashed worker costs at most that much training.
   */
  async keepWeights() {
    const { pg } = this.page;
    if (this.saved && performance.now() - this.saved.at < SAVE_EVERY_MS) return;
    const bytes = await pg.exportWeights();
    this.saved = { bytes, steps: pg.stepsDone(), at: performance.now() };
  }

  /**
   * Whether training runs, or an error stopped it in the last few seconds: asked when a device
   * is lost (whose error stops training about when the loss is reported).
   */
  interrupted() {
    return this.running || performance.now() - (this.stoppedAt ?? -Infinity) < 5000;
  }

  /** Training diverged and went back to a good state: the charts and the stage show it. */
  async wentBack() {
    const done = this.page.pg.stepsDone();
    const keep = (log, keys) => {
      const n = log.xs.findIndex((x) => x > done);
      if (n >= 0) for (const key of keys) log[key].length = n;
    };
    keep(this.lossLog, ["xs", "ys"]);
    keep(this.qualityLog, ["xs", "swd"]);
    this.drawCharts();
    if (done > 0) await this.preview().catch(() => {});
  }

  /** Fresh samples from the current model, drawn and measured against the floor. */
  async preview() {
    const { page } = this;
    const samples = await page.pg.sample(PREVIEW_SAMPLES, "ddim", 25, 12345);
    const q = await page.pg.quality(samples);
    // A frame between the last piece of the measuring and the drawing of its results.
    await afterFrame();
    this.qualityLog.xs.push(page.pg.stepsDone());
    this.qualityLog.swd.push(q.swd);
    this.qualityLog.floor = q.floorSwd;
    page.showSamples(samples, `Model after ${page.pg.stepsDone()} steps (DDIM, 25 steps)`, q);
    await page.words.drawVectors();
  }

  drawCharts() {
    const { xs, ys } = this.lossLog;
    // A smoothed loss over the raw one.
    const smooth = [];
    let m = ys[0];
    for (const y of ys) smooth.push((m = 0.9 * m + 0.1 * y));
    this.lossChart.set([
      { xs, ys, color: "#9aa3b5", width: 1, label: "loss" },
      { xs, ys: smooth, color: "#1d2330", width: 2, label: "smoothed" },
    ]);
    const ql = this.qualityLog;
    const hlines = Number.isFinite(ql.floor)
      ? [
          { y: ql.floor, color: "#2b8a3e", label: "floor" },
          { y: 3 * ql.floor, color: "#c2410c", label: "3× floor" },
        ]
      : [];
    this.qualityChart.set([{ xs: ql.xs, ys: ql.swd, color: COLORS.samples, width: 2, label: "SWD" }], { hlines });
  }

  bind() {
    const { page } = this;
    const changed = () => {
      const [lr, batch, width] = ["lr", "batch", "width"].map((id) => Number($(id).value));
      const before = page.pg.stepsDone();
      const ok = page.guard(() => (page.pg.setTraining(lr, batch, width), true), "train-stats");
      if (!ok) return;
      Object.assign(page.state, { lr, batch, width });
      if (before > 0 && page.pg.stepsDone() === 0) page.modelChanged();
      page.save();
    };
    for (const id of ["lr", "batch", "width"]) $(id).addEventListener("change", changed);
    $("train").addEventListener("click", () => this.toggle());
    $("reset").addEventListener("click", () => {
      page.stopAll();
      page.pg.reset();
      page.modelChanged();
      page.data.show();
    });
  }
}
