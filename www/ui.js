// Small pieces every panel of the page shares: element lookup, frame pacing, colours, and how
// quality numbers are written.

export const $ = (id) => document.getElementById(id);

/** Resolves at the next animation frame (to draw in it). */
export const nextFrame = () => new Promise((ok) => requestAnimationFrame(ok));

/**
 * Resolves once the next frame is painted (to compute without delaying it: work started in an
 * animation frame's callback holds that frame back until it is done).
 */
export const afterFrame = () => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));

export const COLORS = {
  data: "#1d2330",
  dataFaint: "#9aa3b580",
  noise: "#3b5bdb",
  samples: "#d9480f",
  trail: "#3b5bdb22",
  path: "#3b5bdb40",
  stroke: "#c2410c",
  cosine: "#3b5bdb",
  linear: "#2b8a3e",
  sigmoid: "#ae3ec9",
};

/** One colour per word of the conditional playground (Okabe–Ito, readable by most eyes). */
export const WORD_COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5c00", "#000000"];

/** The colour of word `k` (0-based), `alpha` a two-digit hex opacity. */
export const wordColor = (k, alpha = "") => WORD_COLORS[k % WORD_COLORS.length] + alpha;

/** Samples drawn for a quality number (as many as the held-out set: see `quality`). */
export const PREVIEW_SAMPLES = 2000;

/** `{swd, mmd, floorSwd, floorMmd}` as one line. */
export function qualityText(q) {
  return `SWD ${q.swd.toFixed(4)} (floor ${q.floorSwd.toFixed(4)}, ${(q.swd / q.floorSwd).toFixed(2)}×) · MMD² ${q.mmd.toExponential(1)}`;
}

/** An error's message, whatever was thrown. */
export const message = (error) => error?.message ?? String(error);

/** Whether `error` is a job's cancellation (something newer took over: nothing to report). */
export const cancelled = (error) => error?.name === "AbortError";

/** Splits `points` by `labels` (1-based) into one layer per word, coloured by word. */
export function wordLayers(points, labels, words, size = 3, alpha = "") {
  const groups = words.map(() => []);
  for (let i = 0; i < labels.length; i++) groups[labels[i] - 1]?.push(points[2 * i], points[2 * i + 1]);
  return groups.map((g, k) => ({ points: new Float32Array(g), color: wordColor(k, alpha), size }));
}
