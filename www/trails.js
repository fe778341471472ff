// One frame of the reverse-process animation: the points between two recorded sampler steps,
// and the trails each point has left so far.

/**
 * @param {Float32Array} frames `count` frames of `n` points (x, y), noise first
 * @param {number} n points per frame
 * @param {number} pos the position in steps, from 0 to count - 1 (fractions interpolate)
 * @param {boolean} withTrails whether to build the trail segments
 * @returns {{now: Float32Array, segments: Float32Array | null}} the points at `pos`, and line
 *   segments [xa, ya, xb, yb, ...] from each recorded step to the next, up to `pos`
 */
export function trajectoryFrame(frames, n, pos, withTrails) {
  const count = frames.length / (2 * n);
  const frame = (k) => frames.subarray(k * 2 * n, (k + 1) * 2 * n);
  const k = Math.min(count - 2, Math.floor(pos));
  const f = pos - k;
  const [a, b] = [frame(k), frame(k + 1)];
  const now = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) now[i] = a[i] + f * (b[i] - a[i]);
  if (!withTrails) return { now, segments: null };
  const segments = new Float32Array(4 * n * (k + 1));
  let o = 0;
  for (let j = 0; j <= k; j++) {
    const [u, v] = [frame(j), j === k ? now : frame(j + 1)];
    for (let i = 0; i < n; i++) {
      segments[o++] = u[2 * i];
      segments[o++] = u[2 * i + 1];
      segments[o++] = v[2 * i];
      segments[o++] = v[2 * i + 1];
    }
  }
  return { now, segments };
}
