// A 28×28 drawing pad for "variations of your drawing": a brush of soft ink on a grid shown
// large, and pictures read from files, scaled to fit 28×28 and turned to ink (dark on light
// becomes ink, as Fashion-MNIST's images are light things on black).

import { SIDE, drawImages } from "./image_grid.js";

export class ImagePad {
  /** A pad drawing on `canvas`; `onChange()` is called after each stroke. */
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.onChange = onChange;
    /** The ink, 784 values in [0, 1]. */
    this.ink = new Float32Array(SIDE * SIDE);
    this.scale = 8;
    this.drawing = false;
    canvas.addEventListener("pointerdown", (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.brush(e);
    });
    canvas.addEventListener("pointermove", (e) => this.drawing && this.brush(e));
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onChange();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    this.show();
  }

  /** Ink under the pointer: a soft round brush of radius 1.5 pixels. */
  brush(e) {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * SIDE;
    const y = ((e.clientY - rect.top) / rect.height) * SIDE;
    for (let py = Math.floor(y - 2); py <= y + 2; py++) {
      for (let px = Math.floor(x - 2); px <= x + 2; px++) {
        if (px < 0 || py < 0 || px >= SIDE || py >= SIDE) continue;
        const d = Math.hypot(px + 0.5 - x, py + 0.5 - y);
        const add = Math.max(0, 1 - d / 2);
        const at = py * SIDE + px;
        this.ink[at] = Math.min(1, this.ink[at] + add);
      }
    }
    this.show();
  }

  /** Sets the ink (784 values in [0, 1]). */
  set(ink) {
    this.ink = Float32Array.from(ink);
    this.show();
    this.onChange();
  }

  clear() {
    this.set(new Float32Array(SIDE * SIDE));
  }

  /** Whether anything is drawn. */
  isEmpty() {
    return this.ink.every((v) => v === 0);
  }

  show() {
    drawImages(this.canvas, this.ink, 1, { scale: this.scale });
  }

  /**
   * Reads a picture file: scaled to fit 28×28 (aspect kept, centred), made grey, and turned so
   * that the background is no ink: a picture on a light background is inverted.
   */
  async load(file) {
    const bitmap = await createImageBitmap(file);
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIDE;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const fit = Math.min(SIDE / bitmap.width, SIDE / bitmap.height);
    const [w, h] = [bitmap.width * fit, bitmap.height * fit];
    // The corners' colour fills the margin, so it reads as background.
    ctx.drawImage(bitmap, (SIDE - w) / 2, (SIDE - h) / 2, w, h);
    const { data } = ctx.getImageData(0, 0, SIDE, SIDE);
    const grey = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < grey.length; i++) {
      const alpha = data[4 * i + 3] / 255;
      const lum = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255;
      // Transparent pixels are background (white).
      grey[i] = alpha * lum + (1 - alpha);
    }
    // Fully inside the picture's box: the border's mean brightness decides which is ink.
    const inside = [];
    const [x0, y0] = [Math.ceil((SIDE - w) / 2), Math.ceil((SIDE - h) / 2)];
    const [x1, y1] = [Math.floor((SIDE + w) / 2) - 1, Math.floor((SIDE + h) / 2) - 1];
    for (let x = x0; x <= x1; x++) inside.push(grey[y0 * SIDE + x], grey[y1 * SIDE + x]);
    for (let y = y0; y <= y1; y++) inside.push(grey[y * SIDE + x0], grey[y * SIDE + x1]);
    const border = inside.reduce((a, b) => a + b, 0) / Math.max(1, inside.length);
    const lightBackground = border > 0.5;
    const ink = grey.map((g, i) => {
      const x = i % SIDE;
      const y = Math.floor(i / SIDE);
      const inBox = x >= x0 && x <= x1 && y >= y0 && y <= y1;
      if (!inBox) return 0;
      return lightBackground ? 1 - g : g;
    });
    this.set(ink);
  }
}
