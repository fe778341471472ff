// The 2D playground page: wires the panels to the crate's exported Playground class (the only
// door into the model) and draws what it returns.
//
// Nothing here computes diffusion maths: data, noise, training, sampling and quality all come
// from the Playground. Work is scheduled so the page never freezes: training runs a few steps
// per call, each call awaits its one read-back, and the loop yields to the browser every frame.

import { Stage } from "./stage.js";
import { makePlayground } from "./device.js";
import { trajectoryFrame } from "./trails.js";
import { LineChart } from "./charts.js";
import { readState, writeState, DEFAULTS } from "./url_state.js";
import {
  strokesToPoints,
  wordToPoints,
  encodeStrokes,
  decodeStrokes,
  simplify,
} from "./sources.js";

const DATASETS = ["moons", "swissroll", "8gaussians", "rings", "checkerboard", "spiral", "pinwheel"];
const SCHEDULES = ["cosine", "linear", "sigmoid"];
const COLORS = {
  data: "#1d2330",
  dataFaint: "#9aa3b580",
  noise: "#3b5bdb",
  samples: "#d9480f",
  trail: "#3b5bdb22",
  stroke: "#c2410c",
  cosine: "#3b5bdb",
  linear: "#2b8a3e",
  sigmoid: "#ae3ec9",
};
/** Samples drawn for the live quality number (as many as the held-out set: see quality). */
const PREVIEW_SAMPLES = 2000;
/** Optimiser steps between two live previews. */
const PREVIEW_EVERY = 250;
/** Milliseconds of training work to aim for in one call. */
const TRAIN_BUDGET_MS = 30;

const $ = (id) => document.getElementById(id);
const nextFrame = () => new Promise((ok) => requestAnimationFrame(ok));

export async function startPlayground(lab) {
  const state = readState(location.hash);
  const pg = await makePlayground(lab, state.device);
  const stage = await Stage.create($("stage"), lab);
  const ui = new PlaygroundPage(lab, pg, stage, state);
  await ui.applyState();
  $("playground").dataset.ready = "true";
  return ui;
}

class PlaygroundPage {
  constructor(lab, pg, stage, state) {
    this.lab = lab;
    this.pg = pg;
    this.stage = stage;
    this.state = state;
    this.strokes = decodeStrokes(state.strokes);
    this.drawing = false;
    this.training = false;
    this.playing = false;
    this.lossLog = { xs: [], ys: [] };
    this.qualityLog = { xs: [], swd: [], floor: NaN };
    this.samples = null;
    this.lossChart = new LineChart($("loss-chart"), { logY: true, xLabel: "steps", empty: "the loss appears when training starts" });
    this.qualityChart = new LineChart($("quality-chart"), { logY: true, xLabel: "steps", empty: "SWD against its floor appears every 250 steps" });
    this.scheduleChart = new LineChart($("schedule-chart"), { xLabel: "t" });
    this.compareA = null;
    this.compareB = null;
    this.bind();
  }

  // ---- state and URL ----

  /** Sets the controls from the state and rebuilds the data and the model settings. */
  async applyState() {
    const s = this.state;
    $("n-points").value = String(s.n);
    $("data-seed").value = String(s.dseed);
    $("word").value = s.word;
    $("schedule").value = s.schedule;
    $("timesteps").value = String(s.T);
    $("lr").value = String(s.lr);
    $("batch").value = String(s.batch);
    $("width").value = String(s.width);
    $("sampler").value = s.sampler;
    $("steps").value = String(s.steps);
    $("eta").value = String(s.eta);
    $("seed").value = String(s.seed);
    $("cmp-sampler").value = s.bsampler;
    $("cmp-steps").value = String(s.bsteps);
    this.guard(() => this.pg.setSchedule(s.schedule, s.T));
    this.guard(() => this.pg.setTraining(s.lr, s.batch, s.width));
    this.loadData();
    this.drawSchedules();
  }

  /** Puts the state in the address bar (without adding history entries). */
  save() {
    history.replaceState(null, "", writeState(this.state) || location.pathname);
  }

  /** Runs `fn`; a thrown error (bad input) is shown to the person, not lost. */
  guard(fn, where = "data-hint") {
    try {
      return fn();
    } catch (error) {
      this.say(where, error.message ?? String(error), true);
      return undefined;
    }
  }

  say(id, text, bad = false) {
    const el = $(id);
    el.textContent = text;
    el.classList.toggle("error", bad);
  }

  // ---- data ----

