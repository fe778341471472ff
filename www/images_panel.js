// Images from words: the crate's ImageStudio (a latent autoencoder and distilled latent
// denoisers, fetched from www/models/) behind a word, a grid, the denoising watched, a walk
// between two seeds and variations of your own drawing. The setup lives in the link.
//
// The studio computes in the compute worker (www/worker/), so the page only draws; where there
// is none (`?inline`, no module workers) it computes on the main thread in short pieces.
// Generation requests are coalesced: a change while a grid is drawn cancels it, and only the
// latest change is drawn next.

import { $, message } from "./ui.js";
import { drawImages, drawLatents } from "./image_grid.js";
import { ImagePad } from "./image_pad.js";
import { softwareAdapter } from "./device.js";
import { inWorkerOr, onWorkerCrash, RemoteStudio } from "./worker/client.js";

/** Step counts offered for the teacher. */
const TEACHER_STEPS = [4, 8, 16, 20, 32, 50];
/** Guidance scales the students learnt (their slider's range); the teacher's is wider. */
const STUDENT_GUIDANCE = [1, 5];
const TEACHER_GUIDANCE = [0, 8];
/** Milliseconds per frame of the denoising animation. */
const FRAME_MS = 450;

/** Opens the studio on the page's device and draws the first grid; resolves with the panel. */
export async function startImages(lab, state, save) {
  const panel = new ImagesPanel(lab, state, save);
  await panel.open();
  return panel;
}

class ImagesPanel {
  constructor(lab, state, save) {
    this.lab = lab;
    this.state = state;
    this.save = save;
    this.studio = null;
    /** The last grid: `{values, n, word}`. */
    this.grid = null;
    this.busy = false;
    this.pending = false;
    /** Cancels the grid being drawn. */
    this.running = null;
    /** WebGPU devices the studio lost: after three, it computes on the CPU. */
    this.losses = 0;
    this.pad = new ImagePad($("image-pad"), () => {});
    this.bind();
    this.applyState();
  }

  /** The studio on the device the header's selector asks for ("auto": WebGPU unless software). */
  async open() {
    const status = $("image-status");
    const progress = $("image-progress");
    progress.hidden = false;
    const fetched = new Map();
    const onProgress = ({ file, loaded }) => {
      fetched.set(file, loaded);
      const total = [...fetched.values()].reduce((a, b) => a + b, 0);
      status.textContent = `Fetching the models: ${file}, ${(total / 1e6).toFixed(2)} MB so far…`;
      progress.removeAttribute("value");
    };
    status.classList.remove("error");
    try {
      const device = await this.device();
      const studio = await this.openStudio({ device, onProgress });
      this.studio?.free();
      this.studio = studio;
      this.watch(studio);
    } catch (error) {
      progress.hidden = true;
      this.say(`The image models could not be loaded: ${message(error)}`, true);
      throw error;
    }
    progress.hidden = true;
    this.showWords();
    $("images-panel").dataset.ready = "true";
    await this.generate();
  }

  /**
   * A studio in the compute worker, or on the main thread where there is no worker or it
   * cannot start; `#images-panel[data-compute]` says which ("worker" or "main").
   */
  async openStudio(options) {
    const studio = await inWorkerOr(
      (channel) => RemoteStudio.open(channel, options),
      () => this.lab.ImageStudio.open(options),
    );
    $("images-panel").dataset.compute = studio instanceof RemoteStudio ? "worker" : "main";
    return studio;
  }

  /**
   * "cpu" or "auto" for the studio: the CPU when the person chose it, and also on a software
   * WebGPU adapter (SwiftShader), even when chosen for the playground: there the image
   * networks' first kernels take tens of seconds to compile and every step is far slower.
   */
  async device() {
    if (this.state.device === "cpu" || this.losses > 3) return "cpu";
    const backend = await this.lab.initBackend();
    return backend.kind === "webgpu" && !softwareAdapter(backend.description) ? "auto" : "cpu";
  }

  /**
   * When the browser takes the studio's WebGPU device away (a driver reset, `destroyDevice()`),
   * says so and opens the models again on a new device (on the CPU after three losses), which
   * draws the grid again.
   */
  watch(studio) {
    studio.lost().then(async (reason) => {
      if (this.studio !== studio) return;
      this.losses += 1;
      this.say(`${reason}: opening the image models again${this.losses > 3 ? " on the CPU" : ""}…`, true);
      await this.open().catch(() => {});
    });
  }

