// Panel 5, guided diffusion: several shapes, each named by a word (built-in datasets, typed
// words rendered as points, or drawings), learned by one network; samples drawn by word with
// a classifier-free guidance slider; and the learned word vectors drawn in a plane while
// they train.
//
// The set is kept in the state as entries "d:name" (a dataset), "t:word" (a typed word) or
// "s:name:strokes" (a drawing), comma-separated, names URI-encoded.

import { $, PREVIEW_SAMPLES, cancelled, message, qualityText, wordColor, wordLayers } from "./ui.js";
import { DATASETS } from "./data_panel.js";
import { decodeStrokes, strokesToPoints, wordToPoints } from "./sources.js";

/** The most shapes a set may hold (the palette's colours). */
const MAX_ENTRIES = 8;

/** Entries of the set from the state's text. */
export function decodeSet(text) {
  return (text || "")
    .split(",")
    .map((part) => {
      const [kind, name, strokes] = part.split(":");
      const word = decodeURIComponent(name ?? "").trim();
      if (!word || !["d", "t", "s"].includes(kind)) return null;
      if (kind === "d" && !DATASETS.includes(word)) return null;
      return { kind, word, strokes: kind === "s" ? strokes ?? "" : undefined };
    })
    .filter(Boolean)
    .slice(0, MAX_ENTRIES);
}

/** The state's text for `entries`. */
export function encodeSet(entries) {
  return entries.map((e) => [e.kind, encodeURIComponent(e.word), ...(e.kind === "s" ? [e.strokes] : [])].join(":")).join(",");
}

export class WordsPanel {
  constructor(page) {
    this.page = page;
    this.entries = decodeSet(page.state.set);
    this.busy = false;
    this.pending = false;
    this.bind();
  }

  applyState() {
    const s = this.page.state;
    this.entries = decodeSet(s.set);
    $("word-dim").value = String(s.wdim);
    $("label-dropout").value = String(s.drop);
    $("guidance").value = String(s.w);
    $("guidance-out").textContent = `w = ${s.w}`;
    this.drawingChanged(this.page.data.strokes.length > 0);
    this.showEntries();
  }

  /** Hands the set to the Playground as labelled points; false (with a message) when it can't. */
  loadSet() {
    const { page } = this;
    const s = page.state;
    if (this.entries.length === 0) {
      page.say("words-hint", "Add at least one shape to the set first.", true);
      return false;
    }
    const points = [];
    const labels = [];
    this.entries.forEach((e, k) => {
      const pts =
        e.kind === "d"
          ? page.lab.datasetPoints(e.word, s.n, s.dseed + k)
          : e.kind === "t"
            ? wordToPoints(e.word, s.n, s.dseed)
            : strokesToPoints(decodeStrokes(e.strokes), s.n, s.dseed);
      for (const v of pts) points.push(v);
      for (let i = 0; i < pts.length / 2; i++) labels.push(k + 1);
    });
    const words = this.entries.map((e) => e.word);
    const ok = page.guard(() => {
      page.pg.setConditioning(s.wdim, s.drop);
      page.pg.setLabeledPoints(new Float32Array(points), new Uint32Array(labels), words);
      return true;
    }, "words-hint");
    if (ok) page.say("words-hint", `Training on ${words.join(", ")}: one network for all ${words.length}, each word with a vector of ${s.wdim} numbers.`);
    this.showWords();
    return ok;
  }

  /** The set changed: keep it in the state and, when training on it, reload it. */
  setChanged() {
    const { page } = this;
    page.state.set = encodeSet(this.entries);
    this.showEntries();
    if (page.state.data === "words") page.data.load();
    else page.save();
  }

  add(entry) {
    const { page } = this;
    if (this.entries.some((e) => e.word === entry.word)) {
      page.say("words-hint", `“${entry.word}” is already in the set: each word names one shape.`, true);
      return false;
    }
    if (this.entries.length >= MAX_ENTRIES) {
      page.say("words-hint", `The set holds at most ${MAX_ENTRIES} shapes: remove one first.`, true);
      return false;
    }
    this.entries.push(entry);
    page.say("words-hint", `Added “${entry.word}”.`);
    this.setChanged();
    return true;
  }