  loadData() {
    const s = this.state;
    let ok;
    if (s.data === "word") {
      const pts = wordToPoints(s.word, undefined, s.dseed);
      ok = pts.length > 0 && this.guard(() => (this.pg.setPoints(pts), true));
    } else if (s.data === "drawing") {
      const pts = strokesToPoints(this.strokes, undefined, s.dseed);
      this.drawnPoints = pts;
      ok = pts.length >= 8 && this.guard(() => (this.pg.setPoints(pts), true));
    } else {
      ok = this.guard(() => (this.pg.setDataset(s.data, s.n, s.dseed), true));
    }
    if (!ok && s.data !== "moons") {
      s.data = "moons";
      this.guard(() => this.pg.setDataset("moons", s.n, s.dseed));
    }
    for (const b of $("datasets").children) b.setAttribute("aria-pressed", String(b.dataset.name === s.data));
    $("undo").disabled = this.strokes.length === 0;
    $("clear").disabled = this.strokes.length === 0;
    this.modelChanged();
    this.save();
    this.showData();
  }

  showData() {
    const pts = this.pg.points();
    this.caption(`Data: ${this.describeData()}, ${pts.length / 2} points`);
    this.stage.show([{ points: pts, color: COLORS.data, size: 3 }]);
  }

  describeData() {
    const s = this.state;
    if (s.data === "word") return `the word “${s.word}”`;
    if (s.data === "drawing") return `your drawing (${this.strokes.length} strokes)`;
    return s.data;
  }

  caption(text) {
    $("stage-caption").textContent = text;
  }

  /** The model was forgotten (new data, schedule or width): clear its charts. */
  modelChanged() {
    this.lossLog = { xs: [], ys: [] };
    this.qualityLog = { xs: [], swd: [], floor: NaN };
    this.samples = null;
    this.drawCharts();
    this.say("train-stats", "Not trained yet: press Train.");
  }

  // ---- drawing on the stage ----

  setDrawing(on) {
    const was = this.drawing;
    this.drawing = on;
    $("draw").setAttribute("aria-pressed", String(on));
    $("stage").classList.toggle("drawing", on);
    if (on) {
      this.stopAll();
      this.say("data-hint", "Draw on the canvas with the mouse or a finger. Each stroke becomes a band of points; press the button again when done.");
      this.showDrawing();
    } else if (was) {
      this.say("data-hint", "Training uses the points centred and scaled to unit spread, as shown.");
      this.showData();
    }
  }

  showDrawing(current = []) {
    const segs = [];
    for (const stroke of [...this.strokes, current]) {
      for (let i = 1; i < stroke.length; i++) segs.push(...stroke[i - 1], ...stroke[i]);
    }
    const layers = [{ segments: new Float32Array(segs), color: COLORS.stroke }];
    // The points as drawn (training centres and scales them).
    if (this.strokes.length > 0 && this.drawnPoints) layers.unshift({ points: this.drawnPoints, color: COLORS.dataFaint, size: 2 });
    this.caption("Drawing: each stroke becomes points");
    this.stage.show(layers);
  }

  strokesChanged() {
    this.state.data = this.strokes.length > 0 ? "drawing" : "moons";
    this.state.strokes = encodeStrokes(this.strokes);
    this.loadData();
    if (this.drawing) this.showDrawing();
  }

