// Small line charts on Canvas2D: the loss, the quality next to its floor, the schedules.

const COLORS = {
  axis: "#9aa3b5",
  text: "#5b6475",
  grid: "#eef0f5",
};

/**
 * Strokes lines of the kinds the charts draw later across the empty plot, in two colours a
 * level or two off the white panel behind it (nobody sees them): one solid and one dashed pair,
 * each of two polylines of three points, 1 and 2 pixels wide. Where the browser draws canvases
 * with a GPU emulated on the CPU (SwiftShader), its first stroke of each kind builds a GPU
 * program that takes the GPU process 55-120 ms; done while a chart is empty, that happens at
 * start-up instead of in the middle of training, where it cost a frame gap of 110-200 ms on a
 * 2-core machine. Skia picks the program by what a batch of strokes shares: two lines of
 * different colours and widths, like the loss and its smoothed curve, take another program
 * than lines of one colour or one width, or with an alpha below 1.
 */
function primeStrokes(ctx, left, top, right, bottom) {
  ctx.save();
  for (const dash of [[], [4, 3]]) {
    ctx.setLineDash(dash);
    for (const [width, color] of [[1, "#fefefe"], [2, "#fdfdfd"]]) {
      ctx.lineWidth = width;
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.moveTo(left, top);
      ctx.lineTo((left + right) / 2, bottom);
      ctx.lineTo(right, (top + bottom) / 2);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/**
 * The labels of an axis's two ends, `lo` and `hi`: whole numbers and numbers from 100 up as
 * whole numbers (step counts read "2", not "2.0"), others with as many significant digits as
 * it takes to tell the two apart, from 2 up to 5 (a loss between 1.104 and 1.112 read "1.1"
 * at both ends).
 */
export function axisEnds(lo, hi) {
  const label = (v, digits) => (Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(digits));
  let digits = 2;
  while (digits < 5 && label(lo, digits) === label(hi, digits)) digits++;
  return [label(lo, digits), label(hi, digits)];
}

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{logX?: boolean, logY?: boolean, xLabel?: string, yLabel?: string, yMin?: number, yMax?: number}} options
   */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.options = options;
    this.series = [];
    this.hlines = [];
    this.vline = null;
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** Replaces the plotted data: series are {xs, ys, color, width, label, dots, dash}. */
  set(series, { hlines = [], vline = null } = {}) {
    this.series = series;
    this.hlines = hlines;
    this.vline = vline;
    this.draw();
  }

  draw() {
    const { canvas, options } = this;
    const ratio = window.devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    if (rect.width === 0) return;
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const w = rect.width;
    const h = rect.height;
    ctx.clearRect(0, 0, w, h);
    // Room above the plot for the legend, when there is one.
    const pad = { l: 44, r: 8, t: this.series.some((s) => s.label) ? 20 : 8, b: 22 };
    const f = options.logY ? (v) => Math.log10(Math.max(v, 1e-12)) : (v) => v;
    const g = options.logX ? (v) => Math.log2(Math.max(v, 1e-12)) : (v) => v;
    let xs = [];
    let ys = [];
    for (const s of this.series) {
      xs = xs.concat(s.xs.map(g));
      ys = ys.concat(s.ys.filter(Number.isFinite).map(f));
    }
    for (const l of this.hlines) ys.push(f(l.y));
    if (xs.length === 0) {
      ctx.fillStyle = COLORS.text;
      ctx.font = "12px system-ui, sans-serif";
      // The strokes first: the text is drawn over them, whole.
      primeStrokes(ctx, pad.l, pad.t, w - pad.r, h - pad.b);
      ctx.fillText(options.empty ?? "no data yet", pad.l, h / 2);
      return;
    }
    let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let [y0, y1] = [
      options.yMin !== undefined ? f(options.yMin) : Math.min(...ys),
      options.yMax !== undefined ? f(options.yMax) : Math.max(...ys),
    ];
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) y1 = y0 + 1;
    const X = (x) => pad.l + ((g(x) - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const Y = (y) => h - pad.b - ((f(y) - y0) / (y1 - y0)) * (h - pad.t - pad.b);
    // Axes and tick labels.
    ctx.strokeStyle = COLORS.axis;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t);
    ctx.lineTo(pad.l, h - pad.b);
    ctx.lineTo(w - pad.r, h - pad.b);
    ctx.stroke();
    ctx.fillStyle = COLORS.text;
    ctx.font = "11px system-ui, sans-serif";
    const [yBottom, yTop] = axisEnds(options.logY ? 10 ** y0 : y0, options.logY ? 10 ** y1 : y1);
    ctx.textAlign = "right";
    ctx.fillText(yTop, pad.l - 4, pad.t + 9);
    ctx.fillText(yBottom, pad.l - 4, h - pad.b);
    if (options.logX) {
      // A tick at every power of two (the step counts of a distillation).
      ctx.textAlign = "center";
      for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) {
        ctx.fillText(e === Math.floor(x1) ? `${2 ** e} ${options.xLabel ?? ""}` : String(2 ** e), Math.min(X(2 ** e), w - pad.r - 20), h - 6);
      }
    } else {
      const [left, right] = axisEnds(x0, x1);
      ctx.textAlign = "left";
      ctx.fillText(left, pad.l, h - 6);
      ctx.textAlign = "right";
      ctx.fillText(`${right} ${options.xLabel ?? ""}`, w - pad.r, h - 6);
    }
    ctx.textAlign = "left";
    // Reference lines.
    for (const l of this.hlines) {
      ctx.strokeStyle = l.color;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(l.y));
      ctx.lineTo(w - pad.r, Y(l.y));
      ctx.stroke();
      ctx.setLineDash([]);
      if (l.label) {
        ctx.fillStyle = l.color;
        ctx.fillText(l.label, pad.l + 4, Y(l.y) - 3);
      }
    }
    if (this.vline !== null) {
      ctx.strokeStyle = "#c2410c";
      ctx.beginPath();
      ctx.moveTo(X(this.vline), pad.t);
      ctx.lineTo(X(this.vline), h - pad.b);
      ctx.stroke();
    }
    // Series.
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.width ?? 1.5;
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < s.xs.length; i++) {
        if (!Number.isFinite(s.ys[i])) continue;
        const [px, py] = [X(s.xs[i]), Y(s.ys[i])];
        if (started) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        started = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.dots) {
        ctx.fillStyle = s.color;
        for (let i = 0; i < s.xs.length; i++) {
          if (!Number.isFinite(s.ys[i])) continue;
          ctx.beginPath();
          ctx.arc(X(s.xs[i]), Y(s.ys[i]), 3, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    // Legend.
    let lx = pad.l + 6;
    for (const s of this.series.filter((s) => s.label)) {
      ctx.fillStyle = s.color;
      ctx.fillRect(lx, 6, 10, 3);
      ctx.fillStyle = COLORS.text;
      ctx.fillText(s.label, lx + 13, 12);
      lx += 20 + ctx.measureText(s.label).width;
    }
  }
}
