// The Canvas2D renderer, used when the page has no WebGPU. It draws the same layers as the
// crate's wgpu renderer (PointCanvas) and has the same methods, so the rest of the page does
// not care which one it holds.

export class Canvas2DRenderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.view = { x: 0, y: 0, half: 3, background: "#ffffff" };
    this.pixelRatio = 1;
    this.layers = [];
  }

  resize(width, height, pixelRatio) {
    this.pixelRatio = pixelRatio;
  }

  setView(x, y, halfExtent, background) {
    this.view = { x, y, half: halfExtent, background };
  }

  clear() {
    this.layers = [];
  }

  addPoints(xy, color, size) {
    this.layers.push({ kind: "points", xy, color, size });
  }

  addSegments(segments, color) {
    this.layers.push({ kind: "segments", xy: segments, color });
  }

  present() {
    const { ctx, canvas, view } = this;
    const w = canvas.width;
    const h = canvas.height;
    const scale = Math.min(w, h) / 2 / view.half;
    const px = (x) => w / 2 + (x - view.x) * scale;
    const py = (y) => h / 2 - (y - view.y) * scale;
    ctx.fillStyle = view.background;
    ctx.fillRect(0, 0, w, h);
    // Lines first, then points, as the wgpu renderer does.
    for (const layer of this.layers.filter((l) => l.kind === "segments")) {
      ctx.strokeStyle = layer.color;
      ctx.lineWidth = this.pixelRatio;
      ctx.beginPath();
      const s = layer.xy;
      for (let i = 0; i + 3 < s.length; i += 4) {
        ctx.moveTo(px(s[i]), py(s[i + 1]));
        ctx.lineTo(px(s[i + 2]), py(s[i + 3]));
      }
      ctx.stroke();
    }
    for (const layer of this.layers.filter((l) => l.kind === "points")) {
      ctx.fillStyle = layer.color;
      const d = Math.max(1, layer.size * this.pixelRatio);
      const r = d / 2;
      const s = layer.xy;
      for (let i = 0; i + 1 < s.length; i += 2) {
        ctx.fillRect(px(s[i]) - r, py(s[i + 1]) - r, d, d);
      }
    }
  }
}
