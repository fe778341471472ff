// Panel 1, the data: a built-in dataset, a drawing made on the stage, or a typed word, handed
// to the Playground; and the stage's picture of the data (coloured by word when the points are
// named by words, see words_panel.js).

import { $, COLORS, wordLayers } from "./ui.js";
import { strokesToPoints, wordToPoints, encodeStrokes, decodeStrokes, simplify } from "./sources.js";

export const DATASETS = ["moons", "swissroll", "8gaussians", "rings", "checkerboard", "spiral", "pinwheel"];

export class DataPanel {
  constructor(page) {
    this.page = page;
    this.strokes = decodeStrokes(page.state.strokes);
    this.drawing = false;
    this.drawnPoints = null;
    this.bind();
  }

  /** Sets the controls from the state. */
  applyState() {
    const s = this.page.state;
    $("n-points").value = String(s.n);
    $("data-seed").value = String(s.dseed);
    $("word").value = s.word;
  }

  /** Hands the state's data to the Playground (falling back to moons) and shows it. */
  load() {
    const { page } = this;
    const s = page.state;
    let ok;
    if (s.data === "words") {
      ok = page.words.loadSet();
    } else if (s.data === "word") {
      const pts = wordToPoints(s.word, undefined, s.dseed);
      ok = pts.length > 0 && page.guard(() => (page.pg.setPoints(pts), true));
    } else if (s.data === "drawing") {
      const pts = this.drawingPoints();
      ok = pts.length >= 8 && page.guard(() => (page.pg.setPoints(pts), true));
    } else {
      ok = page.guard(() => (page.pg.setDataset(s.data, s.n, s.dseed), true));
    }
    if (!ok && s.data !== "moons") {
      s.data = "moons";
      page.guard(() => page.pg.setDataset("moons", s.n, s.dseed));
    }
    for (const b of $("datasets").children) b.setAttribute("aria-pressed", String(b.dataset.name === s.data));
    $("undo").disabled = this.strokes.length === 0;
    $("clear").disabled = this.strokes.length === 0;
    page.modelChanged();
    page.save();
    this.show();
  }

  /** The drawing's points, as drawn (the Playground centres and scales them). */
  drawingPoints() {
    this.drawnPoints = strokesToPoints(this.strokes, undefined, this.page.state.dseed);
    return this.drawnPoints;
  }

  /** The training points on the stage, coloured by word when they are named. */
  show() {
    const pg = this.page.pg;
    const pts = pg.points();
    const words = pg.words();
    this.page.caption(`Data: ${this.describe()}, ${pts.length / 2} points`);
    this.page.stage.show(words.length > 0 ? wordLayers(pts, pg.labels(), words) : [{ points: pts, color: COLORS.data, size: 3 }]);
    this.page.legend(words);
  }

  describe() {
    const s = this.page.state;
    if (s.data === "words") return `${this.page.pg.words().length} shapes named by words`;
    if (s.data === "word") return `the word “${s.word}”`;
    if (s.data === "drawing") return `your drawing (${this.strokes.length} strokes)`;
    return s.data;
  }

  // ---- drawing on the stage ----

  setDrawing(on) {
    const was = this.drawing;
    this.drawing = on;
    $("draw").setAttribute("aria-pressed", String(on));
    $("stage").classList.toggle("drawing", on);
    if (on) {
      this.page.stopAll();
      this.page.say("data-hint", "Draw on the canvas with the mouse or a finger. Each stroke becomes a band of points; press the button again when done.");
      this.showDrawing();
    } else if (was) {
      this.page.say("data-hint", "Training uses the points centred and scaled to unit spread, as shown.");
      this.show();
    }
  }

  showDrawing(current = []) {
    const segs = [];
    for (const stroke of [...this.strokes, current]) {
      for (let i = 1; i < stroke.length; i++) segs.push(...stroke[i - 1], ...stroke[i]);
    }
    const layers = [{ segments: new Float32Array(segs), color: COLORS.stroke }];
    if (this.strokes.length > 0 && this.drawnPoints) layers.unshift({ points: this.drawnPoints, color: COLORS.dataFaint, size: 2 });
    this.page.caption("Drawing: each stroke becomes points");
    this.page.stage.show(layers);
  }

  /** The strokes changed: train on the drawing (or on moons when it is empty). */
  strokesChanged() {
    const s = this.page.state;
    s.strokes = encodeStrokes(this.strokes);
    if (s.data !== "words") s.data = this.strokes.length > 0 ? "drawing" : "moons";
    this.drawingPoints();
    this.load();
    this.page.words.drawingChanged(this.strokes.length > 0);
    if (this.drawing) this.showDrawing();
  }

  /** Forgets the drawing (after it was named and added to the words). */
  clearDrawing() {
    this.strokes = [];
    this.strokesChanged();
  }

  bindDrawing() {
    const stage = this.page.stage;
    let current = null;
    stage.listen("pointerdown", (e) => {
      if (!this.drawing) return;
      stage.canvas.setPointerCapture(e.pointerId);
      current = [this.page.stage.toData(e)];
      e.preventDefault();
    });
    stage.listen("pointermove", (e) => {
      if (!this.drawing || !current) return;
      current.push(this.page.stage.toData(e));
      this.showDrawing(current);
    });
    const end = () => {
      if (!current) return;
      this.strokes.push(simplify(current));
      current = null;
      this.strokesChanged();
    };
    stage.listen("pointerup", end);
    stage.listen("pointercancel", end);
  }

  bind() {
    const { page } = this;
    const s = page.state;
    for (const name of DATASETS) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = name;
      b.dataset.name = name;
      b.addEventListener("click", () => {
        page.stopAll();
        this.setDrawing(false);
        s.data = name;
        this.load();
      });
      $("datasets").append(b);
    }
    const number = (id, key, applies) =>
      $(id).addEventListener("change", () => {
        const v = Number($(id).value);
        if (!Number.isFinite(v)) return;
        s[key] = v;
        if (applies()) this.load();
        else page.save();
      });
    // The number of points applies to datasets (and to each shape named by a word).
    number("n-points", "n", () => DATASETS.includes(s.data) || s.data === "words");
    number("data-seed", "dseed", () => true);
    $("draw").addEventListener("click", () => this.setDrawing(!this.drawing));
    $("undo").addEventListener("click", () => {
      this.strokes.pop();
      this.strokesChanged();
    });
    $("clear").addEventListener("click", () => this.clearDrawing());
    $("word-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const word = $("word").value.trim();
      if (!word) return page.say("data-hint", "Type a word first.", true);
      page.stopAll();
      this.setDrawing(false);
      Object.assign(s, { data: "word", word });
      this.load();
    });
    this.bindDrawing();
  }
}
