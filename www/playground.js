// The 2D playground page: one controller per panel (data, forward, training, sampling, words,
// distillation, share), all driving the crate's exported Playground class (the only door into the model),
// and this page object that holds what they share: the Playground, the stage, the state kept
// in the address bar, and the status lines.
//
// Nothing here computes diffusion maths: data, noise, training, sampling and quality all come
// from the Playground. Work is scheduled so the page never freezes: training runs a few steps
// per call, each call awaits its one read-back, and the loop yields to the browser every frame.

import { $, COLORS, message, qualityText, wordColor } from "./ui.js";
import { Stage } from "./stage.js";
import { makePlayground, warmUp, webgpuOffered } from "./device.js";
import { saveState } from "./url_state.js";
import { DataPanel } from "./data_panel.js";
import { ForwardPanel } from "./forward_panel.js";
import { TrainingPanel } from "./training_panel.js";
import { SamplingPanel } from "./sampling_panel.js";
import { WordsPanel } from "./words_panel.js";
import { DistillPanel } from "./distill_panel.js";
import { SharePanel } from "./share_panel.js";

/** Starts the playground with `state` (the link's setup, shared with the images panel). */
export async function startPlayground(lab, state) {
  const pg = await makePlayground(lab, state.device);
  const stage = await Stage.create($("stage"), lab);
  const page = new PlaygroundPage(lab, pg, stage, state);
  await page.applyState();
  await page.warmUp();
  $("playground").dataset.ready = "true";
  return page;
}

class PlaygroundPage {
  constructor(lab, pg, stage, state) {
    this.lab = lab;
    this.pg = pg;
    this.stage = stage;
    this.state = state;
    /** Cancels the sampling jobs in flight when something else starts (see `stopAll`). */
    this.jobs = new AbortController();
    /** The samples last shown on the stage. */
    this.samples = null;
    this.data = new DataPanel(this);
    this.forward = new ForwardPanel(this);
    this.training = new TrainingPanel(this);
    this.sampling = new SamplingPanel(this);
    this.words = new WordsPanel(this);
    this.distill = new DistillPanel(this);
    this.share = new SharePanel(this);
    $("device").addEventListener("change", () => this.switchDevice($("device").value));
    document.addEventListener("stage-fallback", (e) => this.drawingFellBack(e.detail));
    /** How many times a lost WebGPU device was replaced (after a few, the CPU takes over). */
    this.recoveries = 0;
    this.watchDevice(pg);
  }

  /**
   * If the browser takes `pg`'s WebGPU device away (a driver reset; presenting a WebGPU canvas
   * in a Chromium without GPU compositing), starts again on a new device with the same setup,
   * and says so; `#device-hint` has `data-recovering` meanwhile. After three losses, or when
   * the browser offers no WebGPU for a few seconds, the CPU takes over. The weights trained on
   * the lost device cannot be read back: they are lost.
   */
  watchDevice(pg) {
    pg.lost().then(async (reason) => {
      if (this.pg !== pg) return;
      this.recoveries += 1;
      const wanted = this.recoveries > 3 ? "cpu" : this.state.device;
      const hint = $("device-hint");
      hint.dataset.recovering = "true";
      const saved = this.training.saved;
      const wasTraining = this.training.interrupted();
      try {
        // Just after it took a device away, a browser can refuse a new adapter or device for a
        // moment (Chromium does, now and then, in the end-to-end tests): ask again a quarter
        // of a second later, then half a second, ... up to 4 s, unless the person chooses a
        // device meanwhile.
        for (let wait = 0; ; wait = wait ? 2 * wait : 250) {
          const current = this.pg;
          await new Promise((ok) => setTimeout(ok, wait));
          if (this.pg !== current) return;
          this.say("device-hint", `${reason}: starting again…`, true);
          await this.switchDevice(wanted);
          if (webgpuOffered() || wanted === "cpu" || wait >= 4000) break;
        }
      } finally {
        delete hint.dataset.recovering;
      }
      const next = this.pg.backend() === "webgpu"
        ? "started again on a new device"
        : wanted === "cpu"
          ? "computing on the CPU from now on"
          : `computing on the CPU: ${this.pg.backendDescription()}`;
      const model = await this.restore(saved);
      this.say("device-hint", `${reason}: ${next}, with the same setup ${model}.`, true);
      // Training goes on where it was saved (the new playground is idle, so this starts it).
      if (wasTraining && !this.training.running) this.training.toggle();
    });
  }

