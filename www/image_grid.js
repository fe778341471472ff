// Drawing images and latents on canvases: a grid of 28×28 grey images (ink dark on light, as
// Fashion-MNIST is shown), a strip of them, and a latent's channels as small images with a
// diverging colour map.

export const SIDE = 28;
/** Pixels between two images of a grid. */
const GAP = 2;

/** The columns of a grid of `n` images: as square as possible. */
export const gridColumns = (n) => Math.ceil(Math.sqrt(n));

/**
 * Draws `n` images (`n × 784` values in [0, 1], 1 = full ink) from `values` starting at image
 * `first` on `canvas`, `columns` to a row, each pixel `scale` canvas pixels wide.
 */
export function drawImages(canvas, values, n, { first = 0, columns = gridColumns(n), scale = 2 } = {}) {
  const rows = Math.ceil(n / columns);
  const tile = SIDE + GAP;
  const width = columns * tile - GAP;
  const height = rows * tile - GAP;
  const pixels = new ImageData(width, height);
  pixels.data.fill(255);
  for (let k = 0; k < n; k++) {
    const x0 = (k % columns) * tile;
    const y0 = Math.floor(k / columns) * tile;
    const offset = (first + k) * SIDE * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const ink = Math.min(1, Math.max(0, values[offset + y * SIDE + x]));
        const at = 4 * ((y0 + y) * width + x0 + x);
        const grey = Math.round(255 * (1 - ink));
        pixels.data[at] = pixels.data[at + 1] = pixels.data[at + 2] = grey;
      }
    }
  }
  paint(canvas, pixels, scale);
}

/**
 * Draws the channels of `count` latents (each `channels × side × side` values, standardised)
 * from `values`, starting at latent `first`: one row per latent, one small image per channel,
 * blue below zero and red above (saturating at ±2.5).
 */
export function drawLatents(canvas, values, count, { first = 0, channels = 4, side = 8, scale = 6 } = {}) {
  const tile = side + 1;
  const width = channels * tile - 1;
  const height = count * tile - 1;
  const pixels = new ImageData(width, height);
  pixels.data.fill(255);
  const size = channels * side * side;
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < side * side; i++) {
        const v = values[(first + r) * size + c * side * side + i] / 2.5;
        const t = Math.min(1, Math.abs(v));
        const at = 4 * ((r * tile + Math.floor(i / side)) * width + c * tile + (i % side));
        // White at zero, towards #d9480f above and #3b5bdb below.
        const [R, G, B] = v >= 0 ? [217, 72, 15] : [59, 91, 219];
        pixels.data[at] = Math.round(255 + (R - 255) * t);
        pixels.data[at + 1] = Math.round(255 + (G - 255) * t);
        pixels.data[at + 2] = Math.round(255 + (B - 255) * t);
      }
    }
  }
  paint(canvas, pixels, scale);
}

/** Puts `pixels` on `canvas`, each pixel `scale` canvas pixels wide, without smoothing. */
function paint(canvas, pixels, scale) {
  const small = document.createElement("canvas");
  small.width = pixels.width;
  small.height = pixels.height;
  small.getContext("2d").putImageData(pixels, 0, 0);
  canvas.width = pixels.width * scale;
  canvas.height = pixels.height * scale;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}