  bind() {
    onWorkerCrash((text) => this.say(`${text}; it was started again and will load the models anew.`, true));
    $("image-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.set({ iword: $("image-word").value.trim() });
    });
    $("image-model").addEventListener("change", () => {
      const teacher = $("image-model").value === "teacher";
      const steps = teacher ? 20 : 4;
      this.set({ imodel: teacher ? "teacher" : "student", isteps: steps });
    });
    $("image-steps").addEventListener("change", () => this.set({ isteps: Number($("image-steps").value) }));
    $("image-sampler").addEventListener("change", () => this.set({ isampler: $("image-sampler").value }));
    $("image-guidance").addEventListener("input", () => this.set({ iw: Number($("image-guidance").value) }));
    $("image-seed").addEventListener("change", () => this.set({ iseed: Math.max(0, Math.floor(Number($("image-seed").value) || 0)) }));
    $("image-reseed").addEventListener("click", () => this.set({ iseed: Math.floor(Math.random() * 100000) }));
    $("image-n").addEventListener("change", () => this.set({ in: Number($("image-n").value) }));
    $("image-denoise").addEventListener("click", () => this.showDenoising());
    $("image-download").addEventListener("click", () => this.download());
    $("image-walk").addEventListener("click", () => this.walk());
    $("image-vary").addEventListener("click", () => this.vary());
    $("image-clear").addEventListener("click", () => this.pad.clear());
    $("image-upload").addEventListener("change", async (e) => {
      const file = e.target.files?.[0];
      if (!file) return;
      try {
        await this.pad.load(file);
        await this.vary();
      } catch (error) {
        this.say(`That picture could not be read: ${message(error)}`, true);
      }
    });
    $("image-strength").addEventListener("input", () => {
      $("image-strength-out").textContent = Number($("image-strength").value).toFixed(2);
    });
    $("image-frame").addEventListener("input", () => this.showFrame(Number($("image-frame").value)));
    // The header's device selector moves the studio too (the files come from the HTTP cache).
    $("device").addEventListener("change", async () => {
      const before = await this.device();
      this.state.device = $("device").value;
      if ((await this.device()) !== before) this.open().catch(() => {});
    });
  }

  /** Sets the controls from the state. */
  applyState() {
    const s = this.state;
    const teacher = s.imodel === "teacher";
    $("image-word").value = s.iword;
    $("image-model").value = teacher ? "teacher" : "student";
    const steps = teacher ? TEACHER_STEPS : [1, 2, 4];
    $("image-steps").replaceChildren(
      ...steps.map((k) => new Option(String(k), String(k), false, k === s.isteps)),
    );
    if (!steps.includes(s.isteps)) $("image-steps").value = String(teacher ? 20 : 4);
    $("image-sampler-label").hidden = !teacher;
    $("image-sampler").value = s.isampler;
    const [lo, hi] = teacher ? TEACHER_GUIDANCE : STUDENT_GUIDANCE;
    const g = $("image-guidance");
    g.min = String(lo);
    g.max = String(hi);
    g.value = String(s.iw);
    $("image-guidance-out").textContent = Number(s.iw).toFixed(1);
    $("image-seed").value = String(s.iseed);
    $("image-n").value = String(s.in);
    for (const chip of $("image-words").children) chip.setAttribute("aria-pressed", String(chip.textContent === s.iword));
  }

  /** Changes the setup, keeps it in the link, and draws again. */
  set(patch) {
    Object.assign(this.state, patch);
    if (this.state.imodel === "student") {
      this.state.iw = Math.min(STUDENT_GUIDANCE[1], Math.max(STUDENT_GUIDANCE[0], this.state.iw));
      if (![1, 2, 4].includes(this.state.isteps)) this.state.isteps = 4;
    }
    this.applyState();
    this.save();
    this.generate();
  }

  /** One chip per word the studio knows. */
  showWords() {
    $("image-words").replaceChildren(
      ...this.studio.words().map((word) => {
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "word-chip";
        chip.textContent = word;
        chip.addEventListener("click", () => this.set({ iword: word }));
        return chip;
      }),
    );
    $("image-known").replaceChildren(...this.studio.words().map((w) => new Option(w)));
    this.applyState();
  }

  /** The request of the current setup. */
  request(extra = {}) {
    const s = this.state;
    return {
      word: s.iword,
      n: s.in,
      steps: s.isteps,
      guidance: s.iw,
      seed: s.iseed,
      model: s.imodel,
      sampler: s.isampler,
      ...extra,
    };
  }

  /** What draws, in words. */
  modelText() {
    const s = this.state;
    return s.imodel === "teacher"
      ? `the teacher (${s.isampler}, ${s.isteps} steps)`
      : `the ${s.isteps}-step student`;
  }

  /** Draws the grid of the current setup (the latest one, if changes come while it draws). */
  async generate() {
    if (!this.studio) return;
    this.pending = true;
    this.running?.abort();
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.pending) {
        this.pending = false;
        const request = this.request();
        const started = performance.now();
        this.running = new AbortController();
        try {
          const values = await this.studio.generate({ ...request, signal: this.running.signal });
          const seconds = (performance.now() - started) / 1000;
          this.grid = { values, n: request.n, word: request.word, seed: request.seed };
          drawImages($("image-grid"), values, request.n, { scale: request.n > 16 ? 2 : 4 });
          $("image-grid").dataset.word = request.word;
          $("image-grid").dataset.count = String(request.n);
          $("image-denoising").hidden = true;
          await this.judge(values, request);
          this.say(
            `${request.n} ${request.n === 1 ? "image" : "images"} of “${request.word}” by ${this.modelText()}, guidance ${request.guidance}, seed ${request.seed}: ${seconds.toFixed(2)} s on ${this.studio.backendDescription()}.`,
          );
        } catch (error) {
          // Cancelled by a newer setup, drawn next (`data-cancelled` counts them).
          if (error.name === "AbortError") {
            const panel = $("images-panel");
            panel.dataset.cancelled = String(Number(panel.dataset.cancelled ?? 0) + 1);
          } else {
            this.say(message(error), true);
          }
        }
      }
    } finally {
      this.running = null;
      this.busy = false;
      $("images-panel").dataset.generations = String(Number($("images-panel").dataset.generations ?? 0) + 1);
    }
  }

  /** What the project's judge (a classifier trained on real images) sees in the grid. */
  async judge(values, request) {
    const line = $("image-judge");
    try {
      const seen = await this.studio.judge(values);
      const right = seen.filter((w) => w === request.word).length;
      const counts = new Map();
      for (const w of seen) if (w !== request.word) counts.set(w, (counts.get(w) ?? 0) + 1);
      const others = [...counts].sort((a, b) => b[1] - a[1]).map(([w, k]) => `${k} ${w}`);
      line.textContent = `The judge sees ${right} of ${seen.length} as “${request.word}”${others.length ? ` (and ${others.join(", ")})` : ""}.`;
      line.dataset.right = String(right);
      line.dataset.of = String(seen.length);
    } catch (error) {
      line.textContent = `The judge could not look: ${message(error)}`;
    }
  }

  /** Runs the denoising of the current setup and animates it, step by step. */
  async showDenoising() {
    const request = this.request();
    try {
      const { estimates, latents } = await this.studio.denoisingWithLatents(request);
      const steps = estimates.length / (request.n * 784);
      this.frames = { estimates, latents, steps, n: request.n };
      const slider = $("image-frame");
      slider.max = String(steps - 1);
      $("image-denoising").hidden = false;
      for (let k = 0; k < steps; k++) {
        slider.value = String(k);
        this.showFrame(k);
        await new Promise((ok) => setTimeout(ok, FRAME_MS));
      }
      $("image-denoising").dataset.shown = String(steps);
    } catch (error) {
      this.say(message(error), true);
    }
  }

  /** Step `k` of the denoising: the clean estimate after it, and the latents after it. */
  showFrame(k) {
    const f = this.frames;
    if (!f) return;
    drawImages($("image-grid"), f.estimates, f.n, { first: k * f.n, scale: f.n > 16 ? 2 : 4 });
    const shown = Math.min(f.n, 4);
    // Latents: before the first step (0) and after each; step k's are at k + 1.
    drawLatents($("image-latents"), f.latents, shown, { first: (k + 1) * f.n });
    $("image-frame-text").textContent = `Step ${k + 1} of ${f.steps}: what the denoiser expects the images to become, and the latents of the first ${shown} (4 channels of 8×8; blue below 0, red above).`;
    $("image-denoising").dataset.frame = String(k);
  }

  /** Offers the grid as a PNG. */
  download() {
    if (!this.grid) return;
    const { word, seed } = this.grid;
    $("image-grid").toBlob((blob) => {
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `diffusion-lab-${word.replace(/\s+/g, "-")}-seed${seed}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }, "image/png");
  }

  /** A walk between this seed and the next one's noise, as a strip. */
  async walk() {
    const count = Number($("image-walk-count").value);
    const seedB = Math.max(0, Math.floor(Number($("image-seed-b").value) || 0));
    try {
      const values = await this.studio.interpolate(
        this.request({ seedA: this.state.iseed, seedB, count }),
      );
      drawImages($("image-walk-strip"), values, count, { columns: count, scale: 2 });
      $("image-walk-strip").dataset.count = String(count);
    } catch (error) {
      this.say(message(error), true);
    }
  }

  /** Variations of the drawing under the word. */
  async vary() {
    if (this.pad.isEmpty()) {
      this.say("Draw something first (or upload a picture).", true);
      return;
    }
    const strength = Number($("image-strength").value);
    const n = 8;
    try {
      const values = await this.studio.variations(this.request({ image: this.pad.ink, strength, n }));
      drawImages($("image-variations"), values, n, { columns: n, scale: 2 });
      $("image-variations").dataset.count = String(n);
      this.say(`${n} variations of your drawing as “${this.state.iword}”, strength ${strength.toFixed(2)}.`);
    } catch (error) {
      this.say(message(error), true);
    }
  }

  say(text, bad = false) {
    const el = $("image-status");
    el.textContent = text;
    el.classList.toggle("error", bad);
  }
}