  bindDrawing() {
    const canvas = $("stage");
    let current = null;
    canvas.addEventListener("pointerdown", (e) => {
      if (!this.drawing) return;
      canvas.setPointerCapture(e.pointerId);
      current = [this.stage.toData(e)];
      e.preventDefault();
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing || !current) return;
      current.push(this.stage.toData(e));
      this.showDrawing(current);
    });
    const end = () => {
      if (!current) return;
      this.strokes.push(simplify(current));
      current = null;
      this.strokesChanged();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  // ---- forward process ----

  showForward(t) {
    const x = this.guard(() => this.pg.noised(t, 0), "data-hint");
    if (!x) return;
    $("t").value = String(t);
    $("t-out").textContent = `t = ${t.toFixed(3)}`;
    const abar = this.alphaBar(t);
    this.caption(`Forward process: t = ${t.toFixed(2)}, ᾱ = ${abar.toFixed(3)}`);
    this.stage.show([{ points: x, color: COLORS.noise, size: 3 }]);
    this.drawSchedules(t);
  }

  alphaBar(t) {
    const curve = this.lab.alphaBarCurve(this.state.schedule, this.state.T, 1001);
    return curve[Math.round(t * 1000)];
  }

  async playForward() {
    if (this.playing) {
      this.playing = false;
      return;
    }
    this.stopAll();
    this.playing = true;
    $("play-forward").textContent = "❚❚ Pause";
    const start = performance.now();
    const from = Number($("t").value) >= 0.999 ? 0 : Number($("t").value);
    const seconds = 4 * (1 - from);
    while (this.playing) {
      const t = Math.min(1, from + (performance.now() - start) / 1000 / 4);
      this.showForward(t);
      if (t >= 1 || seconds === 0) break;
      await nextFrame();
    }
    this.playing = false;
    $("play-forward").textContent = "▶ Play";
  }

  drawSchedules(t = Number($("t").value)) {
    const view = $("curve").value;
    const xs = Array.from({ length: 201 }, (_, i) => i / 200);
    const series = SCHEDULES.map((name) => {
      const curve = this.lab.alphaBarCurve(name, this.state.T, 201);
      const ys = Array.from(curve, (a) =>
        view === "snr" ? Math.log(Math.max(a, 1e-12) / Math.max(1 - a, 1e-12)) : a,
      );
      return {
        xs,
        ys,
        color: COLORS[name],
        width: name === this.state.schedule ? 3 : 1,
        label: name,
      };
    });
    this.scheduleChart.set(series, { vline: t });
  }

  // ---- training ----

  stopAll() {
    this.training = false;
    this.playing = false;
    this.animating = false;
  }

  async toggleTraining() {
    if (this.training) {
      this.training = false;
      return;
    }
    this.stopAll();
    this.setDrawing(false);
    this.training = true;
    $("train").textContent = "❚❚ Pause";
    let perCall = 2;
    let lastPreview = -1;
    const rate = { steps: 0, ms: 0 };
    try {
      while (this.training) {
        const t0 = performance.now();
        const loss = await this.pg.train(perCall);
        const ms = performance.now() - t0;
        // Aim for about TRAIN_BUDGET_MS of work per call, so frames keep coming.
        perCall = Math.max(1, Math.min(64, Math.round(perCall * (ms < TRAIN_BUDGET_MS ? 1.25 : 0.8))));
        rate.steps = 0.9 * rate.steps + perCall;
        rate.ms = 0.9 * rate.ms + ms;
        const done = this.pg.stepsDone();
        this.lossLog.xs.push(done);
        this.lossLog.ys.push(loss);
        this.say(
          "train-stats",
          `${done} steps · loss ${loss.toFixed(4)} · ${((1000 * rate.steps) / rate.ms).toFixed(1)} steps/s on ${this.pg.backend() === "webgpu" ? "WebGPU" : "the CPU"}`,
        );
        if (Math.floor(done / PREVIEW_EVERY) !== lastPreview) {
          lastPreview = Math.floor(done / PREVIEW_EVERY);
          await this.preview();
        }
        this.drawCharts();
        await nextFrame();
      }
    } catch (error) {
      this.say("train-stats", `Training stopped: ${error.message ?? error}`, true);
    }
    this.training = false;
    $("train").textContent = "▶ Train";
  }

  /** Fresh samples from the current model, drawn and measured against the floor. */
  async preview() {
    const samples = await this.pg.sample(PREVIEW_SAMPLES, "ddim", 25, 12345);
    const q = await this.pg.quality(samples);
    this.samples = samples;
    this.qualityLog.xs.push(this.pg.stepsDone());
    this.qualityLog.swd.push(q.swd);
    this.qualityLog.floor = q.floorSwd;
    this.showSamples(samples, `Model after ${this.pg.stepsDone()} steps (DDIM, 25 steps)`, q);
  }

  showSamples(samples, caption, q) {
    this.caption(caption);
    $("stage-stats").textContent = q ? qualityText(q) : "";
    this.stage.show([
      { points: this.pg.points(), color: COLORS.dataFaint, size: 2 },
      { points: samples, color: COLORS.samples, size: 3 },
    ]);
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

  // ---- sampling ----

  samplingArgs() {
    const s = this.state;
    return [s.sampler, s.steps, s.seed, s.eta];
  }

  async sampleNow() {
    this.stopAll();
    const [sampler, steps, seed, eta] = this.samplingArgs();
    this.say("sample-stats", "Sampling…");
    try {
      const t0 = performance.now();
      const samples = await this.pg.sample(PREVIEW_SAMPLES, sampler, steps, seed, eta);
      const ms = performance.now() - t0;
      const q = await this.pg.quality(samples);
      this.samples = samples;
      this.showSamples(samples, `${PREVIEW_SAMPLES} samples: ${sampler}, ${steps} steps, seed ${seed}`, q);
      this.say("sample-stats", `${qualityText(q)} · ${ms.toFixed(0)} ms`);
    } catch (error) {
      this.say("sample-stats", error.message ?? String(error), true);
    }
  }

  async animate() {
    if (this.animating) {
      this.animating = false;
      return;
    }
    this.stopAll();
    const [sampler, steps, seed, eta] = this.samplingArgs();
    const n = 1000;
    let frames;
    try {
      frames = await this.pg.trajectory(n, sampler, steps, seed, eta);
    } catch (error) {
      this.say("sample-stats", error.message ?? String(error), true);
      return;
    }
    this.animating = true;
    $("animate").textContent = "❚❚ Stop";
    const count = steps + 1;
    const trails = $("trails").checked;
    const duration = 3000;
    const start = performance.now();
    const data = this.pg.points();
    while (this.animating) {
      const p = Math.min(1, (performance.now() - start) / duration);
      const pos = p * (count - 1);
      const { now, segments } = trajectoryFrame(frames, n, pos, trails);
      const layers = [{ points: data, color: COLORS.dataFaint, size: 2 }];
      if (segments) layers.push({ segments, color: COLORS.trail });
      layers.push({ points: now, color: COLORS.samples, size: 3 });
      this.caption(`Reverse process: ${sampler}, step ${Math.min(count - 1, Math.round(pos))} of ${count - 1}`);
      this.stage.show(layers);
      if (p >= 1) break;
      await nextFrame();
    }
    this.animating = false;
    $("animate").textContent = "▶ Animate with trails";
  }

  async compare() {
    this.stopAll();
    const s = this.state;
    this.compareA ??= await Stage.create($("cmp-a"), this.lab);
    this.compareB ??= await Stage.create($("cmp-b"), this.lab);
    const run = async (stage, cap, sampler, steps) => {
      const samples = await this.pg.sample(PREVIEW_SAMPLES, sampler, steps, s.seed, s.eta);
      const q = await this.pg.quality(samples);
      stage.show([
        { points: this.pg.points(), color: COLORS.dataFaint, size: 2 },
        { points: samples, color: COLORS.samples, size: 2 },
      ]);
      $(cap).textContent = `${sampler}, ${steps} steps: ${qualityText(q)}`;
    };
    try {
      await run(this.compareA, "cmp-a-cap", s.sampler, s.steps);
      await run(this.compareB, "cmp-b-cap", s.bsampler, s.bsteps);
    } catch (error) {
      this.say("sample-stats", error.message ?? String(error), true);
    }
  }

  // ---- share and keep ----

  async exportWeights() {
    try {
      const bytes = await this.pg.exportWeights();
      const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `diffusion-lab-${this.state.data}-${this.pg.stepsDone()}steps.dlab`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      this.say("share-stats", `Saved ${bytes.length.toLocaleString()} bytes (${this.pg.stepsDone()} steps).`);
    } catch (error) {
      this.say("share-stats", error.message ?? String(error), true);
    }
  }

  async importWeights(file) {
    this.stopAll();
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      this.pg.importWeights(bytes);
      const st = this.pg.settings();
      Object.assign(this.state, {
        schedule: st.schedule,
        T: st.timesteps,
        lr: st.learningRate,
        batch: st.batchSize,
        width: st.width,
      });
      for (const [id, v] of [["schedule", st.schedule], ["timesteps", st.timesteps], ["lr", st.learningRate], ["batch", st.batchSize], ["width", st.width]]) $(id).value = String(v);
      this.save();
      this.drawSchedules();
      this.modelChanged();
      this.say("share-stats", `Loaded ${file.name}: ${this.pg.stepsDone()} steps of training.`);
      this.say("train-stats", `A loaded model, trained for ${this.pg.stepsDone()} steps: press Train to go on.`);
      await this.sampleNow();
    } catch (error) {
      this.say("share-stats", `Could not load ${file.name}: ${error.message ?? error}`, true);
    }
  }

  /** Moves to another compute device: a new Playground, with the same setup. */
  async switchDevice(device) {
    this.stopAll();
    const old = this.pg;
    this.pg = await makePlayground(this.lab, device);
    old.free();
    this.state.device = device;
    await this.applyState();
  }

  // ---- wiring ----

  bind() {
    const s = this.state;
    $("device").addEventListener("change", () => this.switchDevice($("device").value));
    for (const name of DATASETS) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = name;
      b.dataset.name = name;
      b.addEventListener("click", () => {
        this.stopAll();
        this.setDrawing(false);
        s.data = name;
        this.loadData();
      });
      $("datasets").append(b);
    }
    const number = (id, key, apply) =>
      $(id).addEventListener("change", () => {
        const v = Number($(id).value);
        if (!Number.isFinite(v)) return;
        s[key] = v;
        apply();
        this.save();
      });
    number("n-points", "n", () => DATASETS.includes(s.data) && this.loadData());
    number("data-seed", "dseed", () => this.loadData());
    $("draw").addEventListener("click", () => this.setDrawing(!this.drawing));
    $("undo").addEventListener("click", () => {
      this.strokes.pop();
      this.strokesChanged();
    });
    $("clear").addEventListener("click", () => {
      this.strokes = [];
      this.strokesChanged();
    });
    $("word-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const word = $("word").value.trim();
      if (!word) return this.say("data-hint", "Type a word first.", true);
      this.stopAll();
      this.setDrawing(false);
      Object.assign(s, { data: "word", word });
      this.loadData();
    });
    this.bindDrawing();

