// Point clouds a person makes: a drawing (strokes, turned into points along them) and a word
// (its letters rendered on a canvas, points sampled from the ink). Both are deterministic for a
// seed, so a shared link rebuilds the same points.

/** Points made from a drawing or a word. */
export const SOURCE_POINTS = 2000;

/** A small seeded generator (mulberry32): uniform numbers in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from a uniform generator (Box-Muller). */
function normal(random) {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Points spread evenly along the strokes (lists of [x, y] in data units), each moved by a
 * little Gaussian noise so that a line becomes a thin band a model can learn. A lone click is
 * a small blob.
 */
export function strokesToPoints(strokes, n = SOURCE_POINTS, seed = 0) {
  const random = rng(seed);
  const segments = [];
  for (const stroke of strokes) {
    if (stroke.length === 1) segments.push([stroke[0], stroke[0], 0.05]);
    for (let i = 1; i < stroke.length; i++) {
      const [a, b] = [stroke[i - 1], stroke[i]];
      segments.push([a, b, Math.hypot(b[0] - a[0], b[1] - a[1])]);
    }
  }
  const total = segments.reduce((s, seg) => s + seg[2], 0);
  if (segments.length === 0 || total === 0) return new Float32Array();
  const out = new Float32Array(2 * n);
  for (let k = 0; k < n; k++) {
    // A point at a uniform arc length, found on its segment.
    let along = random() * total;
    let seg = segments[segments.length - 1];
    for (const s of segments) {
      if (along <= s[2]) {
        seg = s;
        break;
      }
      along -= s[2];
    }
    const f = seg[2] > 0 ? along / seg[2] : 0;
    const [a, b] = seg;
    out[2 * k] = a[0] + f * (b[0] - a[0]) + 0.04 * normal(random);
    out[2 * k + 1] = a[1] + f * (b[1] - a[1]) + 0.04 * normal(random);
  }
  return out;
}

/** Points sampled uniformly from the ink of `word` written in a bold font. */
export function wordToPoints(word, n = SOURCE_POINTS, seed = 0) {
  const text = word.trim();
  if (!text) return new Float32Array();
  const height = 160;
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const font = `bold ${Math.round(height * 0.75)}px system-ui, "DejaVu Sans", sans-serif`;
  ctx.font = font;
  const width = Math.ceil(ctx.measureText(text).width) + 40;
  canvas.width = width;
  canvas.height = height;
  ctx.font = font;
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#000";
  ctx.fillText(text, 20, height / 2);
  const { data } = ctx.getImageData(0, 0, width, height);
  const ink = [];
  for (let i = 3; i < data.length; i += 4) if (data[i] > 127) ink.push((i - 3) / 4);
  if (ink.length === 0) return new Float32Array();
  const random = rng(seed);
  const out = new Float32Array(2 * n);
  // Pixels to data units: the text's height spans about 2 units.
  const scale = height / 2.4;
  for (let k = 0; k < n; k++) {
    const p = ink[Math.floor(random() * ink.length)];
    out[2 * k] = ((p % width) + random() - width / 2) / scale;
    out[2 * k + 1] = -(Math.floor(p / width) + random() - height / 2) / scale;
  }
  return out;
}

/** Strokes as text for a URL: each point as two base64url digits per axis, "." between strokes. */
const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const RANGE = 4; // data units either side of 0 that a URL can hold

export function encodeStrokes(strokes) {
  const q = (v) => {
    const i = Math.round(((Math.max(-RANGE, Math.min(RANGE, v)) + RANGE) / (2 * RANGE)) * 4095);
    return DIGITS[i >> 6] + DIGITS[i & 63];
  };
  return strokes.map((s) => s.map(([x, y]) => q(x) + q(y)).join("")).join(".");
}

export function decodeStrokes(text) {
  if (!text) return [];
  return text.split(".").map((s) => {
    const stroke = [];
    for (let i = 0; i + 3 < s.length; i += 4) {
      const v = (j) => {
        const hi = DIGITS.indexOf(s[i + j]);
        const lo = DIGITS.indexOf(s[i + j + 1]);
        return (((hi << 6) | lo) / 4095) * 2 * RANGE - RANGE;
      };
      if ([0, 1, 2, 3].some((j) => DIGITS.indexOf(s[i + j]) < 0)) return stroke;
      stroke.push([v(0), v(2)]);
    }
    return stroke;
  }).filter((s) => s.length > 0);
}

/** Keeps a stroke's points at least `spacing` apart, so URLs stay short. */
export function simplify(stroke, spacing = 0.05) {
  const out = [stroke[0]];
  for (const p of stroke.slice(1)) {
    const q = out[out.length - 1];
    if (Math.hypot(p[0] - q[0], p[1] - q[1]) >= spacing) out.push(p);
  }
  if (stroke.length > 1 && out.length === 1) out.push(stroke[stroke.length - 1]);
  return out;
}