  /**
   * After a lost device: loads the weights training saved last (`saved`, from the training
   * panel) into the new playground, and says what the model now is.
   */
  async restore(saved) {
    if (!saved) return "(no model had been trained yet)";
    try {
      this.pg.importWeights(saved.bytes);
    } catch (error) {
      return `(the saved weights could not be loaded: ${message(error)})`;
    }
    this.training.saved = saved;
    await this.training.wentBack();
    const ago = Math.round((performance.now() - saved.at) / 1000);
    return `and the weights saved at step ${saved.steps}, ${ago} s before`;
  }

  /** The stage's wgpu drawing device was lost: the stage now draws with Canvas2D. */
  drawingFellBack(reason) {
    this.drawingNote = `Drawing with Canvas2D: ${reason}.`;
    this.showDrawingNote();
  }

  /** Adds why the stage draws with Canvas2D to the device hint, when it does. */
  showDrawingNote() {
    if (!this.drawingNote) return;
    const hint = $("device-hint");
    hint.textContent = `${hint.textContent.replace(/ Drawing still uses WebGPU\.$/, "")} ${this.drawingNote}`.trim();
  }

  /** Sets every control from the state, then loads the data. */
  async applyState() {
    this.data.applyState();
    this.forward.applyState();
    this.training.applyState();
    this.sampling.applyState();
    this.words.applyState();
    this.distill.applyState();
    this.data.load();
  }

  /** Puts the state in the address bar (without adding history entries). */
  save() {
    saveState(this.state);
  }

  /** Runs `fn`; a thrown error (bad input) is shown to the person in `where`, not lost. */
  guard(fn, where = "data-hint") {
    try {
      return fn();
    } catch (error) {
      this.say(where, message(error), true);
      return undefined;
    }
  }

  say(id, text, bad = false) {
    const el = $(id);
    el.textContent = text;
    el.classList.toggle("error", bad);
  }

  caption(text) {
    $("stage-caption").textContent = text;
  }

  /** The signal of the sampling jobs started now: aborted by the next `stopAll()`. */
  get signal() {
    return this.jobs.signal;
  }

  /** The stage's legend: one coloured entry per word (none for unnamed points). */
  legend(words) {
    $("stage-legend").replaceChildren(
      ...words.map((w, k) => {
        const item = document.createElement("span");
        item.style.setProperty("--swatch", wordColor(k));
        item.textContent = w;
        return item;
      }),
    );
  }

  /**
   * Stops whatever runs: training, distillation, the forward animation, a reverse animation,
   * and cancels the sampling jobs still computing (their callers pass `signal`), so that what
   * starts now does not wait behind them.
   */
  stopAll() {
    this.training.stop();
    this.distill.stop();
    this.forward.stop();
    this.sampling.stop();
    this.jobs.abort();
    this.jobs = new AbortController();
  }

  /** The model was forgotten (new data, schedule or network): clear what showed it. */
  modelChanged() {
    this.training.forget();
    this.distill.forget();
    this.share.studentsChanged();
    this.words.showWords();
  }

  /** Samples over the faint data, with their quality numbers. */
  showSamples(samples, caption, q) {
    this.samples = samples;
    this.caption(caption);
    $("stage-stats").textContent = q ? qualityText(q) : "";
    this.stage.show([
      { points: this.pg.points(), color: COLORS.dataFaint, size: 2 },
      { points: samples, color: COLORS.samples, size: 3 },
    ]);
  }

  /**
   * Runs the page's compute paths once on its device before it is used, with what is being
   * prepared on the stage's caption ("Preparing your GPU: training (1 of 3)…";
   * `#playground[data-preparing]` meanwhile).
   */
  async warmUp() {
    const caption = $("stage-caption");
    const before = caption.textContent;
    $("playground").dataset.preparing = "true";
    try {
      await warmUp(this.lab, this.pg, this.state, (text) => (caption.textContent = text));
    } finally {
      caption.textContent = before;
      delete $("playground").dataset.preparing;
    }
  }

  /** Moves to another compute device: a new Playground, with the same setup. */
  async switchDevice(device) {
    this.stopAll();
    const old = this.pg;
    this.pg = await makePlayground(this.lab, device);
    await this.warmUp();
    old.free();
    this.watchDevice(this.pg);
    this.showDrawingNote();
    this.state.device = device;
    await this.applyState();
  }

  /** Frames per second of the forward animation with `n` points (for the benchmark). */
  forwardFps(n, seconds = 2) {
    return this.forward.fps(n, seconds);
  }
}