    $("play-forward").addEventListener("click", () => this.playForward());
    $("t").addEventListener("input", () => {
      this.stopAll();
      this.showForward(Number($("t").value));
    });
    const scheduleChanged = () => {
      const T = Number($("timesteps").value);
      const ok = this.guard(() => (this.pg.setSchedule($("schedule").value, T), true), "train-stats");
      if (!ok) return;
      Object.assign(s, { schedule: $("schedule").value, T });
      this.save();
      this.modelChanged();
      this.showForward(Number($("t").value));
    };
    $("schedule").addEventListener("change", scheduleChanged);
    $("timesteps").addEventListener("change", scheduleChanged);
    $("curve").addEventListener("change", () => this.drawSchedules());

    const trainingChanged = () => {
      const [lr, batch, width] = ["lr", "batch", "width"].map((id) => Number($(id).value));
      const before = this.pg.stepsDone();
      const ok = this.guard(() => (this.pg.setTraining(lr, batch, width), true), "train-stats");
      if (!ok) return;
      Object.assign(s, { lr, batch, width });
      if (before > 0 && this.pg.stepsDone() === 0) this.modelChanged();
      this.save();
    };
    for (const id of ["lr", "batch", "width"]) $(id).addEventListener("change", trainingChanged);
    $("train").addEventListener("click", () => this.toggleTraining());
    $("reset").addEventListener("click", () => {
      this.stopAll();
      this.pg.reset();
      this.modelChanged();
      this.showData();
    });

