// A canvas that shows 2D points: drawn with wgpu (the crate's PointCanvas) or with Canvas2D
// when WebGPU is missing or its drawing device is lost. It keeps its size in step with the
// layout and converts between the pointer's pixels and data coordinates.

import { Canvas2DRenderer } from "./render2d.js";

/** Data units from the centre to the nearer edge: the data are unit-scaled, noise is N(0, 1). */
export const HALF_EXTENT = 3.2;
export const BACKGROUND = "#ffffff";

/**
 * Why wgpu drawing was given up, once a drawing device was lost. In Chromium without GPU
 * compositing, presenting a WebGPU canvas loses every WebGPU device of the page; drawing again
 * with WebGPU would lose burn's next device too, so every stage draws with Canvas2D from then on.
 */
let wgpuLost = null;
export class Stage {
  /**
   * A stage on `canvas`, drawn with wgpu when the browser has WebGPU (and the address has no
   * `?canvas2d`), else with Canvas2D.
   * @param {HTMLCanvasElement} canvas
   * @param {object} lab the wasm exports
   */
  static async create(canvas, lab) {
    let renderer = null;
    let kind = "canvas2d";
    if (navigator.gpu && !wgpuLost && !new URLSearchParams(location.search).has("canvas2d")) {
      try {
        renderer = await lab.PointCanvas.create(canvas);
        kind = "wgpu";
      } catch (error) {
        console.warn("wgpu drawing unavailable, using Canvas2D:", error);
      }
    }
    const stage = new Stage(canvas, renderer ?? new Canvas2DRenderer(canvas), kind);
    renderer?.lost().then((reason) => stage.fallBack(reason));
    return stage;
  }

  constructor(canvas, renderer, kind) {
    this.canvas = canvas;
    this.renderer = renderer;
    this.kind = kind;
    canvas.dataset.renderer = kind;
    /** Pointer listeners, moved to the new canvas if the stage falls back to Canvas2D. */
    this.listeners = [];
    this.draw = () => {};
    this.resizes = new ResizeObserver(() => {
      this.fit();
      this.draw();
    });
    this.fit();
    this.resizes.observe(canvas);
  }

  /** Calls `handler` for the canvas's `type` events, whichever canvas the stage has then. */
  listen(type, handler) {
    this.listeners.push([type, handler]);
    this.canvas.addEventListener(type, handler);
  }

  /**
   * Draws with Canvas2D from now on, because the wgpu drawing device was lost (`reason`). A
   * canvas keeps the first kind of context it was given, so a fresh one takes its place.
   */
  fallBack(reason) {
    if (this.kind !== "wgpu") return;
    wgpuLost ??= reason;
    console.warn(`Drawing with Canvas2D: ${reason}`);
    const fresh = this.canvas.cloneNode(false);
    this.resizes.unobserve(this.canvas);
    this.canvas.replaceWith(fresh);
    this.renderer.free();
    this.canvas = fresh;
    this.renderer = new Canvas2DRenderer(fresh);
    this.kind = "canvas2d";
    fresh.dataset.renderer = "canvas2d";
    fresh.dataset.fallback = reason;
    for (const [type, handler] of this.listeners) fresh.addEventListener(type, handler);
    this.resizes.observe(fresh);
    this.fit();
    this.draw();
    document.dispatchEvent(new CustomEvent("stage-fallback", { detail: reason }));
  }

  /** Matches the canvas's pixels to its displayed size. */
  fit() {
    const ratio = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width * ratio));
    const h = Math.max(1, Math.round(rect.height * ratio));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.renderer.resize(w, h, ratio);
    this.renderer.setView(0, 0, HALF_EXTENT, BACKGROUND);
  }

  /**
   * Shows a frame: `layers` is a list of {points, color, size} or {segments, color}.
   * `draw` is remembered so that a resize redraws the same picture.
   */
  show(layers) {
    this.draw = () => {
      const r = this.renderer;
      r.clear();
      for (const layer of layers) {
        if (layer.segments) r.addSegments(layer.segments, layer.color);
        else if (layer.points) r.addPoints(layer.points, layer.color, layer.size ?? 3);
      }
      try {
        r.present();
      } catch (error) {
        // A canvas that was not ready (just resized) is drawn again by the next resize or
        // frame; say why in the console rather than losing it.
        console.warn(error.message ?? error);
      }
    };
    this.draw();
  }

  /** Data coordinates of a pointer event on the canvas. */
  toData(event) {
    const rect = this.canvas.getBoundingClientRect();
    const scale = Math.min(rect.width, rect.height) / 2 / HALF_EXTENT;
    return [
      (event.clientX - rect.left - rect.width / 2) / scale,
      -(event.clientY - rect.top - rect.height / 2) / scale,
    ];
  }
}