  /** The set as a row of chips, each with a remove button. */
  showEntries() {
    const list = $("word-set");
    list.replaceChildren(
      ...this.entries.map((e, k) => {
        const chip = document.createElement("span");
        chip.className = "chip";
        chip.setAttribute("role", "listitem");
        chip.style.borderColor = wordColor(k);
        const kind = { d: "dataset", t: "typed", s: "drawn" }[e.kind];
        chip.textContent = `${e.word} `;
        const small = document.createElement("small");
        small.textContent = kind;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Remove ${e.word}`);
        remove.addEventListener("click", () => {
          this.entries.splice(k, 1);
          this.setChanged();
        });
        chip.append(small, remove);
        return chip;
      }),
    );
    $("use-words").disabled = this.entries.length === 0;
  }

  /** The words of the model in the "Word" selector (empty when the data are not named). */
  showWords() {
    const words = this.page.pg.words();
    const select = $("gen-word");
    const keep = this.page.state.gword;
    select.replaceChildren(
      ...words.map((w) => {
        const o = document.createElement("option");
        o.value = o.textContent = w;
        return o;
      }),
    );
    if (words.includes(keep)) select.value = keep;
    for (const id of ["gen-word", "guidance", "generate", "animate-word"]) $(id).disabled = words.length === 0;
    this.drawVectors();
  }

  /** The drawing on the stage can be named and added when there is one. */
  drawingChanged(hasDrawing) {
    $("add-drawing").disabled = !hasDrawing;
  }

  /** Samples for the chosen word at the slider's guidance, with their numbers. */
  async generate() {
    const { page } = this;
    if (this.busy) {
      this.pending = true;
      return;
    }
    const word = $("gen-word").value;
    if (!word) return;
    const { sampler, steps, seed, eta, w } = page.state;
    this.busy = true;
    try {
      const t0 = performance.now();
      const samples = await page.pg.sampleWord(word, PREVIEW_SAMPLES, sampler, steps, w, seed, eta);
      const ms = performance.now() - t0;
      const q = page.pg.wordQuality(word, samples);
      const k = page.pg.words().indexOf(word);
      page.caption(`“${word}”, guidance w = ${w}: ${sampler}, ${steps} steps, seed ${seed}`);
      $("stage-stats").textContent = `${(100 * q.accuracy).toFixed(1)}% look like “${word}”`;
      page.stage.show([
        ...wordLayers(page.pg.points(), page.pg.labels(), page.pg.words(), 2, "30"),
        { points: samples, color: wordColor(k), size: 3 },
      ]);
      page.samples = samples;
      page.say("words-stats", `w = ${w}: ${(100 * q.accuracy).toFixed(1)}% of samples are nearest to “${word}” · ${qualityText(q)} · ${ms.toFixed(0)} ms`);
    } catch (error) {
      page.say("words-stats", message(error), true);
    }
    this.busy = false;
    if (this.pending) {
      this.pending = false;
      await this.generate();
    }
  }

  async animate() {
    const { page } = this;
    const word = $("gen-word").value;
    if (!word) return;
    const { sampler, steps, seed, eta, w } = page.state;
    page.stopAll();
    let frames;
    const n = 1000;
    try {
      frames = await page.pg.trajectoryWord(word, n, sampler, steps, w, seed, eta, page.signal);
    } catch (error) {
      if (!cancelled(error)) page.say("words-stats", message(error), true);
      return;
    }
    await page.sampling.play(frames, n, steps, {
      caption: (step, of) => `Drawing “${word}” (w = ${w}): step ${step} of ${of}`,
      color: wordColor(page.pg.words().indexOf(word)),
      status: "words-stats",
    });
  }

  /** The learned word vectors as points in a plane (principal components above 2 numbers). */
  async drawVectors() {
    const canvas = $("vectors-chart");
    const words = this.page.pg.words();
    let map = null;
    if (words.length > 0) {
      try {
        map = await this.page.pg.embeddingMap();
      } catch (error) {
        this.page.say("words-stats", message(error), true);
      }
    }
    drawVectorMap(canvas, map, ["∅ (no word)", ...words], this.page.state.wdim);
  }

  bind() {
    const { page } = this;
    const s = page.state;
    for (const name of DATASETS) {
      const o = document.createElement("option");
      o.value = o.textContent = name;
      $("add-dataset").append(o);
    }
    $("add-dataset-btn").addEventListener("click", () => this.add({ kind: "d", word: $("add-dataset").value }));
    $("add-text-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const word = $("add-text").value.trim();
      if (!word) return page.say("words-hint", "Type a word first.", true);
      if (wordToPoints(word, 16, 0).length === 0) return page.say("words-hint", `“${word}” leaves no ink to sample points from.`, true);
      if (this.add({ kind: "t", word })) $("add-text").value = "";
    });
    $("add-drawing-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const word = $("drawing-name").value.trim();
      if (!word) return page.say("words-hint", "Name the drawing first.", true);
      if (page.data.strokes.length === 0) return page.say("words-hint", "Draw a shape first (1 Data, Draw your own).", true);
      page.data.setDrawing(false);
      if (this.add({ kind: "s", word, strokes: page.state.strokes })) {
        $("drawing-name").value = "";
        if (s.data !== "words") page.data.clearDrawing();
      }
    });
    const conditioning = () => {
      s.wdim = Number($("word-dim").value);
      s.drop = Number($("label-dropout").value);
      if (s.data === "words") page.data.load();
      else page.save();
    };
    $("word-dim").addEventListener("change", conditioning);
    $("label-dropout").addEventListener("change", conditioning);
    $("use-words").addEventListener("click", () => {
      page.stopAll();
      page.data.setDrawing(false);
      s.data = "words";
      page.data.load();
    });
    $("gen-word").addEventListener("change", () => {
      s.gword = $("gen-word").value;
      page.save();
    });
    $("guidance").addEventListener("input", () => {
      s.w = Number($("guidance").value);
      $("guidance-out").textContent = `w = ${s.w}`;
      page.save();
      // Watching samples sharpen: the same noise, redrawn at the new scale.
      if (page.pg.stepsDone() > 0) this.generate();
    });
    $("generate").addEventListener("click", () => {
      page.stopAll();
      this.generate();
    });
    $("animate-word").addEventListener("click", () => this.animate());
  }
}

/**
 * Draws `map` ([x, y] per row; row 0 is ∅) with `labels` on `canvas`, scaled to fit; a note
 * when there is nothing to draw.
 */
function drawVectorMap(canvas, map, labels, dim) {
  const ratio = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  canvas.width = Math.max(1, Math.round(rect.width * ratio));
  canvas.height = Math.max(1, Math.round(rect.height * ratio));
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  const [w, h] = [rect.width, rect.height];
  g.clearRect(0, 0, w, h);
  g.font = "12px system-ui, sans-serif";
  g.fillStyle = "#5c6577";
  if (!map) {
    g.fillText("the word vectors appear once the points are named by words", 8, h / 2);
    return;
  }
  const rows = map.length / 2;
  const xs = Array.from({ length: rows }, (_, i) => map[2 * i]);
  const ys = Array.from({ length: rows }, (_, i) => map[2 * i + 1]);
  const span = (v) => Math.max(1e-6, Math.max(...v) - Math.min(...v));
  const scale = Math.min((w - 120) / span(xs), (h - 40) / span(ys));
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  g.fillText(dim > 2 ? `first two principal components of ${dim}-number vectors` : "the 2-number vectors", 8, 14);
  for (let i = 0; i < rows; i++) {
    const px = w / 2 + (xs[i] - cx) * scale;
    const py = h / 2 + 10 - (ys[i] - cy) * scale;
    g.beginPath();
    g.arc(px, py, 5, 0, 2 * Math.PI);
    g.fillStyle = i === 0 ? "#ffffff" : wordColor(i - 1);
    g.strokeStyle = i === 0 ? "#5c6577" : wordColor(i - 1);
    g.fill();
    g.stroke();
    g.fillStyle = "#1d2330";
    g.fillText(labels[i], px + 8, py + 4);
  }
}