    const samplingChanged = () => {
      Object.assign(s, {
        sampler: $("sampler").value,
        steps: Number($("steps").value) || DEFAULTS.steps,
        eta: Math.min(1, Math.max(0, Number($("eta").value) || 0)),
        seed: Math.max(0, Math.floor(Number($("seed").value) || 0)),
        bsampler: $("cmp-sampler").value,
        bsteps: Number($("cmp-steps").value) || DEFAULTS.bsteps,
      });
      $("eta").disabled = s.sampler !== "ddim";
      this.save();
    };
    for (const id of ["sampler", "steps", "eta", "seed", "cmp-sampler", "cmp-steps"]) {
      $(id).addEventListener("change", samplingChanged);
    }
    $("eta").disabled = s.sampler !== "ddim";
    $("sample").addEventListener("click", () => this.sampleNow());
    $("animate").addEventListener("click", () => this.animate());
    $("compare").addEventListener("click", () => this.compare());

    $("copy-link").addEventListener("click", async () => {
      this.save();
      try {
        await navigator.clipboard.writeText(location.href);
        this.say("share-stats", "Link copied.");
      } catch {
        this.say("share-stats", `Copy this link: ${location.href}`);
      }
    });
    $("export").addEventListener("click", () => this.exportWeights());
    $("import").addEventListener("change", (e) => {
      const file = e.target.files?.[0];
      if (file) this.importWeights(file);
      e.target.value = "";
    });
  }

  // ---- for benchmarks and tests ----

  /** Frames per second of the forward animation with `n` points over `seconds`. */
  async forwardFps(n, seconds = 2) {
    this.stopAll();
    this.pg.setDataset("moons", n, 0);
    let frames = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const t = ((performance.now() - start) / (seconds * 1000)) % 1;
      this.stage.show([{ points: this.pg.noised(t, 0), color: COLORS.noise, size: 2 }]);
      frames++;
      await nextFrame();
    }
    const fps = frames / ((performance.now() - start) / 1000);
    this.loadData();
    return fps;
  }
}

function qualityText(q) {
  return `SWD ${q.swd.toFixed(4)} (floor ${q.floorSwd.toFixed(4)}, ${(q.swd / q.floorSwd).toFixed(2)}×) · MMD² ${q.mmd.toExponential(1)}`;
}
